"""Console API: a workspace's environment profiles (the Environments room)."""

from django.urls import path

from factory.routing import methods

from . import profiles

app_name = "promotion"

_W = "workspaces/<str:workspace_id>/"

urlpatterns = [
    path(
        f"{_W}profiles/",
        methods(get=profiles.ProfileListApi, post=profiles.ProfileCreateApi),
        name="profiles",
    ),
    path(f"{_W}profiles/import/", profiles.ProfileImportApi.as_view(), name="profiles-import"),
    path(
        f"{_W}profiles/<int:profile_id>/",
        methods(get=profiles.ProfileGetApi, put=profiles.ProfileUpdateApi, delete=profiles.ProfileDeleteApi),
        name="profile",
    ),
    path(
        f"{_W}profiles/<int:profile_id>/export/", profiles.ProfileExportApi.as_view(), name="profile-export"
    ),
]
