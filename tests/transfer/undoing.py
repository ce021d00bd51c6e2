"""What the undo tests share: an undo run in-process as the worker runs it, and the state of the objects
an undo must give back (documents, secrets, locks, schedules, submitted state), compared whole."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from factory.development.models import Job, JobVersion, Resource, Script, ScriptVersion, VersionKind
from factory.transfer.models import SystemTask
from factory.transfer.undo import import_undo, import_undo_create, import_undo_preview, undo_target_get
from factory.workspaces.models import Workspace

LOCKED_COLUMNS = (
    "name",
    "document",
    "owner",
    "lock_holder_id",
    "locked_at",
    "created_by_id",
)
JOB_COLUMNS = (
    *LOCKED_COLUMNS,
    "process_type",
    "node_count",
    "schedule_status",
    "secrets_encrypted",
    "secret_fields",
)
SCRIPT_COLUMNS = (*LOCKED_COLUMNS, "type", "connection_name")


def target_of(task: SystemTask, user: AbstractBaseUser) -> SystemTask:
    return undo_target_get(workspace=task.workspace, user=user, public_id=task.public_id, is_admin=True)


def undo(task: SystemTask, user: AbstractBaseUser, *, force: bool = False) -> SystemTask:
    """The undo of ``task`` as the console asks for it, its Celery task run in-process."""
    row = import_undo_create(target=target_of(task, user), user=user, force=force, enqueue=False)
    import_undo(task_id=row.pk)
    row.refresh_from_db()
    return row


def preview(task: SystemTask, user: AbstractBaseUser, *, force: bool = False) -> dict[str, Any]:
    return import_undo_preview(target=target_of(task, user), user=user, force=force)


def _submitted(model: Any, fk: str, pk: int) -> Any:
    version = model.objects.filter(**{fk: pk}, kind=VersionKind.SUBMITTED).order_by("-number").first()
    return version.document if version else None


def _path(obj: Any) -> str:
    return obj.directory.path if obj.directory is not None else "/"


def state(workspace: Workspace) -> dict[tuple[str, str], dict[str, Any]]:
    """Every job, script and resource of ``workspace`` by (type, name): the columns an undo gives back,
    whether it is submitted, and its latest submitted document (what scheduling runs)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for job in Job.objects.filter(workspace=workspace).select_related("directory"):
        row = {c: getattr(job, c) for c in JOB_COLUMNS} | {"directory": _path(job)}
        row.update(
            pk=job.pk, submitted_revision=job.submitted_revision if not job.is_submitted else "current"
        )
        row.update(submitted=job.is_submitted, latest=_submitted(JobVersion, "job", job.pk))
        found[("job", job.name)] = row
    for script in Script.objects.filter(workspace=workspace).select_related("directory"):
        row = {c: getattr(script, c) for c in SCRIPT_COLUMNS} | {"directory": _path(script)}
        row.update(
            pk=script.pk, submitted=script.is_submitted, latest=_submitted(ScriptVersion, "script", script.pk)
        )
        found[("script", script.name)] = row
    for resource in Resource.objects.filter(workspace=workspace).select_related("directory"):
        found[("resource", resource.name)] = {
            c: getattr(resource, c) for c in ("pk", "document", "type", "location")
        } | {"directory": _path(resource)}
    return found


def without(
    found: dict[tuple[str, str], dict[str, Any]], *keys: str
) -> dict[tuple[str, str], dict[str, Any]]:
    return {k: {c: v for c, v in row.items() if c not in keys} for k, row in found.items()}
