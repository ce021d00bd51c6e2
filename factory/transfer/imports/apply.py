"""Import, step 3 in the background (``import_apply``): plan on the live workspace, write, and record the
report, in one transaction; see ``plan`` (every object's outcome) and ``write`` (the batches)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from factory.errors import ErrorCode
from factory.packages import Package
from factory.transfer import lifecycle
from factory.transfer.imports.choices import (
    ImportChoices,
    ImportSecrets,
    import_secrets_unpack,
)
from factory.transfer.imports.common import (
    CATEGORY_JOB,
    STEP_APPLY,
    error_detail,
    inspected_sha256,
    package_load,
    task_claim,
    task_fail,
    task_locked,
    task_user,
    upload_delete,
)
from factory.transfer.imports.index import index_references
from factory.transfer.imports.items import (
    CREATED,
    FAILED,
    OUTCOMES,
    OVERWRITTEN,
    RENAMED,
    SKIPPED,
    WRITTEN_DETAIL,
    Item,
    RolledBack,
)
from factory.transfer.imports.plan import plan_build
from factory.transfer.imports.report import report_head, report_row_detail, unresolved_of
from factory.transfer.imports.write import plan_execute, version_kind, versions_note
from factory.transfer.models import SubTask, SystemTask, TaskStatus
from factory.transfer.progress import ProgressPublisher, task_progress_clear
from factory.transfer.undo.record import UndoRecorder

logger = logging.getLogger(__name__)
# The inspection took the task to 50 %; the apply takes it from there to 100 % as objects are written.
APPLY_PROGRESS_START = 50

# --- the report and the task -------------------------------------------------------------------------


def report_build(
    items: list[Item], *, rolled_back: bool, choices: ImportChoices, file_name: str
) -> dict[str, Any]:
    """The whole report of ``items`` at once: what a rolled-back apply reports (its subtasks went with
    the transaction)."""
    rows = []
    for item in items:
        row = item.as_report()
        if rolled_back:  # what was written in the transaction is gone: no row, version or place
            for key in WRITTEN_DETAIL:
                row.pop(key, None)
        if rolled_back and item.outcome != FAILED:
            row.update(
                outcome=SKIPPED,
                plannedOutcome=item.outcome,
                rolledBack=True,
                message="Not imported: the import was rolled back because other objects failed.",
            )
        rows.append(row)
    head = report_head(
        file_name=file_name,
        rolled_back=rolled_back,
        continue_on_error=choices.continue_on_error,
        target_status=choices.target_status,
        summary={outcome: sum(1 for r in rows if r["outcome"] == outcome) for outcome in OUTCOMES},
        unresolved=unresolved_of(rows),
    )
    return {**head, "objects": rows, **{o: [r for r in rows if r["outcome"] == o] for o in OUTCOMES}}


def _report_message(report: dict[str, Any]) -> str:
    summary = report["summary"]
    if report["rolledBack"]:
        reasons = "; ".join(r["message"] for r in report[FAILED][:5])
        return (
            f"Nothing was imported: {summary[FAILED]} object(s) failed ({reasons}). Fix them, or import the "
            "others with continueOnError."
        )
    done = ", ".join(f"{summary[o]} {o}" for o in OUTCOMES if summary[o])
    return f"Import finished: {done or 'nothing to import'}."


SUBTASK_BATCH = 1000


def _subtasks(
    task: SystemTask, rows: list[dict[str, Any]], now: datetime, *, first: int = 1
) -> list[SubTask]:
    return [
        SubTask(
            task=task,
            order=order,
            object_type=row["type"],
            object_name=row["name"][:128],
            name=f"Import the {row['name']} {row['type'].replace('_', ' ')}."[:512],
            status=TaskStatus.FAILED if row["outcome"] == FAILED else TaskStatus.SUCCESSFUL,
            outcome=row["outcome"],
            message=row["message"],
            detail=report_row_detail(row),
            started_at=task.started_at,
            ended_at=now,
        )
        for order, row in enumerate(rows, start=first)
    ]


class _Recorder:
    """Each object's subtask, written as the apply finishes it, a thousand at a time (in the apply's
    transaction), with the summary counted meanwhile: neither the report nor the objects' package
    entries and rows stay in memory for the whole apply (see ``report``)."""

    def __init__(
        self, task: SystemTask, *, since: datetime, kind: str, before_flush: Callable[[], None] | None = None
    ) -> None:
        self.task, self.since, self.kind = task, since, kind
        # Called before the items' details are let go (``Item.recorded``): the undo's records read them.
        self.before_flush = before_flush
        self.pending: list[Item] = []
        self.written = 0
        self.summary = dict.fromkeys(OUTCOMES, 0)
        self.unresolved: list[dict[str, Any]] = []

    def __call__(self, item: Item) -> None:
        item.finished()  # its document and row are written: not needed again
        self.pending.append(item)
        if len(self.pending) >= SUBTASK_BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        versions_note(self.pending, since=self.since, kind=self.kind)
        if self.before_flush is not None:
            self.before_flush()
        rows = [item.as_report() for item in self.pending]
        for row in rows:
            self.summary[row["outcome"]] += 1
        self.unresolved += unresolved_of(rows)
        SubTask.objects.bulk_create(_subtasks(self.task, rows, timezone.now(), first=self.written + 1))
        for item in self.pending:
            item.recorded()
        self.written += len(rows)
        self.pending = []


def _task_finish(task: SystemTask, *, report: dict[str, Any], status: str, message: str) -> None:
    """Store a report built whole (a rolled-back apply's): its objects as subtasks, its head in the row."""
    now = timezone.now()
    SubTask.objects.filter(task=task).delete()
    rows = report["objects"]
    for start in range(0, len(rows), SUBTASK_BATCH):  # a batch of rows in memory at a time
        SubTask.objects.bulk_create(
            _subtasks(task, rows[start : start + SUBTASK_BATCH], now, first=start + 1)
        )
    head = {k: v for k, v in report.items() if k != "objects" and k not in OUTCOMES}
    lifecycle.task_finish_locked(task, status=status, message=message, result={"report": head})


def _secrets(task: SystemTask) -> ImportSecrets:
    return import_secrets_unpack(ciphertext=task.secrets_encrypted)


def import_apply(*, task_id: int) -> None:
    """Step 3 in the background: apply the choices in one transaction and record the report.

    Runs once however often it is delivered: the transaction starts by locking the task row and does
    nothing when the step is already done; a worker killed mid-apply leaves nothing (the transaction
    rolls back) and the redelivered message starts again from scratch.
    """
    # The inspection (``result``) stays unread until the report is stored beside it: for a large
    # package it is megabytes of JSON, and the apply needs only the digest of the package it inspected.
    task = task_claim(task_id=task_id, step=STEP_APPLY, with_result=False)
    if task is None:
        return
    source = task.params.get("source") or {}
    file_name = source.get("fileName") or "the package"
    # The transaction below hides its rows until the commit: the wizard follows this meanwhile.
    publisher = ProgressPublisher(
        public_id=task.public_id, step=STEP_APPLY, start=APPLY_PROGRESS_START, end=100
    )
    publisher.stage(f"Reading {file_name}...")
    package: Package | None = None
    try:
        sha256 = inspected_sha256(task_id)
        # What the inspection kept of this very package (package_load checks its sha256): the package is
        # opened again without reading a document (each is read once, when it is written), and the plan
        # takes the references from it. Without it (an older inspection), the package is read whole.
        kept = index_references(
            task_id=task_id, sha256=sha256, category=task.params.get("category") or CATEGORY_JOB
        )
        package, _, _ = package_load(
            source=source,
            workspace=task.workspace,
            expected_sha256=sha256,
            index=kept[0] if kept is not None else None,
        )
        references = kept[1] if kept is not None else None
        del kept
        choices = ImportChoices.from_params(task.params["choices"])
        rolled_back: RolledBack | None = None
        try:
            with transaction.atomic():
                row = task_locked(task_id, with_result=False)
                if row is None or row.step != STEP_APPLY or row.status != TaskStatus.RUNNING:
                    return
                user, workspace = task_user(row), row.workspace
                stored = _secrets(row)
                # The parameter values typed in are kept encrypted, apart from params.choices.
                choices = ImportChoices.from_params(row.params["choices"], values=stored)
                secrets = stored.connections
                publisher.stage("Checking the package's objects against the workspace...")
                plan = plan_build(
                    package=package,
                    category=row.params.get("category") or CATEGORY_JOB,
                    workspace=workspace,
                    user=user,
                    choices=choices,
                    uses=references.uses if references is not None else None,
                    edges=references.edges if references is not None else None,
                    light=True,  # the writes read the rest of each row they overwrite, batch by batch
                )
                del references
                SubTask.objects.filter(task=row).delete()
                # What every object was before, so that the import can be undone (factory.transfer.undo):
                # its records of a batch are written before the batch's subtasks let the items' details go.
                undo = UndoRecorder(row, workspace=workspace, verbatim=plan.verbatim)
                recorder = _Recorder(
                    row, since=timezone.now(), kind=version_kind(choices), before_flush=undo.flush
                )
                plan_execute(
                    plan,
                    workspace=workspace,
                    user=user,
                    choices=choices,
                    secrets=secrets,
                    file_name=file_name,
                    publisher=publisher,
                    finished=recorder,
                    before_save=undo.before_save,
                )
                recorder.flush()
                undo.finish()
                head = report_head(
                    file_name=file_name,
                    rolled_back=False,
                    continue_on_error=choices.continue_on_error,
                    target_status=choices.target_status,
                    summary=recorder.summary,
                    unresolved=recorder.unresolved,
                )
                everything_failed = head["summary"][FAILED] and not any(
                    head["summary"][o] for o in (CREATED, OVERWRITTEN, RENAMED)
                )
                lifecycle.task_finish_locked(
                    row,
                    status=TaskStatus.FAILED if everything_failed else TaskStatus.SUCCESSFUL,
                    message=_report_message(head),
                    result={"report": head},
                )
        except RolledBack as exc:
            rolled_back = exc
        if rolled_back is not None:
            report = report_build(rolled_back.items, rolled_back=True, choices=choices, file_name=file_name)
            with transaction.atomic():
                row = task_locked(task_id, with_result=False)
                if row is not None and row.step == STEP_APPLY and row.status == TaskStatus.RUNNING:
                    _task_finish(
                        row, report=report, status=TaskStatus.FAILED, message=_report_message(report)
                    )
    except Exception as exc:
        message, code, detail = error_detail(exc)
        if code == ErrorCode.INTERNAL_ERROR:
            logger.exception("Import %s: applying the package failed.", task.public_id)
        task_fail(task_id=task_id, message=message, code=code, detail=detail)
        return
    finally:
        if package is not None:
            package.close()  # its temporary copy of the file
        # Committed (or failed): the rows say what happened now.
        task_progress_clear(public_id=task.public_id)
    upload_delete(source=source)
