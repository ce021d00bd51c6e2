"""Console API: the session (who am I, log in, log out), workspaces and members, and access keys."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.middleware.csrf import get_token
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from factory.api.common import WorkspaceApi, request_user
from factory.api.pagination import PAGE_PARAMETERS, paginated, paginated_response
from factory.workspaces.models import LockPolicy, Role
from factory.workspaces.selectors import (
    access_key_list,
    memberships_for_user,
    user_get_by_username,
    workspace_access_get,
    workspace_members_list,
)
from factory.workspaces.services import (
    access_key_create,
    access_key_revoke,
    membership_remove,
    membership_set,
    session_login,
    session_logout,
    workspace_create_by,
    workspace_update,
)

from .http import CsrfCheckedApi

TAG = ["accounts"]


class UserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    isStaff = serializers.BooleanField(source="is_staff")  # noqa: N815


class WorkspaceSerializer(serializers.Serializer):
    """A workspace as one of its members sees it (``role`` is the member's own)."""

    id = serializers.IntegerField(source="workspace.pk")
    publicId = serializers.CharField(source="workspace.public_id")  # noqa: N815
    name = serializers.CharField(source="workspace.name")
    projectId = serializers.CharField(source="workspace.project_id")  # noqa: N815
    isDefault = serializers.BooleanField(source="workspace.is_default")  # noqa: N815
    description = serializers.CharField(source="workspace.description")
    lockPolicy = serializers.ChoiceField(source="workspace.lock_policy", choices=LockPolicy.choices)  # noqa: N815
    obsAllowList = serializers.ListField(  # noqa: N815
        source="workspace.obs_allow_list",
        child=serializers.CharField(),
        help_text="Where the workspace's imports, exports and OBS browsing may reach: '*' (any bucket but "
        "the console's own storage), 'bucket' or 'bucket/folder/'. Empty: no OBS.",
    )
    role = serializers.ChoiceField(choices=Role.choices)
    createdAt = serializers.DateTimeField(source="workspace.created_at")  # noqa: N815


class SessionSerializer(serializers.Serializer):
    user = UserSerializer()
    workspaces = WorkspaceSerializer(many=True)
    csrfHeader = serializers.CharField()  # noqa: N815


def _session_data(*, request: Request, user: User) -> dict:
    get_token(request)  # (re)sets the CSRF cookie the single-page app sends back in X-CSRFToken
    return SessionSerializer(
        {"user": user, "workspaces": memberships_for_user(user=user), "csrfHeader": "X-CSRFToken"}
    ).data


class SessionGetApi(APIView):
    """The logged-in user and their workspaces. 403 when not logged in: the console then shows /login/."""

    @extend_schema(tags=TAG, responses=SessionSerializer, operation_id="session_get")
    def get(self, request: Request) -> Response:
        return Response(_session_data(request=request, user=request_user(request)))


class SessionLoginApi(CsrfCheckedApi):
    """Log in with username and password (the JSON alternative to the /login/ page)."""

    permission_classes = (AllowAny,)

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(
            max_length=4096, style={"input_type": "password"}, trim_whitespace=False
        )

        class Meta:
            ref_name = "SessionLoginInput"

    @extend_schema(
        tags=TAG, request=InputSerializer, responses=SessionSerializer, operation_id="session_login"
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = session_login(request=request._request, **data.validated_data)
        return Response(_session_data(request=request, user=user))


class SessionLogoutApi(CsrfCheckedApi):
    permission_classes = (AllowAny,)

    @extend_schema(tags=TAG, request=None, responses={204: None}, operation_id="session_logout")
    def post(self, request: Request) -> Response:
        session_logout(request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WorkspaceListApi(APIView):
    """The workspaces the user is a member of, each with the user's role and its lock policy."""

    @extend_schema(
        tags=TAG,
        parameters=PAGE_PARAMETERS,
        responses=paginated(WorkspaceSerializer),
        operation_id="workspaces_list",
    )
    def get(self, request: Request) -> Response:
        return paginated_response(
            request=request,
            view=self,
            items=memberships_for_user(user=request_user(request)),
            serializer_class=WorkspaceSerializer,
        )


class WorkspaceCreateApi(APIView):
    """Create a workspace (staff users; the creator becomes its admin)."""

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=64)
        lockPolicy = serializers.ChoiceField(choices=LockPolicy.choices, default=LockPolicy.SOFT)  # noqa: N815
        description = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

        class Meta:
            ref_name = "WorkspaceCreateInput"

    @extend_schema(
        tags=TAG,
        request=InputSerializer,
        responses={201: WorkspaceSerializer},
        operation_id="workspaces_create",
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workspace = workspace_create_by(
            user=request_user(request),
            name=data.validated_data["name"],
            lock_policy=data.validated_data["lockPolicy"],
            description=data.validated_data["description"],
        )
        membership = workspace_access_get(user=request_user(request), workspace_id=workspace.pk)
        return Response(WorkspaceSerializer(membership).data, status=status.HTTP_201_CREATED)


class WorkspaceGetApi(WorkspaceApi):
    @extend_schema(tags=TAG, responses=WorkspaceSerializer, operation_id="workspaces_get")
    def get(self, request: Request, workspace_id: str) -> Response:
        return Response(WorkspaceSerializer(self.membership).data)


class WorkspaceUpdateApi(WorkspaceApi):
    """Change the workspace's default items (lock policy, description, OBS allow-list): workspace admins
    only."""

    write_role = Role.ADMIN

    class InputSerializer(serializers.Serializer):
        lockPolicy = serializers.ChoiceField(choices=LockPolicy.choices, required=False)  # noqa: N815
        description = serializers.CharField(max_length=255, required=False, allow_blank=True)
        obsAllowList = serializers.ListField(  # noqa: N815
            child=serializers.CharField(max_length=1100, allow_blank=True), required=False, max_length=100
        )

        class Meta:
            ref_name = "WorkspaceUpdateInput"

    @extend_schema(
        tags=TAG, request=InputSerializer, responses=WorkspaceSerializer, operation_id="workspaces_update"
    )
    def patch(self, request: Request, workspace_id: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workspace_update(
            workspace=self.workspace,
            user=request_user(request),
            lock_policy=data.validated_data.get("lockPolicy"),
            description=data.validated_data.get("description"),
            obs_allow_list=data.validated_data.get("obsAllowList"),
        )
        return Response(WorkspaceSerializer(self.membership).data)


class MemberSerializer(serializers.Serializer):
    userId = serializers.IntegerField(source="user.pk")  # noqa: N815
    username = serializers.CharField(source="user.username")
    role = serializers.ChoiceField(choices=Role.choices)


class MemberListApi(WorkspaceApi):
    """The workspace's members and their roles (workspace admins only)."""

    read_role = Role.ADMIN

    @extend_schema(
        tags=TAG,
        parameters=PAGE_PARAMETERS,
        responses=paginated(MemberSerializer),
        operation_id="members_list",
    )
    def get(self, request: Request, workspace_id: str) -> Response:
        return paginated_response(
            request=request,
            view=self,
            items=workspace_members_list(workspace=self.workspace),
            serializer_class=MemberSerializer,
        )


class MemberSetApi(WorkspaceApi):
    """Add a user to the workspace or change their role (workspace admins only)."""

    write_role = Role.ADMIN

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        role = serializers.ChoiceField(choices=Role.choices)

        class Meta:
            ref_name = "MemberSetInput"

    @extend_schema(tags=TAG, request=InputSerializer, responses=MemberSerializer, operation_id="members_set")
    def post(self, request: Request, workspace_id: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_get_by_username(username=data.validated_data["username"])
        membership = membership_set(workspace=self.workspace, user=user, role=data.validated_data["role"])
        return Response(MemberSerializer(membership).data)


class MemberRemoveApi(WorkspaceApi):
    write_role = Role.ADMIN

    @extend_schema(tags=TAG, responses={204: None}, operation_id="members_remove")
    def delete(self, request: Request, workspace_id: str, username: str) -> Response:
        membership_remove(workspace=self.workspace, user=user_get_by_username(username=username))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AccessKeySerializer(serializers.Serializer):
    """An access key as listed: never its secret."""

    accessKeyId = serializers.CharField(source="access_key_id")  # noqa: N815
    description = serializers.CharField()
    workspaceId = serializers.IntegerField(source="workspace_id", allow_null=True)  # noqa: N815
    projectId = serializers.SerializerMethodField()  # noqa: N815
    createdAt = serializers.DateTimeField(source="created_at")  # noqa: N815
    lastUsedAt = serializers.DateTimeField(source="last_used_at", allow_null=True)  # noqa: N815
    revokedAt = serializers.DateTimeField(source="revoked_at", allow_null=True)  # noqa: N815
    revoked = serializers.SerializerMethodField()

    def get_projectId(self, key) -> str | None:  # noqa: N802 - the JSON key
        return key.workspace.project_id if key.workspace is not None else None

    def get_revoked(self, key) -> bool:
        return key.revoked_at is not None


class AccessKeyListApi(APIView):
    """The user's own access keys, newest first (revoked ones marked)."""

    @extend_schema(
        tags=TAG,
        parameters=PAGE_PARAMETERS,
        responses=paginated(AccessKeySerializer),
        operation_id="access_keys_list",
    )
    def get(self, request: Request) -> Response:
        return paginated_response(
            request=request,
            view=self,
            items=access_key_list(user=request_user(request)).select_related("workspace"),
            serializer_class=AccessKeySerializer,
        )


class AccessKeyCreateApi(APIView):
    """Create an access key for the v1 API. The response is the only time the secret is shown."""

    class InputSerializer(serializers.Serializer):
        workspaceId = serializers.IntegerField(required=False, allow_null=True)  # noqa: N815
        description = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

        class Meta:
            ref_name = "AccessKeyCreateInput"

    class OutputSerializer(AccessKeySerializer):
        secretAccessKey = serializers.SerializerMethodField()  # noqa: N815

        class Meta:
            ref_name = "AccessKeyCreated"

        def get_secretAccessKey(self, key) -> str:  # noqa: N802 - the JSON key
            return self.context["secret"]

    @extend_schema(
        tags=TAG,
        request=InputSerializer,
        responses={201: OutputSerializer},
        operation_id="access_keys_create",
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workspace = None
        if data.validated_data.get("workspaceId") is not None:
            workspace_id = data.validated_data["workspaceId"]
            workspace = workspace_access_get(user=request_user(request), workspace_id=workspace_id).workspace
        key, secret = access_key_create(
            user=request_user(request), workspace=workspace, description=data.validated_data["description"]
        )
        output = self.OutputSerializer(key, context={"secret": secret})
        response = Response(output.data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


class AccessKeyRevokeApi(APIView):
    @extend_schema(
        tags=TAG,
        parameters=[OpenApiParameter("access_key_id", str, OpenApiParameter.PATH)],
        responses={204: None},
        operation_id="access_keys_revoke",
    )
    def delete(self, request: Request, access_key_id: str) -> Response:
        access_key_revoke(user=request_user(request), access_key_id=access_key_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
