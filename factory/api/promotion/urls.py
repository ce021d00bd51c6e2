"""Console API: a workspace's environment profiles (the Environments room) and its promotions (the
Deployments room)."""

from django.urls import path

from factory.routing import methods

from . import profile_files, profiles, promotions, wizard

app_name = "promotion"

_W = "workspaces/<str:workspace_id>/"

urlpatterns = [
    path(
        f"{_W}profiles/",
        methods(get=profiles.ProfileListApi, post=profiles.ProfileCreateApi),
        name="profiles",
    ),
    path(f"{_W}profiles/import/", profile_files.ProfileImportApi.as_view(), name="profiles-import"),
    path(
        f"{_W}profiles/<int:profile_id>/",
        methods(get=profiles.ProfileGetApi, put=profiles.ProfileUpdateApi, delete=profiles.ProfileDeleteApi),
        name="profile",
    ),
    path(
        f"{_W}profiles/<int:profile_id>/export/",
        profile_files.ProfileExportApi.as_view(),
        name="profile-export",
    ),
    path(f"{_W}import-profiles/", wizard.ImportProfileListApi.as_view(), name="import-profiles"),
    path(
        f"{_W}imports/<str:task_id>/profiles/<int:profile_id>/choices/",
        wizard.ImportProfileChoicesApi.as_view(),
        name="import-profile-choices",
    ),
    path(
        f"{_W}promotions/",
        methods(get=promotions.PromotionListApi, post=promotions.PromotionStartApi),
        name="promotions",
    ),
    path(f"{_W}promotions/<int:promotion_id>/", promotions.PromotionGetApi.as_view(), name="promotion"),
    path(
        f"{_W}promotions/<int:promotion_id>/approve/",
        promotions.PromotionApproveApi.as_view(),
        name="promotion-approve",
    ),
    path(
        f"{_W}promotions/<int:promotion_id>/reject/",
        promotions.PromotionRejectApi.as_view(),
        name="promotion-reject",
    ),
    path(
        f"{_W}promotions/<int:promotion_id>/apply/",
        promotions.PromotionApplyApi.as_view(),
        name="promotion-apply",
    ),
]
