"""The Download Center: the packages of background exports, per user (workspace admins see all)."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from factory.api.common import WorkspaceApi
from factory.errors import ErrorCode, NotFound
from factory.transfer.exports import export_artifact_delete
from factory.transfer.models import ExportArtifact, TaskStatus
from factory.transfer.selectors import export_artifact_get, export_artifact_list
from factory.workspaces.models import Role
from factory.workspaces.selectors import role_at_least

TAG = ["transfer"]


class DownloadSerializer(serializers.Serializer):
    """An entry of the Download Center. ``downloadUrl`` is set once the package is ready in storage;
    packages written to OBS are found at ``obsPath`` instead."""

    id = serializers.IntegerField()
    taskId = serializers.CharField(source="task.public_id")  # noqa: N815
    fileName = serializers.CharField(source="file_name")  # noqa: N815
    size = serializers.IntegerField(allow_null=True)
    jobCount = serializers.IntegerField(source="job_count")  # noqa: N815
    createdAt = serializers.DateTimeField(source="created_at")  # noqa: N815
    createdBy = serializers.CharField(source="user.username")  # noqa: N815
    status = serializers.ChoiceField(source="task.status", choices=TaskStatus.choices)
    progress = serializers.IntegerField(source="task.progress")
    message = serializers.CharField(source="task.message")
    obsPath = serializers.CharField(source="obs_path")  # noqa: N815
    downloadUrl = serializers.SerializerMethodField()  # noqa: N815

    class Meta:
        ref_name = "Download"

    def get_downloadUrl(self, artifact: ExportArtifact) -> str | None:  # noqa: N802
        if artifact.task.status != TaskStatus.SUCCESSFUL or not artifact.storage_name:
            return None
        return reverse(
            "transfer:download-file",
            kwargs={"workspace_id": artifact.workspace.public_id, "artifact_id": artifact.pk},
        )


def _is_admin(view: WorkspaceApi) -> bool:
    return role_at_least(membership=view.membership, role=Role.ADMIN)


class DownloadListApi(WorkspaceApi):
    @extend_schema(tags=TAG, responses=DownloadSerializer(many=True), operation_id="downloads_list")
    def get(self, request: Request, workspace_id: str) -> Response:
        artifacts = export_artifact_list(
            workspace=self.workspace, user=request.user, is_admin=_is_admin(self)
        )
        return Response(DownloadSerializer(artifacts, many=True).data)


class DownloadFileApi(WorkspaceApi):
    @extend_schema(
        tags=TAG,
        responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY)},
        operation_id="downloads_file",
    )
    def get(self, request: Request, workspace_id: str, artifact_id: int) -> FileResponse:
        artifact = export_artifact_get(
            workspace=self.workspace, user=request.user, is_admin=_is_admin(self), artifact_id=artifact_id
        )
        if artifact.task.status != TaskStatus.SUCCESSFUL:
            raise NotFound(
                f"{artifact.file_name} is not ready: the export is {artifact.task.status.lower()}."
            )
        if not artifact.storage_name:
            raise NotFound(
                f"{artifact.file_name} was written to OBS; download it from {artifact.obs_path}.",
                code=ErrorCode.DOWNLOAD_IN_OBS,
            )
        try:
            handle = default_storage.open(artifact.storage_name, "rb")
        except FileNotFoundError as exc:
            raise NotFound(
                f"The file of {artifact.file_name} is gone from storage.", code=ErrorCode.DOWNLOAD_GONE
            ) from exc
        return FileResponse(
            handle, as_attachment=True, filename=artifact.file_name, content_type="application/zip"
        )


class DownloadDeleteApi(WorkspaceApi):
    write_role = Role.VIEWER  # anyone may remove their own entries; the service checks whose they are

    @extend_schema(tags=TAG, responses={204: None}, operation_id="downloads_delete")
    def delete(self, request: Request, workspace_id: str, artifact_id: int) -> Response:
        export_artifact_delete(
            workspace=self.workspace, user=request.user, is_admin=_is_admin(self), artifact_id=artifact_id
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
