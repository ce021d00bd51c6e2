"""Writes of jobs: create, save, submit, rename, move, copy, delete, schedule, roll back, import.

Every write of a job's document keeps its secrets apart (``factory.development.secrets``): the values of
sensitive node properties and masked parameters are emptied in ``Job.document`` (so in every version,
answer and export) and kept only in ``Job.secrets_encrypted``. An empty value keeps the stored secret.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, cast

from django.contrib.auth.models import User
from django.db import transaction

from factory.development.models import Category, Job, JobVersion, ScheduleStatus
from factory.development.secrets import job_secrets_split
from factory.development.selectors.selection import ObjectSelection
from factory.development.services import objects
from factory.development.services.directories import directory_get_by_path, documents_directory_sync
from factory.development.services.locks import lock_require_acquirable
from factory.development.services.objects_import import (
    Checked,
    Imported,
    ImportEntry,
    objects_import_check,
    objects_import_save,
)
from factory.development.validation import job_validate
from factory.errors import Conflict, DomainError, ErrorCode, NotFound
from factory.workspaces.models import Workspace


def _columns(doc: dict) -> dict[str, Any]:
    nodes = doc.get("nodes")
    return {
        "process_type": doc.get("processType") or "BATCH",
        "node_count": len(nodes) if isinstance(nodes, list) else 0,
    }


def _owner_of(doc: dict) -> str:
    basic = doc.get("basicConfig")
    owner = basic.get("owner") if isinstance(basic, dict) else None
    return owner.strip() if isinstance(owner, str) else ""


JOB = objects.Kind(
    model=Job,
    category=Category.JOB,
    validate=job_validate,
    columns=_columns,
    owner_of=_owner_of,
    secrets_split=job_secrets_split,
)


def job_create(*, workspace: Workspace, user: User, document: dict) -> Job:
    """Create a job from its definition, locked to ``user``.

    ``document["directory"]`` is created when missing (as DataArts does); the owner is
    ``basicConfig.owner`` or the creator.
    """
    return objects.object_create(JOB, workspace=workspace, user=user, document=document)


def job_save(
    *,
    job: Job,
    user: User,
    document: dict,
    if_match: int | None = None,
    new_version: bool = False,
) -> Job:
    """Save the development state. Needs the lock; ``if_match`` is the revision the editor started from.

    The name and directory stay (rename and move change them). A saved version is recorded unless the
    last one is younger than a minute; ``new_version`` forces one. Secret values: a non-empty one replaces
    the stored secret, an empty one keeps it, one whose node, parameter or flag is gone is dropped.
    """
    return objects.object_save(
        JOB, obj=job, user=user, document=document, if_match=if_match, new_version=new_version
    )


def job_submit(*, job: Job, user: User, description: str = "") -> JobVersion:
    """Submit the development state as a new version (the latest 100 are kept). Needs the lock."""
    # a job's versions are JobVersions (objects.py serves both kinds)
    return cast(JobVersion, objects.object_submit(JOB, obj=job, user=user, description=description))


def job_rename(*, job: Job, user: User, name: str) -> Job:
    return objects.object_rename(JOB, obj=job, user=user, name=name)


def job_move(*, job: Job, user: User, directory_path: str) -> Job:
    return objects.object_move(JOB, obj=job, user=user, directory_path=directory_path)


def job_copy(*, job: Job, user: User, new_name: str, directory_path: str | None = None) -> Job:
    """Copy and Save As: a new job with ``job``'s definition and secrets, in ``directory_path`` (default:
    the same)."""
    return objects.object_copy(JOB, obj=job, user=user, new_name=new_name, directory_path=directory_path)


def _deletable(*, job: Job, user: User) -> None:
    if job.schedule_status == ScheduleStatus.SCHEDULING:
        raise Conflict(
            f"Job {job.name} is scheduled; stop its scheduling first.", code=ErrorCode.JOB_SCHEDULING
        )
    lock_require_acquirable(obj=job, user=user, action="deleted")


@transaction.atomic
def job_delete(*, job: Job, user: User) -> None:
    """Delete a job and its versions; refused while it is scheduled or hard-locked by someone else."""
    (current,) = objects.objects_for_batch(JOB, workspace=job.workspace, ids=[job.pk])
    _deletable(job=current, user=user)
    current.delete()


@transaction.atomic
def jobs_delete(
    *,
    workspace: Workspace,
    user: User,
    job_ids: Collection[int] = (),
    selection: ObjectSelection | None = None,
) -> int:
    """Delete several jobs, all or none: the first that cannot be deleted is named in the error."""
    jobs = objects.objects_for_batch(JOB, workspace=workspace, ids=job_ids, selection=selection)
    for job in jobs:
        try:
            _deletable(job=job, user=user)
        except Conflict as exc:
            raise type(exc)(f"{exc.message} Nothing was deleted.", code=exc.code) from exc
    objects.objects_rows_delete(JOB, pks=[job.pk for job in jobs])
    return len(jobs)


@transaction.atomic
def jobs_move(
    *,
    workspace: Workspace,
    user: User,
    directory_path: str,
    job_ids: Collection[int] = (),
    selection: ObjectSelection | None = None,
) -> int:
    """Move several jobs into one existing directory, all or none."""
    directory = directory_get_by_path(workspace=workspace, category=Category.JOB, path=directory_path)
    jobs = objects.objects_for_batch(JOB, workspace=workspace, ids=job_ids, selection=selection)
    for job in jobs:
        try:
            lock_require_acquirable(obj=job, user=user, action="moved")
        except Conflict as exc:
            raise type(exc)(f"{exc.message} Nothing was moved.", code=exc.code) from exc
    moved = Job.objects.filter(pk__in=[job.pk for job in jobs])
    moved.update(directory=directory)
    documents_directory_sync(moved)
    return len(jobs)


def job_schedule_start(*, job: Job, user: User) -> Job:
    """Start scheduling the latest submitted version. Not gated by the lock."""
    if job.submitted_revision is None:
        raise Conflict(
            f"Job {job.name} has no submitted version; submit it before scheduling.",
            code=ErrorCode.NOT_SUBMITTED,
        )
    Job.objects.filter(pk=job.pk).update(schedule_status=ScheduleStatus.SCHEDULING)
    job.schedule_status = ScheduleStatus.SCHEDULING
    return job


def job_schedule_stop(*, job: Job, user: User) -> Job:
    Job.objects.filter(pk=job.pk).update(schedule_status=ScheduleStatus.STOPPED)
    job.schedule_status = ScheduleStatus.STOPPED
    return job


def job_rollback(*, job: Job, user: User, version: JobVersion) -> Job:
    """Restore ``version``'s definition into the development state, as a save (needs the lock).

    Versions hold no secret values: the job's current secrets are kept for the keys the version has."""
    if version.job_id != job.pk:
        raise NotFound(
            f"Version {version.pk} of job {job.name} does not exist.", code=ErrorCode.VERSION_NOT_FOUND
        )
    return objects.object_save(
        JOB, obj=job, user=user, document=version.document, if_match=None, new_version=True
    )


def jobs_import_check(
    *, workspace: Workspace, user: User, entries: Sequence[ImportEntry[Job]]
) -> list[Checked[Job] | DomainError]:
    """Validate many jobs of an import before any is written: per entry a ``Checked`` row or its error
    (see ``objects_import``)."""
    return objects_import_check(JOB, workspace=workspace, user=user, entries=entries)


def jobs_import_save(
    *,
    workspace: Workspace,
    user: User,
    rows: Sequence[Checked[Job]],
    version_description: str,
    submit: bool = True,
) -> list[Imported[Job]]:
    """Write checked jobs of an import in bulk: each created, or its development state overwritten, with
    its directory created when missing, ``user``'s lock (the caller checked ``lock_can_acquire``) and a
    submitted version (a saved one when ``submit`` is False). A package's secret values are empty (exports
    redact them), so an overwrite keeps the job's stored secrets; values given (masked parameters typed in
    at the import) become secrets."""
    return objects_import_save(
        JOB,
        workspace=workspace,
        user=user,
        rows=rows,
        version_description=version_description,
        submit=submit,
    )
