"""Job views: each declares one shared operation (``objects.py``, ``batches.py``, ``versions.py``) for jobs,
calling the job service or selector by name."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from factory.api.development import batches, versions
from factory.api.development import objects as shared
from factory.api.development.serializers import JobSerializer, JobSummarySerializer, VersionSerializer
from factory.api.pagination import PAGE_PARAMETERS, paginated
from factory.development import selectors, services
from factory.development.models import Category, Job, JobVersion
from factory.development.selectors.selection import ObjectSelection


def _schema(operation_id: str, **kwargs: Any) -> Any:
    return extend_schema(operation_id=operation_id, tags=["jobs"], **kwargs)


class JobApi(shared.ObjectApi):
    # An operation on the jobs of the URL's workspace, or on the URL's job (a comment: see ObjectApi).

    model = Job
    detail_serializer = JobSerializer
    summary_serializer = JobSummarySerializer

    def get_object(self) -> Job:
        return selectors.job_get(workspace=self.workspace, job_id=self.kwargs["job_id"])

    def get_version(self, job: Job) -> JobVersion:
        return selectors.job_version_get(job=job, version_id=self.kwargs["version_id"])


class JobFilterSerializer(shared.ObjectListApi.FilterSerializer):
    scheduled = serializers.BooleanField(required=False, allow_null=True, default=None)


@extend_schema_view(
    get=_schema(
        "jobs_list",
        parameters=[JobFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated(JobSummarySerializer, "JobPage"),
    )
)
class JobListApi(JobApi, shared.ObjectListApi):
    FilterSerializer = JobFilterSerializer

    def list_objects(self, data: dict[str, Any]) -> QuerySet[Job]:
        filters = self.filters(data)
        return selectors.jobs_list(workspace=self.workspace, **filters, scheduled=data.get("scheduled"))


@extend_schema_view(post=_schema("job_create", responses={201: JobSerializer}))
class JobCreateApi(JobApi, shared.ObjectCreateApi):
    def create(self, *, document: dict) -> Job:
        return services.job_create(workspace=self.workspace, user=self.user, document=document)


@extend_schema_view(get=_schema("job_get", responses=JobSerializer))
class JobDetailApi(JobApi, shared.ObjectDetailApi):
    pass


@extend_schema_view(put=_schema("job_save", responses=JobSerializer))
class JobSaveApi(JobApi, shared.ObjectSaveApi):
    def save(self, job: Job, *, document: dict, if_match: int | None, new_version: bool) -> Job:
        return services.job_save(
            job=job, user=self.user, document=document, if_match=if_match, new_version=new_version
        )


@extend_schema_view(delete=_schema("job_delete", responses={204: None}))
class JobDeleteApi(JobApi, shared.ObjectDeleteApi):
    def destroy(self, job: Job) -> None:
        services.job_delete(job=job, user=self.user)


@extend_schema_view(post=_schema("job_submit", responses={201: VersionSerializer}))
class JobSubmitApi(JobApi, shared.ObjectSubmitApi):
    def submit(self, job: Job, *, description: str) -> JobVersion:
        return services.job_submit(job=job, user=self.user, description=description)


@extend_schema_view(post=_schema("job_rename", responses=JobSerializer))
class JobRenameApi(JobApi, shared.ObjectRenameApi):
    def rename(self, job: Job, *, name: str) -> Job:
        return services.job_rename(job=job, user=self.user, name=name)


@extend_schema_view(post=_schema("job_move", responses=JobSerializer))
class JobMoveApi(JobApi, shared.ObjectMoveApi):
    def move(self, job: Job, *, directory_path: str) -> Job:
        return services.job_move(job=job, user=self.user, directory_path=directory_path)


@extend_schema_view(post=_schema("job_copy", responses={201: JobSerializer}))
class JobCopyApi(JobApi, shared.ObjectCopyApi):
    def copy(self, job: Job, *, new_name: str, directory_path: str | None) -> Job:
        return services.job_copy(job=job, user=self.user, new_name=new_name, directory_path=directory_path)


@extend_schema_view(post=_schema("job_lock", responses=JobSerializer))
class JobLockApi(JobApi, shared.ObjectLockApi):
    def lock(self, job: Job) -> Job:
        return services.job_lock(job=job, user=self.user)


@extend_schema_view(post=_schema("job_unlock", responses=JobSerializer))
class JobUnlockApi(JobApi, shared.ObjectUnlockApi):
    def unlock(self, job: Job) -> Job:
        return services.job_unlock(job=job, user=self.user)


@extend_schema_view(post=_schema("jobs_unlock"))
class JobBatchUnlockApi(JobApi, batches.ObjectBatchUnlockApi):
    def unlock_selection(self, selection: ObjectSelection) -> services.BatchUnlockResult:
        return services.jobs_unlock(workspace=self.workspace, user=self.user, selection=selection)


@extend_schema_view(post=_schema("jobs_selection_count"))
class JobSelectionCountApi(JobApi, batches.ObjectSelectionCountApi):
    pass


@extend_schema_view(post=_schema("jobs_delete"))
class JobBatchDeleteApi(JobApi, batches.ObjectBatchDeleteApi):
    def delete_selection(self, selection: ObjectSelection) -> int:
        return services.jobs_delete(workspace=self.workspace, user=self.user, selection=selection)


@extend_schema_view(post=_schema("jobs_move"))
class JobBatchMoveApi(JobApi, batches.ObjectBatchMoveApi):
    def move_selection(self, selection: ObjectSelection, *, directory_path: str) -> int:
        return services.jobs_move(
            workspace=self.workspace, user=self.user, directory_path=directory_path, selection=selection
        )


@extend_schema_view(post=_schema("jobs_owner_set"))
class JobBatchOwnerApi(JobApi, batches.ObjectBatchOwnerApi):
    def set_owner(
        self, selection: ObjectSelection, *, owner: str, current_owner: str | None
    ) -> services.OwnerChangeResult:
        return services.objects_owner_set(
            workspace=self.workspace,
            user=self.user,
            category=Category.JOB,
            owner=owner,
            current_owner=current_owner,
            selection=selection,
        )


class JobScheduleStartApi(JobApi):
    @_schema("job_schedule_start", request=None, responses=JobSerializer)
    def post(self, request: Request, **kwargs: Any) -> Response:
        return self.respond(services.job_schedule_start(job=self.get_object(), user=self.user))


class JobScheduleStopApi(JobApi):
    @_schema("job_schedule_stop", request=None, responses=JobSerializer)
    def post(self, request: Request, **kwargs: Any) -> Response:
        return self.respond(services.job_schedule_stop(job=self.get_object(), user=self.user))


@extend_schema_view(
    get=_schema(
        "job_versions_list",
        parameters=[versions.ObjectVersionListApi.FilterSerializer, *PAGE_PARAMETERS],
        responses=paginated(VersionSerializer, "VersionPage"),
    )
)
class JobVersionListApi(JobApi, versions.ObjectVersionListApi):
    def list_versions(self, job: Job, *, kind: str | None) -> QuerySet[JobVersion]:
        return selectors.job_versions_list(job=job, kind=kind)


@extend_schema_view(get=_schema("job_version_get"))
class JobVersionDetailApi(JobApi, versions.ObjectVersionDetailApi):
    pass


@extend_schema_view(post=_schema("job_rollback", responses=JobSerializer))
class JobRollbackApi(JobApi, versions.ObjectRollbackApi):
    def rollback(self, job: Job, *, version: JobVersion) -> Job:
        return services.job_rollback(job=job, user=self.user, version=version)
