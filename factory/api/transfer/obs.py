"""OBS for the import wizard and the export dialog: whether the workspace can use it now, and a browser of
the buckets, folders and objects its OBS allow-list reaches.

Under the workspace: OBS is reached with the server's credentials, so what a member may see is what the
workspace's allow-list allows (never the console's own storage), and only members who may import or
export (developers and admins) browse at all.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from factory.api.common import WorkspaceApi
from factory.obs import obs_available
from factory.workspaces.models import Role
from factory.workspaces.obs import workspace_obs_browse, workspace_obs_scope

TAG = ["import"]


class ObsStatusSerializer(serializers.Serializer):
    available = serializers.BooleanField()
    reason = serializers.CharField()
    allowList = serializers.ListField(child=serializers.CharField())  # noqa: N815


class ObsObjectSerializer(serializers.Serializer):
    key = serializers.CharField()
    path = serializers.CharField()
    size = serializers.IntegerField()
    lastModified = serializers.CharField()  # noqa: N815


class ObsListingSerializer(serializers.Serializer):
    """At the root: ``buckets`` and the allowed folders (``prefixes``, full obs:// paths) and the list
    itself; below: the folders and objects directly under ``path``."""

    path = serializers.CharField(required=False)
    buckets = serializers.ListField(child=serializers.CharField(), required=False)
    prefixes = serializers.ListField(child=serializers.CharField(), required=False)
    objects = ObsObjectSerializer(many=True, required=False)
    truncated = serializers.BooleanField(required=False)
    allowList = serializers.ListField(child=serializers.CharField(), required=False)  # noqa: N815


class ObsStatusApi(WorkspaceApi):
    """Whether this workspace can use OBS now; when not, ``reason`` says why (import from the local PC)."""

    read_role = Role.DEVELOPER

    @extend_schema(tags=TAG, responses=ObsStatusSerializer, operation_id="obs_status")
    def get(self, request: Request, workspace_id: str) -> Response:
        scope = workspace_obs_scope(workspace=self.workspace)
        available, reason = obs_available()
        if available and scope.empty:
            available = False
            reason = (
                f"Workspace {self.workspace.name} may not use OBS (its OBS allow-list is empty); "
                "import from the local PC instead, or ask a workspace admin."
            )
        return Response(
            ObsStatusSerializer(
                {"available": available, "reason": reason, "allowList": self.workspace.obs_allow_list}
            ).data
        )


class ObsBrowseApi(WorkspaceApi):
    """The buckets and folders the workspace may use (no ``path``), or the folders and objects directly
    under ``obs://bucket/folder/`` when the workspace's allow-list reaches it (403 otherwise)."""

    read_role = Role.DEVELOPER

    @extend_schema(
        tags=TAG,
        parameters=[OpenApiParameter("path", str, description="obs://bucket/folder/ (empty: the roots)")],
        responses=ObsListingSerializer,
        operation_id="obs_browse",
    )
    def get(self, request: Request, workspace_id: str) -> Response:
        listing = workspace_obs_browse(
            workspace=self.workspace, path=(request.query_params.get("path") or "").strip()
        )
        return Response(ObsListingSerializer(listing).data)
