"""Import, step 2 on the request side: the user's choices (``import_apply_request``) or Cancel, and the
report of a finished import."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from factory.errors import Conflict, PermissionDenied
from factory.transfer.imports.choices import import_secrets_pack
from factory.transfer.imports.common import (
    OVERWRITE,
    STEP_APPLY,
    STEP_INSPECTED,
    upload_delete,
)
from factory.transfer.imports.start import _apply_enqueue, _running_conflict, _running_import_refuse
from factory.transfer.imports.validate import import_choices_validate
from factory.transfer.models import SystemTask, TaskStatus


def _waiting(task: SystemTask, *, user: AbstractBaseUser) -> None:
    if task.created_by_id != user.pk:
        raise PermissionDenied(
            "Only the user who started this import can continue it.", code="not_import_owner"
        )
    if task.status != TaskStatus.WAITING or task.step != STEP_INSPECTED:
        raise Conflict(
            f"Import {task.public_id} is not waiting for choices (it is {task.status.lower()}, step {task.step}).",
            code="import_not_waiting",
        )


def import_apply_request(
    *, task: SystemTask, user: AbstractBaseUser, choices: dict[str, Any], enqueue: bool = True
) -> SystemTask:
    """Step 2: check the user's choices against the inspection and queue the apply.

    Refused with 400 naming every missing reference without a replacement (and every other bad choice),
    with 409 when another import of the workspace is running. Secrets typed in for connections to create
    are stored only encrypted in the task row, which the apply clears.
    """
    _waiting(task, user=user)
    inspection = (task.result or {}).get("inspection") or {}
    parsed, secrets = import_choices_validate(
        workspace=task.workspace,
        inspection=inspection,
        data=choices,
        default_policy=task.params.get("policy") or OVERWRITE,
    )
    try:
        with transaction.atomic():
            _running_import_refuse(workspace=task.workspace, exclude_pk=task.pk)
            row = SystemTask.objects.select_for_update().get(pk=task.pk)
            _waiting(row, user=user)
            waiting_message = row.message
            row.params = {**row.params, "choices": parsed.to_params()}
            # Parameter values too: params.choices names the parameters, the values stay encrypted.
            row.secrets_encrypted = import_secrets_pack(
                connections=secrets, public_params=parsed.public_params, job_params=parsed.job_params
            )
            row.status = TaskStatus.PENDING
            row.step = STEP_APPLY
            row.attempts = 0
            row.message = "Importing..."
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
            if enqueue:
                transaction.on_commit(partial(_apply_enqueue, row.pk, waiting_message))
    except IntegrityError as exc:
        raise _running_conflict(workspace=task.workspace, running=None) from exc
    return row


def import_cancel(*, task: SystemTask, user: AbstractBaseUser) -> SystemTask:
    """Cancel an import waiting for its choices (the wizard's Cancel): it fails as cancelled and its
    upload is deleted."""
    with transaction.atomic():
        row = SystemTask.objects.select_for_update().get(pk=task.pk)
        _waiting(row, user=user)
        row.status = TaskStatus.FAILED
        row.message = "Cancelled; nothing was imported."
        row.ended_at = timezone.now()
        row.secrets_encrypted = ""
        row.save(update_fields=["status", "message", "ended_at", "secrets_encrypted", "updated_at"])
        source = row.params.get("source") or {}
        transaction.on_commit(lambda: upload_delete(source=source))
    return row


def import_report_get(*, task: SystemTask) -> dict[str, Any]:
    """The downloadable report: the task's outcome and every object's, as JSON-ready data."""
    report = (task.result or {}).get("report")
    if report is None:
        raise Conflict(
            f"Import {task.public_id} has no report yet (it is {task.status.lower()}).", code="no_report"
        )
    return {
        "task": task.public_id,
        "name": task.name,
        "workspace": task.workspace.name,
        "status": task.status,
        "message": task.message,
        "startedAt": task.started_at.isoformat() if task.started_at else None,
        "endedAt": task.ended_at.isoformat() if task.ended_at else None,
        **report,
    }
