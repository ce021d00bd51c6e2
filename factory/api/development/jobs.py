"""Job views: each binds one shared operation (``objects.py``, ``versions.py``) to the job services."""

from __future__ import annotations

from functools import partial
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from factory.api.development import objects as shared
from factory.api.development import versions
from factory.api.development.serializers import (
    JobSerializer,
    JobSummarySerializer,
    VersionSerializer,
    page_of,
)
from factory.development import selectors, services
from factory.development.models import Category, Job

JOB_OPS = shared.ObjectOps(
    word="job",
    get=selectors.job_get,
    detail=JobSerializer,
    summary=JobSummarySerializer,
    services={
        "list": selectors.jobs_list,
        "create": services.job_create,
        "save": services.job_save,
        "submit": services.job_submit,
        "rename": services.job_rename,
        "move": services.job_move,
        "copy": services.job_copy,
        "delete": services.job_delete,
        "lock": services.job_lock,
        "unlock": services.job_unlock,
        "rollback": services.job_rollback,
        "batch_unlock": services.jobs_unlock,
        "batch_delete": services.jobs_delete,
        "batch_move": services.jobs_move,
        "batch_owner": partial(services.objects_owner_set, category=Category.JOB),
        "schedule_start": services.job_schedule_start,
        "schedule_stop": services.job_schedule_stop,
    },
    versions_list=selectors.job_versions_list,
    version_get=selectors.job_version_get,
    model=Job,
)


def _schema(operation_id: str, **kwargs: Any) -> Any:
    return extend_schema(operation_id=operation_id, tags=["jobs"], **kwargs)


class JobFilterSerializer(shared.ObjectListApi.FilterSerializer):
    scheduled = serializers.BooleanField(required=False, allow_null=True, default=None)


@extend_schema_view(
    get=_schema(
        "jobs_list",
        parameters=[JobFilterSerializer, *shared.PAGE_PARAMETERS],
        responses=page_of(JobSummarySerializer, "JobPage"),
    )
)
class JobListApi(shared.ObjectListApi):
    ops = JOB_OPS
    FilterSerializer = JobFilterSerializer

    def filters(self, data: dict[str, Any]) -> dict[str, Any]:
        return {**super().filters(data), "scheduled": data.get("scheduled")}


@extend_schema_view(post=_schema("job_create", responses={201: JobSerializer}))
class JobCreateApi(shared.ObjectCreateApi):
    ops = JOB_OPS


@extend_schema_view(get=_schema("job_get", responses=JobSerializer))
class JobDetailApi(shared.ObjectDetailApi):
    ops = JOB_OPS


@extend_schema_view(put=_schema("job_save", responses=JobSerializer))
class JobSaveApi(shared.ObjectSaveApi):
    ops = JOB_OPS


@extend_schema_view(delete=_schema("job_delete", responses={204: None}))
class JobDeleteApi(shared.ObjectDeleteApi):
    ops = JOB_OPS


@extend_schema_view(post=_schema("job_submit", responses={201: VersionSerializer}))
class JobSubmitApi(shared.ObjectSubmitApi):
    ops = JOB_OPS


@extend_schema_view(post=_schema("job_rename", responses=JobSerializer))
class JobRenameApi(shared.ObjectRenameApi):
    ops = JOB_OPS


@extend_schema_view(post=_schema("job_move", responses=JobSerializer))
class JobMoveApi(shared.ObjectMoveApi):
    ops = JOB_OPS


@extend_schema_view(post=_schema("job_copy", responses={201: JobSerializer}))
class JobCopyApi(shared.ObjectCopyApi):
    ops = JOB_OPS


@extend_schema_view(post=_schema("job_lock", responses=JobSerializer))
class JobLockApi(shared.ObjectLockApi):
    ops = JOB_OPS


@extend_schema_view(post=_schema("job_unlock", responses=JobSerializer))
class JobUnlockApi(shared.ObjectUnlockApi):
    ops = JOB_OPS


@extend_schema_view(post=_schema("jobs_unlock"))
class JobBatchUnlockApi(shared.ObjectBatchUnlockApi):
    ops = JOB_OPS


@extend_schema_view(post=_schema("jobs_selection_count"))
class JobSelectionCountApi(shared.ObjectSelectionCountApi):
    ops = JOB_OPS


@extend_schema_view(post=_schema("jobs_delete"))
class JobBatchDeleteApi(shared.ObjectBatchDeleteApi):
    ops = JOB_OPS


@extend_schema_view(post=_schema("jobs_move"))
class JobBatchMoveApi(shared.ObjectBatchMoveApi):
    ops = JOB_OPS


@extend_schema_view(post=_schema("jobs_owner_set"))
class JobBatchOwnerApi(shared.ObjectBatchOwnerApi):
    ops = JOB_OPS


class JobScheduleStartApi(shared.ObjectApi):
    ops = JOB_OPS

    @_schema("job_schedule_start", request=None, responses=JobSerializer)
    def post(self, request: Request, **kwargs: Any) -> Response:
        return self.respond(self.call("schedule_start", self.get_object()))


class JobScheduleStopApi(shared.ObjectApi):
    ops = JOB_OPS

    @_schema("job_schedule_stop", request=None, responses=JobSerializer)
    def post(self, request: Request, **kwargs: Any) -> Response:
        return self.respond(self.call("schedule_stop", self.get_object()))


@extend_schema_view(
    get=_schema(
        "job_versions_list",
        parameters=[versions.ObjectVersionListApi.FilterSerializer, *shared.PAGE_PARAMETERS],
        responses=page_of(VersionSerializer, "VersionPage"),
    )
)
class JobVersionListApi(versions.ObjectVersionListApi):
    ops = JOB_OPS


@extend_schema_view(get=_schema("job_version_get"))
class JobVersionDetailApi(versions.ObjectVersionDetailApi):
    ops = JOB_OPS


@extend_schema_view(post=_schema("job_rollback", responses=JobSerializer))
class JobRollbackApi(versions.ObjectRollbackApi):
    ops = JOB_OPS
