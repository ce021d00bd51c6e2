"""Import, step 2 on the request side: the user's choices (``import_apply_request``) or Cancel, and the
report of a finished import."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from factory.errors import Conflict, ErrorCode
from factory.transfer.imports.choices import ImportChoices, import_secrets_unpack
from factory.transfer.imports.choose import import_choices_record, waiting_check
from factory.transfer.imports.common import (
    upload_delete,
)
from factory.transfer.imports.report import import_report
from factory.transfer.imports.start import _apply_enqueue, _preview_enqueue
from factory.transfer.models import SystemTask, TaskStatus


def import_apply_request(
    *, task: SystemTask, user: User, choices: ImportChoices, enqueue: bool = True
) -> SystemTask:
    """Step 2: check the user's choices against the inspection (``import_choices_record``) and queue the
    apply once they are recorded (``enqueue=False``: the caller runs it)."""
    row, waiting_message = import_choices_record(task=task, user=user, choices=choices)
    if enqueue:  # the choices are committed (or the caller's transaction commits them first)
        transaction.on_commit(partial(_apply_enqueue, row.pk, waiting_message))
    return row


def import_preview_request(
    *, task: SystemTask, user: User, choices: ImportChoices, enqueue: bool = True
) -> SystemTask:
    """What the choices would change: checked as for the apply, then the ``import_preview`` task
    classifies every object (new, changed, unchanged) and the import waits again, for the apply."""
    row, waiting_message = import_choices_record(task=task, user=user, choices=choices, preview=True)
    if enqueue:
        transaction.on_commit(partial(_preview_enqueue, row.pk, waiting_message))
    return row


def import_choices_recorded(*, task: SystemTask) -> ImportChoices:
    """The choices the task's preview recorded, their values (parameters, variables, the secrets of the
    connections to create) back in: what a change-set was made with, to apply as it was shown."""
    values = import_secrets_unpack(ciphertext=task.secrets_encrypted)
    recorded = task.params.get("choices") or {"publicParams": [], "jobParams": {}}
    return replace(ImportChoices.from_params(recorded, values=values), connection_secrets=values.connections)


def import_cancel(*, task: SystemTask, user: User) -> SystemTask:
    """Cancel an import waiting for its choices (the wizard's Cancel): it fails as cancelled and its
    upload is deleted."""
    with transaction.atomic():
        row = SystemTask.objects.select_for_update().get(pk=task.pk)
        waiting_check(row, user=user)
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
    report = import_report(task)
    if report is None:
        raise Conflict(
            f"Import {task.public_id} has no report yet (it is {task.status.lower()}).",
            code=ErrorCode.NO_REPORT,
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
