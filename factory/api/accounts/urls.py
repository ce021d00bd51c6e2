"""Console API: the session, workspaces and their members, access keys."""

from django.urls import path

from factory.routing import methods

from . import views

app_name = "accounts"
urlpatterns = [
    path("session/", views.SessionGetApi.as_view(), name="session"),
    path("session/login/", views.SessionLoginApi.as_view(), name="session-login"),
    path("session/logout/", views.SessionLogoutApi.as_view(), name="session-logout"),
    path(
        "workspaces/", methods(get=views.WorkspaceListApi, post=views.WorkspaceCreateApi), name="workspaces"
    ),
    path(
        "workspaces/<str:workspace_id>/",
        methods(get=views.WorkspaceGetApi, patch=views.WorkspaceUpdateApi),
        name="workspace",
    ),
    path(
        "workspaces/<str:workspace_id>/members/",
        methods(get=views.MemberListApi, post=views.MemberSetApi),
        name="members",
    ),
    path(
        "workspaces/<str:workspace_id>/members/<str:username>/",
        views.MemberRemoveApi.as_view(),
        name="member",
    ),
    path(
        "access-keys/", methods(get=views.AccessKeyListApi, post=views.AccessKeyCreateApi), name="access-keys"
    ),
    path("access-keys/<str:access_key_id>/", views.AccessKeyRevokeApi.as_view(), name="access-key"),
]
