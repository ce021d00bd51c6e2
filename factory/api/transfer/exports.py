"""Export from the console: the canvas's Export button, "Export Job" on selected jobs or directories,
"Export Workspace Job" and "Export Script". Small exports come back as the zip itself; large ones and
exports to OBS start a task whose package lands in the Download Center."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from factory.api.common import WorkspaceApi
from factory.api.transfer.tasks import TaskSerializer
from factory.transfer.exports import (
    CATEGORIES,
    DEVELOP,
    JOBS_ONLY,
    STATUSES,
    WITH_DEPENDENCIES,
    ExportRequest,
    export_start,
)

TAG = ["transfer"]


class ExportCreateApi(WorkspaceApi):
    """Export jobs or scripts. Needs the developer role (viewers may not export)."""

    class InputSerializer(serializers.Serializer):
        category = serializers.ChoiceField(choices=CATEGORIES, default="job")
        jobIds = serializers.ListField(  # noqa: N815
            child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=10_000
        )
        directoryIds = serializers.ListField(  # noqa: N815
            child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=5_000
        )
        scriptIds = serializers.ListField(  # noqa: N815
            child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=10_000
        )
        excludeJobIds = serializers.ListField(  # noqa: N815
            child=serializers.IntegerField(min_value=1),
            required=False,
            default=list,
            max_length=10_000,
            help_text="Jobs unticked inside the selected directories (or the whole workspace).",
        )
        excludeScriptIds = serializers.ListField(  # noqa: N815
            child=serializers.IntegerField(min_value=1),
            required=False,
            default=list,
            max_length=10_000,
            help_text="Scripts unticked inside the selected directories (or the whole workspace).",
        )
        excludeDirectoryIds = serializers.ListField(  # noqa: N815
            child=serializers.IntegerField(min_value=1),
            required=False,
            default=list,
            max_length=5_000,
            help_text="Directories unticked inside the selected ones, with everything below them; a "
            "directory or job ticked again inside one (in directoryIds, jobIds) is still exported.",
        )
        all = serializers.BooleanField(required=False, default=False, help_text="The whole workspace.")
        changedSince = serializers.DateTimeField(  # noqa: N815
            required=False, allow_null=True, default=None, help_text="Only objects updated after this time."
        )
        scope = serializers.ChoiceField(
            choices=[
                (JOBS_ONLY, "Export jobs only"),
                (WITH_DEPENDENCIES, "Export jobs and their dependency scripts and resource definitions"),
            ],
            default=JOBS_ONLY,
        )
        status = serializers.ChoiceField(choices=STATUSES, default=DEVELOP)
        obsPath = serializers.CharField(  # noqa: N815
            required=False,
            allow_blank=True,
            default="",
            max_length=1100,
            help_text="obs://bucket/folder/: the package is written into it under its DataArts name.",
        )
        obsOverwrite = serializers.BooleanField(  # noqa: N815
            required=False,
            default=False,
            help_text="Replace an object of the same name in the OBS folder (refused with 409 otherwise).",
        )

        class Meta:
            ref_name = "ExportCreateInput"

    @extend_schema(
        tags=TAG,
        request=InputSerializer,
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The package (DLF_<name>.zip, jobs.zip or scripts.zip)."
            ),
            202: inline_serializer("ExportStarted", {"task": TaskSerializer()}),
        },
        operation_id="exports_create",
    )
    def post(self, request: Request, workspace_id: str) -> Response | StreamingHttpResponse:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        started = export_start(
            workspace=self.workspace,
            user=request.user,
            request=ExportRequest(
                category=values["category"],
                job_ids=tuple(values["jobIds"]),
                script_ids=tuple(values["scriptIds"]),
                directory_ids=tuple(values["directoryIds"]),
                exclude_job_ids=tuple(values["excludeJobIds"]),
                exclude_script_ids=tuple(values["excludeScriptIds"]),
                exclude_directory_ids=tuple(values["excludeDirectoryIds"]),
                everything=values["all"],
                changed_since=values["changedSince"],
                scope=values["scope"],
                status=values["status"],
                obs_path=values["obsPath"].strip(),
                obs_overwrite=values["obsOverwrite"],
            ),
        )
        if started.task is not None:
            return Response({"task": TaskSerializer(started.task).data}, status=status.HTTP_202_ACCEPTED)
        response = StreamingHttpResponse(started.stream, content_type="application/zip")
        response["Content-Disposition"] = content_disposition_header(True, started.file_name)
        response["Cache-Control"] = "no-store"
        return response
