"""Undo on the request side: which task may be undone, by whom (``undo_target_get``), and the undo's task
row with its Celery task queued once the row commits (``import_undo_create``).

Who may undo: a workspace admin, or the user who started the import (or the undo) being undone; the same
people who may read its report. What may be undone: a task that finished SUCCESSFUL and recorded what it
wrote (imports made before undo existed recorded nothing), and was not undone already (then its undo can
be undone instead: that applies it again). One import or undo runs at a time per workspace.
"""

from __future__ import annotations

from functools import partial

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from factory.errors import Conflict, ErrorCode, NotFound, PermissionDenied
from factory.transfer import lifecycle
from factory.transfer.imports.common import stale_imports_fail
from factory.transfer.models import SystemTask, TaskKind, TaskStatus, TaskStep, UndoRecord
from factory.workspaces.models import Workspace

KINDS = (TaskKind.IMPORT, TaskKind.UNDO)


def undoable_annotated(queryset: QuerySet[SystemTask]) -> QuerySet[SystemTask]:
    """Tasks with what ``undo_refusal`` reads: ``recorded`` (it kept what it wrote), ``undone_by`` (the
    public id of the successful undo of it, or None) and ``undo_running`` (an undo of it is queued or
    running)."""
    undos = SystemTask.objects.filter(undoes=OuterRef("pk"), kind=TaskKind.UNDO)
    return queryset.annotate(
        recorded=Exists(UndoRecord.objects.filter(task=OuterRef("pk"))),
        undone_by=undos.filter(status=TaskStatus.SUCCESSFUL).order_by("-pk").values("public_id")[:1],
        undo_running=Exists(undos.filter(status__in=lifecycle.ACTIVE_STATUSES)),
    )


def undo_refusal(task: SystemTask) -> str | None:
    """Why ``task`` (annotated by ``undoable_annotated``) cannot be undone now, or None."""
    what = "import" if task.kind == TaskKind.IMPORT else "undo"
    if task.kind not in KINDS:
        return f"Task {task.public_id} is not an import."
    if task.status != TaskStatus.SUCCESSFUL:
        return f"The {what} {task.public_id} did not finish successfully ({task.status.lower()}): it changed nothing."
    undone_by = getattr(task, "undone_by", None)
    if undone_by:
        return f"The {what} {task.public_id} was undone already (undo {undone_by}); undo that undo to apply it again."
    if getattr(task, "undo_running", False):
        return f"An undo of the {what} {task.public_id} is running."
    if not getattr(task, "recorded", False):
        return f"The {what} {task.public_id} recorded nothing it could undo (it changed nothing, or ran before undo existed)."
    return None


def undo_target_get(*, workspace: Workspace, user: User, public_id: str, is_admin: bool) -> SystemTask:
    """The import (or undo) ``public_id`` of the workspace, annotated, for its starter or an admin."""
    task = (
        undoable_annotated(
            SystemTask.objects.filter(workspace=workspace, kind__in=KINDS, public_id=public_id)
        )
        .select_related("created_by", "workspace")
        .defer("result")
        .first()
    )
    if task is None:
        raise NotFound(f"Import {public_id} not found.", code=ErrorCode.TASK_NOT_FOUND)
    if not (is_admin or task.created_by_id == user.pk):
        raise PermissionDenied(
            "Only the user who started this import, or a workspace admin, can undo it.",
            code=ErrorCode.NOT_IMPORT_OWNER,
        )
    return task


def _stale_why(task: SystemTask) -> tuple[str, str]:
    return ("The worker stopped while undoing; nothing was undone. Try again.", ErrorCode.WORKER_LOST)


def stale_undos_fail(*, workspace_id: int | None = None) -> int:
    """Fail undos whose worker is gone (see ``lifecycle.tasks_stale_fail``), and imports likewise; called
    by the reads and before an undo starts."""
    stale_imports_fail(workspace_id=workspace_id)
    return lifecycle.tasks_stale_fail(kind=TaskKind.UNDO, why=_stale_why, workspace_id=workspace_id)


def _running_refuse(workspace: Workspace) -> None:
    """Under a lock of the workspace row: refuse while an import or an undo of the workspace runs."""
    Workspace.objects.select_for_update().filter(pk=workspace.pk).values_list("pk", flat=True).first()
    stale_undos_fail(workspace_id=workspace.pk)
    running = SystemTask.objects.filter(
        workspace=workspace, kind__in=KINDS, status__in=lifecycle.ACTIVE_STATUSES
    ).first()
    if running is not None:
        raise Conflict(
            f"{'Import' if running.kind == TaskKind.IMPORT else 'Undo'} {running.public_id} is running in "
            f"workspace {workspace.name}; wait for it to finish, then undo.",
            code=ErrorCode.IMPORT_RUNNING,
            fields={"runningTask": running.public_id},
        )


def _queue_failed(task_id: int) -> None:
    SystemTask.objects.filter(pk=task_id, status=TaskStatus.PENDING).update(
        status=TaskStatus.FAILED,
        message=lifecycle.QUEUE_UNAVAILABLE_MESSAGE,
        ended_at=timezone.now(),
        updated_at=timezone.now(),
    )


def import_undo_create(
    *, target: SystemTask, user: User, force: bool = False, enqueue: bool = True
) -> SystemTask:
    """The undo of ``target`` (from ``undo_target_get``): its task row (PENDING, step ``undo``) and the
    ``import_undo`` task, queued once the row commits (``enqueue=False``: the caller runs it)."""
    workspace = target.workspace
    try:
        with transaction.atomic():
            _running_refuse(workspace)
            fresh = undoable_annotated(SystemTask.objects.filter(pk=target.pk)).defer("result").get()
            refusal = undo_refusal(fresh)
            if refusal is not None:
                raise Conflict(refusal, code=ErrorCode.IMPORT_NOT_UNDOABLE)
            what = "import" if target.kind == TaskKind.IMPORT else "undo"
            task = SystemTask.objects.create(
                workspace=workspace,
                kind=TaskKind.UNDO,
                name=f"Undo of {what} {target.name}"[:512],
                step=TaskStep.UNDO,
                undoes=target,
                params={"force": force},
                message="Waiting for a worker...",
                created_by=user,
            )
            if enqueue:
                # Here, not at the top: the apply imports this package (its recorder), and tasks.py imports
                # the apply; the request side imports the tasks once everything is loaded.
                from factory.transfer import tasks

                lifecycle.task_enqueue(
                    partial(tasks.import_undo.delay, task.pk),
                    on_failure=partial(_queue_failed, task.pk),
                    what=f"undo {task.public_id}",
                )
    except IntegrityError as exc:  # the index of one running import or undo per workspace
        raise Conflict(
            f"Another import or undo is running in workspace {workspace.name}; try again once it is done.",
            code=ErrorCode.IMPORT_RUNNING,
        ) from exc
    return task
