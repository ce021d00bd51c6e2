"""Reads of directories, jobs, scripts and their versions, always scoped to one workspace."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import F, Q, QuerySet

from factory.development.models import Directory, Job, JobVersion, ScheduleStatus, Script, ScriptVersion
from factory.errors import ErrorCode, NotFound
from factory.workspaces.models import Workspace

_DETAIL_RELATED = ("workspace", "directory", "lock_holder", "updated_by")


def directory_get(*, workspace: Workspace, directory_id: int, category: str | None = None) -> Directory:
    directories = Directory.objects.filter(workspace=workspace, pk=directory_id)
    if category is not None:
        directories = directories.filter(category=category)
    directory = directories.first()
    if directory is None:
        raise NotFound(f"Directory {directory_id} does not exist.", code=ErrorCode.DIRECTORY_NOT_FOUND)
    return directory


def _get(model: type[Job | Script], *, workspace: Workspace, pk: int | None, name: str | None):
    if pk is None and name is None:
        raise ValueError("give the id or the name")
    lookup = {"pk": pk} if pk is not None else {"name": name}
    obj = model.objects.select_related(*_DETAIL_RELATED).filter(workspace=workspace, **lookup).first()
    if obj is None:
        label = model.__name__
        raise NotFound(f"{label} {pk if pk is not None else name} does not exist.", code=model.not_found_code)
    return obj


def _filtered(
    queryset: QuerySet,
    *,
    search: str | None,
    directory_id: int | None,
    owner: str | None,
    submitted: bool | None,
    locked_by: User | None,
) -> QuerySet:
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(owner__icontains=search))
    if directory_id is not None:
        queryset = queryset.filter(directory_id=directory_id)
    if owner:
        queryset = queryset.filter(owner=owner)
    if submitted is True:
        queryset = queryset.filter(submitted_revision=F("revision"))
    elif submitted is False:
        queryset = queryset.filter(Q(submitted_revision__isnull=True) | ~Q(submitted_revision=F("revision")))
    if locked_by is not None:
        queryset = queryset.filter(lock_holder=locked_by)
    return (
        queryset.select_related("directory", "lock_holder", "updated_by").defer("document").order_by("name")
    )


def job_get(*, workspace: Workspace, job_id: int | None = None, name: str | None = None) -> Job:
    """The job by id or name; NotFound "Job X does not exist." for jobs of other workspaces too."""
    return _get(Job, workspace=workspace, pk=job_id, name=name)


def jobs_list(
    *,
    workspace: Workspace,
    search: str | None = None,
    directory_id: int | None = None,
    owner: str | None = None,
    submitted: bool | None = None,
    scheduled: bool | None = None,
    locked_by: User | None = None,
) -> QuerySet[Job]:
    """Jobs by name, without their documents or secrets; ``search`` matches name or owner,
    case-insensitively."""
    jobs = _filtered(
        Job.objects.filter(workspace=workspace).defer("secrets_encrypted"),
        search=search,
        directory_id=directory_id,
        owner=owner,
        submitted=submitted,
        locked_by=locked_by,
    )
    if scheduled is not None:
        status = Q(schedule_status=ScheduleStatus.SCHEDULING)
        jobs = jobs.filter(status if scheduled else ~status)
    return jobs


def job_versions_list(*, job: Job, kind: str | None = None) -> QuerySet[JobVersion]:
    """The job's versions, newest first, without their documents."""
    versions = JobVersion.objects.filter(job=job).select_related("created_by").defer("document")
    return versions.filter(kind=kind) if kind else versions


def job_version_get(*, job: Job, version_id: int) -> JobVersion:
    version = JobVersion.objects.select_related("created_by").filter(job=job, pk=version_id).first()
    if version is None:
        raise NotFound(
            f"Version {version_id} of job {job.name} does not exist.", code=ErrorCode.VERSION_NOT_FOUND
        )
    return version


def script_get(*, workspace: Workspace, script_id: int | None = None, name: str | None = None) -> Script:
    return _get(Script, workspace=workspace, pk=script_id, name=name)


def scripts_list(
    *,
    workspace: Workspace,
    search: str | None = None,
    directory_id: int | None = None,
    owner: str | None = None,
    submitted: bool | None = None,
    locked_by: User | None = None,
    type: str | None = None,
) -> QuerySet[Script]:
    scripts = _filtered(
        Script.objects.filter(workspace=workspace),
        search=search,
        directory_id=directory_id,
        owner=owner,
        submitted=submitted,
        locked_by=locked_by,
    )
    return scripts.filter(type=type) if type else scripts


def script_versions_list(*, script: Script, kind: str | None = None) -> QuerySet[ScriptVersion]:
    versions = ScriptVersion.objects.filter(script=script).select_related("created_by").defer("document")
    return versions.filter(kind=kind) if kind else versions


def script_version_get(*, script: Script, version_id: int) -> ScriptVersion:
    version = ScriptVersion.objects.select_related("created_by").filter(script=script, pk=version_id).first()
    if version is None:
        raise NotFound(
            f"Version {version_id} of script {script.name} does not exist.", code=ErrorCode.VERSION_NOT_FOUND
        )
    return version
