"""Export, import and their tasks: ``jobs/{job_name}/export``, ``jobs/batch-export``, ``jobs/check-file``,
``jobs/import`` and ``system-tasks/{task_id}``."""

from __future__ import annotations

import re
from typing import Any

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from factory.dataarts.serializers import file_info_data, system_task_data
from factory.dataarts.services import (
    EXPORT_STATUSES,
    IMPORT_TARGET_STATUSES,
    SAME_NAME_POLICIES,
    V1Export,
    v1_import_choices,
    v1_import_start,
    v1_jobs_export,
    v1_system_task_get,
)
from factory.dataarts.views.base import DataArtsApi
from factory.development.nodes import DATAARTS_RESOURCE_TYPES
from factory.transfer.imports import import_dry_run
from factory.workspaces.models import Role

BATCH_EXPORT_MAX_JOBS = 100
_TOKEN = re.compile(r"[A-Za-z0-9._-]+")


def _attachment(export: V1Export) -> StreamingHttpResponse | Response:
    if export.stream is None:
        return Response(status=204)  # written to OBS
    response = StreamingHttpResponse(export.stream, content_type="application/octet-stream")
    # DataArts' own header is the bare token; names outside it get RFC 6266's quoted/encoded forms.
    response["Content-Disposition"] = (
        f"attachment; filename={export.file_name}"
        if _TOKEN.fullmatch(export.file_name)
        else content_disposition_header(as_attachment=True, filename=export.file_name)
    )
    return response


class _ExportOptions(serializers.Serializer):
    exportDepend = serializers.BooleanField(required=False, default=True)
    exportStatus = serializers.ChoiceField(choices=list(EXPORT_STATUSES), required=False, default="DEVELOP")
    obsPath = serializers.CharField(required=False, allow_blank=True, default="", max_length=1024)


class JobExportApi(DataArtsApi):
    """``POST jobs/{job_name}/export`` -> ``DLF_<job>.zip`` (octet-stream), or written to ``obsPath``."""

    InputSerializer = _ExportOptions

    def post(self, request: Request, job_name: str, **kwargs: Any) -> StreamingHttpResponse | Response:
        options = self.InputSerializer(data=self.body_object(request))
        options.is_valid(raise_exception=True)
        export = v1_jobs_export(
            workspace=self.workspace,
            user=request.user,
            job_names=[job_name],
            export_depend=options.validated_data["exportDepend"],
            export_status=options.validated_data["exportStatus"],
            obs_path=options.validated_data["obsPath"],
            batch=False,
        )
        return _attachment(export)


class JobBatchExportApi(DataArtsApi):
    """``POST jobs/batch-export`` with ``jobList`` (at most 100) -> ``jobs.zip``, or written to ``obsPath``."""

    class InputSerializer(_ExportOptions):
        jobList = serializers.ListField(
            child=serializers.CharField(max_length=128),
            allow_empty=False,
            max_length=BATCH_EXPORT_MAX_JOBS,
        )

    def post(self, request: Request, **kwargs: Any) -> StreamingHttpResponse | Response:
        options = self.InputSerializer(data=self.body_object(request))
        options.is_valid(raise_exception=True)
        export = v1_jobs_export(
            workspace=self.workspace,
            user=request.user,
            job_names=list(dict.fromkeys(options.validated_data["jobList"])),
            export_depend=options.validated_data["exportDepend"],
            export_status=options.validated_data["exportStatus"],
            obs_path=options.validated_data["obsPath"],
            batch=True,
        )
        return _attachment(export)


class JobFileCheckApi(DataArtsApi):
    """``POST jobs/check-file`` with ``{"path": "obs://..."}`` -> what the package holds (read now)."""

    class InputSerializer(serializers.Serializer):
        path = serializers.CharField(max_length=1024)

    def post(self, request: Request, **kwargs: Any) -> Response:
        data = self.InputSerializer(data=self.body_object(request))
        data.is_valid(raise_exception=True)
        inspection = import_dry_run(
            workspace=self.workspace, user=request.user, category="job", obs_path=data.validated_data["path"]
        )
        return Response(file_info_data(inspection))


class JobImportApi(DataArtsApi):
    """``POST jobs/import`` (``ImportFileReq``) -> ``{"taskId"}``; poll ``system-tasks/{taskId}``."""

    class ResourceSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=128)
        type = serializers.ChoiceField(choices=sorted(DATAARTS_RESOURCE_TYPES))
        replace = serializers.CharField(max_length=128)

    class JobParamsSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=128)
        params = serializers.DictField(
            child=serializers.CharField(allow_blank=True), required=False, default=dict
        )

    class InputSerializer(serializers.Serializer):
        path = serializers.CharField(max_length=1024)
        sameNamePolicy = serializers.ChoiceField(
            choices=list(SAME_NAME_POLICIES), required=False, default="SKIP"
        )
        params = serializers.DictField(
            child=serializers.CharField(allow_blank=True), required=False, default=dict
        )
        jobsParam = serializers.ListField(required=False, default=list)
        resources = serializers.ListField(required=False, default=list)
        targetStatus = serializers.ChoiceField(
            choices=list(IMPORT_TARGET_STATUSES), required=False, default="SUBMITTED"
        )
        executeUser = serializers.CharField(required=False, allow_blank=True)  # runs happen elsewhere
        approvers = serializers.ListField(required=False)  # review mode: not part of this console

        def validate_jobsParam(self, value: list) -> list:  # noqa: N802 - DataArts' field name
            serializer = JobImportApi.JobParamsSerializer(data=value, many=True)
            serializer.is_valid(raise_exception=True)
            return serializer.validated_data

        def validate_resources(self, value: list) -> list:
            serializer = JobImportApi.ResourceSerializer(data=value, many=True)
            serializer.is_valid(raise_exception=True)
            return serializer.validated_data

    def post(self, request: Request, **kwargs: Any) -> Response:
        data = self.InputSerializer(data=self.body_object(request))
        data.is_valid(raise_exception=True)
        choices = v1_import_choices(
            same_name_policy=data.validated_data["sameNamePolicy"],
            params=data.validated_data["params"],
            jobs_param=data.validated_data["jobsParam"],
            resources=data.validated_data["resources"],
            target_status=data.validated_data["targetStatus"],
        )
        task = v1_import_start(
            workspace=self.workspace, user=request.user, path=data.validated_data["path"], choices=choices
        )
        return Response({"taskId": task.public_id})


class SystemTaskShowApi(DataArtsApi):
    """``GET system-tasks/{task_id}`` -> the task with its subtasks; the key's user must have started it
    (workspace admins see every task). DLF.0810 otherwise."""

    def get(self, request: Request, task_id: str, **kwargs: Any) -> Response:
        task = v1_system_task_get(
            workspace=self.workspace,
            user=request.user,
            task_id=task_id,
            is_admin=self.membership.role == Role.ADMIN,
        )
        return Response(system_task_data(task))
