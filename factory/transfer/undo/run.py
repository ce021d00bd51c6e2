"""Undo, in the background (``import_undo``): the walk (``walk``) with its writes, in one transaction, the
undo's report written as it goes (a subtask per object, a thousand at a time), its progress published
for the console meanwhile (the transaction hides the rows until it commits).

The task is a ``SystemTask`` of kind ``undo`` (``undoes``: the task it undoes; ``params.force``) with the one life cycle of ``factory.transfer.lifecycle``: claimed under ``select_for_update``
first, so that a message delivered twice does its work once. A failure of any object rolls everything
back; the report, written then in its own transaction, names every failure and why.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from factory.errors import DomainError, ErrorCode
from factory.transfer import lifecycle
from factory.transfer.models import SubTask, SystemTask, TaskKind, TaskStatus, TaskStep
from factory.transfer.progress import ProgressPublisher, task_progress_clear
from factory.transfer.undo.decide import Context
from factory.transfer.undo.record import directories_record, directory_mark
from factory.transfer.undo.walk import FAILED, KEPT, OUTCOMES, REVERSED, Row, Walk
from factory.transfer.undo.write import Writer

logger = logging.getLogger(__name__)
SUBTASK_BATCH = 1000


def target_what(target: SystemTask) -> str:
    return "the import" if target.kind == TaskKind.IMPORT else "the undo"


class RolledBack(Exception):
    """Raised in the undo's transaction to roll it back; carries the rows that failed."""

    def __init__(self, rows: list[Row], summary: dict[str, int]) -> None:
        super().__init__("undo rolled back")
        self.rows, self.summary = rows, summary


class _Report:
    """The undo's subtasks, written as rows come (in the transaction), and its counts."""

    def __init__(self, task: SystemTask, publisher: ProgressPublisher) -> None:
        self.task, self.publisher = task, publisher
        self.pending: list[Row] = []
        self.failed: list[Row] = []
        self.written = 0
        self.summary = dict.fromkeys(OUTCOMES, 0)

    def __call__(self, rows: list[Row]) -> None:
        for row in rows:
            self.summary[row.outcome] += 1
            self.publisher.object_done(type=row.type, name=row.name, outcome=row.outcome, message=row.message)
            if row.outcome == FAILED:
                self.failed.append(row)
        self.pending += rows
        if len(self.pending) >= SUBTASK_BATCH:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            subtasks_write(self.task, self.pending, first=self.written + 1)
            self.written += len(self.pending)
            self.pending = []


def subtasks_write(task: SystemTask, rows: list[Row], *, first: int = 1) -> None:
    now = timezone.now()
    SubTask.objects.bulk_create(
        [
            SubTask(
                task=task,
                order=order,
                object_type=row.type,
                object_name=row.name[:128],
                name=f"Undo the {row.type.replace('_', ' ')} {row.name}."[:512],
                status=TaskStatus.FAILED if row.outcome == FAILED else TaskStatus.SUCCESSFUL,
                outcome=row.outcome,
                message=row.message,
                detail={"action": row.action, **row.detail},
                started_at=task.started_at,
                ended_at=now,
            )
            for order, row in enumerate(rows, start=first)
        ],
        batch_size=SUBTASK_BATCH,
    )


def report_head(
    *, target: SystemTask, force: bool, rolled_back: bool, summary: dict[str, int]
) -> dict[str, Any]:
    return {"undoes": target.public_id, "force": force, "rolledBack": rolled_back, "summary": summary}


def report_message(head: dict[str, Any], *, what: str, failed: list[Row] = ()) -> str:  # type: ignore[assignment]
    summary = head["summary"]
    if head["rolledBack"]:
        reasons = "; ".join(row.message for row in failed[:5])
        return f"Nothing was undone: {summary[FAILED]} object(s) could not be undone ({reasons})."
    kept = f"; {summary[KEPT]} kept" if summary[KEPT] else ""
    return f"Undid {what}: {summary[REVERSED]} object(s) reversed{kept}."


def _error(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, DomainError):
        return exc.message, exc.code
    if isinstance(exc, SoftTimeLimitExceeded):
        return (
            f"The undo took longer than {settings.CELERY_TASK_SOFT_TIME_LIMIT} seconds and was stopped; "
            "nothing was undone.",
            ErrorCode.TIME_LIMIT,
        )
    return (
        f"The undo failed unexpectedly ({type(exc).__name__}); nothing was undone. See the worker log.",
        ErrorCode.INTERNAL_ERROR,
    )


def _locked(task_id: int) -> SystemTask | None:
    return lifecycle.task_locked(task_id, kind=TaskKind.UNDO)


def _run(row: SystemTask, publisher: ProgressPublisher) -> None:
    """The walk with its writes, inside the caller's transaction; RolledBack on a failure."""
    target = (
        SystemTask.objects.select_for_update(of=("self",))
        .select_related("created_by")
        .get(pk=cast(int, row.undoes_id))
    )
    user = row.created_by
    if user is None:
        raise DomainError(
            "The user who asked for this undo no longer exists; nothing was undone.",
            code=ErrorCode.USER_DELETED,
        )
    force = bool(row.params.get("force"))
    SubTask.objects.filter(task=row).delete()
    what = target_what(target)
    publisher.stage(f"Undoing {what} {target.public_id}...", total=target.undo_records.count())
    report = _Report(row, publisher)
    mark = directory_mark(row.workspace)
    context = Context(target=target, workspace=row.workspace, user=user, force=force, lock=True, full=True)
    writer = Writer(task=row, target=target, workspace=row.workspace, user=user)
    Walk(context=context, writer=writer, report=report, what=what).run()
    if report.failed:
        raise RolledBack(report.failed, report.summary)
    report.flush()
    directories_record(row, workspace=row.workspace, mark=mark)
    head = report_head(target=target, force=force, rolled_back=False, summary=report.summary)
    lifecycle.task_finish_locked(
        row, status=TaskStatus.SUCCESSFUL, message=report_message(head, what=what), result={"report": head}
    )


def import_undo(*, task_id: int) -> None:
    """Undo the task the undo's row names; runs once however often it is delivered (see the module)."""
    task = lifecycle.task_claim(task_id=task_id, kind=TaskKind.UNDO, gave_up="the undo", step=TaskStep.UNDO)
    if task is None:
        return
    publisher = ProgressPublisher(public_id=task.public_id, step=TaskStep.UNDO)
    try:
        try:
            with transaction.atomic():
                row = _locked(task_id)
                if row is None or row.status != TaskStatus.RUNNING or row.step != TaskStep.UNDO:
                    return
                _run(row, publisher)
        except RolledBack as exc:
            with transaction.atomic():
                row = _locked(task_id)
                if row is None or row.status != TaskStatus.RUNNING:
                    return
                target = SystemTask.objects.get(pk=cast(int, row.undoes_id))
                SubTask.objects.filter(task=row).delete()
                subtasks_write(row, exc.rows)
                summary = {REVERSED: 0, KEPT: 0, FAILED: len(exc.rows)}
                head = report_head(
                    target=target, force=bool(row.params.get("force")), rolled_back=True, summary=summary
                )
                message = report_message(head, what=target_what(target), failed=exc.rows)
                lifecycle.task_finish_locked(
                    row, status=TaskStatus.FAILED, message=message, result={"report": head}
                )
    except Exception as exc:
        message, code = _error(exc)
        if code == ErrorCode.INTERNAL_ERROR:
            logger.exception("Undo %s failed.", task.public_id)
        lifecycle.task_fail(task_id=task_id, kind=TaskKind.UNDO, message=message, code=code)
    finally:
        task_progress_clear(public_id=task.public_id)
