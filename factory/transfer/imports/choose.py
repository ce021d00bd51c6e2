"""Import, step 2 on the worker's side of the line: the user's choices checked against the inspection and
recorded in the task row (``import_choices_record``), without queueing anything, so that a request
(``import_apply_request``) and a chained task (``import_apply_stored``) share it; and the rule of one
running import per workspace."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from factory.errors import Conflict, ErrorCode, PermissionDenied
from factory.transfer.imports.choices import ImportChoices, import_secrets_pack
from factory.transfer.imports.common import (
    ACTIVE_STATUSES,
    OVERWRITE,
    STEP_APPLY,
    STEP_INSPECTED,
    STEP_PREVIEW,
    STEP_PREVIEWED,
    stale_imports_fail,
)
from factory.transfer.imports.validate import import_choices_validate
from factory.transfer.models import SystemTask, TaskKind, TaskStatus
from factory.workspaces.models import Workspace


def running_import_refuse(*, workspace: Workspace, exclude_pk: int | None = None) -> None:
    """Inside a transaction: lock the workspace row (so that two requests check one after the other),
    fail imports whose worker is gone, and refuse when another import is PENDING or RUNNING."""
    Workspace.objects.select_for_update().filter(pk=workspace.pk).values_list("pk", flat=True).first()
    stale_imports_fail(workspace_id=workspace.pk)
    others = SystemTask.objects.filter(workspace=workspace, kind=TaskKind.IMPORT, status__in=ACTIVE_STATUSES)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    running = others.select_related("created_by").first()
    if running is not None:
        raise running_conflict(workspace=workspace, running=running)


def running_conflict(*, workspace: Workspace, running: SystemTask | None) -> Conflict:
    if running is None:
        return Conflict(
            f"Another import is running in workspace {workspace.name}; only one import runs at a time per "
            "workspace. Wait for it to finish, then try again.",
            code=ErrorCode.IMPORT_RUNNING,
        )
    by = f" by {running.created_by.get_username()}" if running.created_by else ""
    return Conflict(
        f"Import {running.public_id} ({running.name}), started{by}, is still running in workspace "
        f"{workspace.name}; only one import runs at a time per workspace. Wait for it to finish, then try again.",
        code=ErrorCode.IMPORT_RUNNING,
        fields={"runningTask": running.public_id},
    )


def waiting_check(task: SystemTask, *, user: User) -> None:
    if task.created_by_id != user.pk:
        raise PermissionDenied(
            "Only the user who started this import can continue it.", code=ErrorCode.NOT_IMPORT_OWNER
        )
    if task.status != TaskStatus.WAITING or task.step not in (STEP_INSPECTED, STEP_PREVIEWED):
        raise Conflict(
            f"Import {task.public_id} is not waiting for choices (it is {task.status.lower()}, step {task.step}).",
            code=ErrorCode.IMPORT_NOT_WAITING,
        )


def import_choices_record(
    *, task: SystemTask, user: User, choices: ImportChoices, preview: bool = False
) -> tuple[SystemTask, str]:
    """Check the user's choices against the inspection and record them: the task is PENDING for its apply
    step. Returns the row and the message it had while waiting (to go back to if the apply cannot be
    queued).

    Refused with 400 naming every missing reference without a replacement (and every other bad choice),
    with 409 when another import of the workspace is running. Secrets typed in for connections to create
    are stored only encrypted in the task row, which the apply clears. With ``preview`` the task is
    PENDING for its preview step instead (which keeps them for the apply).
    """
    waiting_check(task, user=user)
    inspection = (task.result or {}).get("inspection") or {}
    parsed, secrets = import_choices_validate(
        workspace=task.workspace,
        inspection=inspection,
        choices=choices,
        default_policy=task.params.get("policy") or OVERWRITE,
    )
    try:
        with transaction.atomic():
            running_import_refuse(workspace=task.workspace, exclude_pk=task.pk)
            # Without the result (the inspection: megabytes for a large package), which is not written here.
            row = SystemTask.objects.select_for_update().defer("result").get(pk=task.pk)
            waiting_check(row, user=user)
            waiting_message = row.message
            row.params = {**row.params, "choices": parsed.to_params()}
            # Parameter values too: params.choices names the parameters, the values stay encrypted.
            row.secrets_encrypted = import_secrets_pack(
                connections=secrets,
                public_params=parsed.public_params,
                job_params=parsed.job_params,
                variables=parsed.variables,
            )
            row.status = TaskStatus.PENDING
            row.step = STEP_PREVIEW if preview else STEP_APPLY
            row.attempts = 0
            row.message = "Previewing the changes..." if preview else "Importing..."
            row.save(
                update_fields=[
                    "params",
                    "secrets_encrypted",
                    "status",
                    "step",
                    "attempts",
                    "message",
                    "updated_at",
                ]
            )
    except IntegrityError as exc:
        raise running_conflict(workspace=task.workspace, running=None) from exc
    return row, waiting_message
