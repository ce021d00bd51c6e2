"""The one life cycle of a ``SystemTask``, for export, import and whatever comes next.

A request makes the row (PENDING) and asks for its Celery task once the row commits (``task_enqueue``):
with the broker down the send raises, and ``on_failure`` undoes what the request committed before it
answers 503 ``queue_unavailable``. A worker first claims the row under ``select_for_update``
(``task_claim``): a task gone, finished or past the step does nothing, so a message delivered twice does
its work once. A row found RUNNING is a redelivery after a worker stopped; it runs again, at most
``MAX_ATTEMPTS`` times, then fails ``worker_lost``. Then the worker moves the row on (``task_update``)
and ends it (``task_finish_locked`` or ``task_fail``). A row nobody moves on for longer than the hard time
limit has no worker any more: ``tasks_stale_fail`` fails it when somebody reads it (no periodic task).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Func, JSONField, Q, Value
from django.utils import timezone
from kombu.exceptions import OperationalError

from factory.errors import ErrorCode, ServiceUnavailable
from factory.transfer.models import SystemTask, TaskStatus, TaskStep

logger = logging.getLogger(__name__)

ACTIVE_STATUSES = (TaskStatus.PENDING, TaskStatus.RUNNING)
FINISHED_STATUSES = (TaskStatus.SUCCESSFUL, TaskStatus.FAILED)
MAX_ATTEMPTS = 3

QUEUE_UNAVAILABLE_MESSAGE = "The task queue is not reachable; try again in a moment."
# kombu wraps the transport's connection errors in OperationalError; raw socket errors
# (ConnectionError and the other OSErrors) can still escape from some transports.
QUEUE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, OSError)

# What a failed task leaves to clean up (an import's upload), run once the failure commits.
Cleanup = Callable[[SystemTask], None]


def running_timeout() -> timedelta:
    """A task RUNNING (or PENDING) longer than Celery's hard time limit has no worker any more."""
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


# --- the request side: queueing ----------------------------------------------------------------------


def queue_unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(QUEUE_UNAVAILABLE_MESSAGE, code=ErrorCode.QUEUE_UNAVAILABLE)


def queue_send(send: Callable[[], Any], *, on_failure: Callable[[], None], what: str) -> None:
    """Run ``send``; when the broker is not reachable, run ``on_failure`` and raise 503."""
    try:
        send()
    except QUEUE_ERRORS as exc:
        logger.warning("Could not queue %s: the broker is not reachable (%s)", what, exc)
        try:
            on_failure()
        except Exception:
            logger.exception("Could not undo %s after the broker failed", what)
        raise queue_unavailable() from exc


def task_enqueue(send: Callable[[], Any], *, on_failure: Callable[[], None], what: str) -> None:
    """Send once the current transaction commits (the worker must find the row), as ``queue_send``."""
    transaction.on_commit(partial(queue_send, send, on_failure=on_failure, what=what))


# --- the worker side ---------------------------------------------------------------------------------


def task_locked(task_id: int, *, kind: str, with_result: bool = True) -> SystemTask | None:
    """The task's row, locked. ``with_result=False`` leaves ``result`` (an inspection: megabytes for a
    large package) unread until something reads it."""
    queryset = SystemTask.objects.select_for_update(of=("self",)).select_related("workspace", "created_by")
    if not with_result:
        queryset = queryset.defer("result")
    return queryset.filter(pk=task_id, kind=kind).first()


def task_claim(
    *,
    task_id: int,
    kind: str,
    gave_up: str,
    step: str | None = None,
    restart_step: str | None = None,
    running_fresh_taken: bool = True,
    with_result: bool = True,
    cleanup: Cleanup | None = None,
) -> SystemTask | None:
    """Mark the task RUNNING and return it; None when there is nothing to do.

    Nothing to do: the task is gone, finished, or (``step``) at another step. A RUNNING row is a
    redelivery after the worker stopped: it runs again unless it already had ``MAX_ATTEMPTS`` attempts,
    then it fails ``worker_lost`` with ``gave_up`` said. ``running_fresh_taken=False`` leaves a RUNNING row
    alone while its worker shows signs of life (an export: a duplicate message racing the first).
    ``restart_step``: the work starts over from that step (progress, message and start time reset).
    """
    with transaction.atomic():
        task = task_locked(task_id, kind=kind, with_result=with_result)
        if task is None or task.status not in ACTIVE_STATUSES or (step is not None and task.step != step):
            return None
        if task.status == TaskStatus.RUNNING:
            if not running_fresh_taken and task.updated_at >= timezone.now() - running_timeout():
                return None
            if task.attempts >= MAX_ATTEMPTS:
                task_fail_locked(
                    task,
                    message=f"The worker stopped {task.attempts} times while running {gave_up}",
                    code=ErrorCode.WORKER_LOST,
                    cleanup=cleanup,
                )
                return None
        task.status = TaskStatus.RUNNING
        task.attempts += 1
        fields = ["status", "attempts", "started_at", "updated_at"]
        if restart_step is not None:
            task.step, task.progress, task.message = restart_step, 0, ""
            task.started_at = timezone.now()
            fields += ["step", "progress", "message"]
        else:
            task.started_at = task.started_at or timezone.now()
        task.save(update_fields=fields)
    return task


def task_update(task_id: int, **values: Any) -> None:
    """Move the row on (step, progress, message) without locking it; ``updated_at`` is its sign of life."""
    values["updated_at"] = timezone.now()
    SystemTask.objects.filter(pk=task_id).update(**values)


class _JsonMerge(Func):
    """``document`` with the top-level keys of ``patch`` set to its values (PostgreSQL's ``||``; SQLite's
    ``json_set`` per key, which keeps nulls, unlike ``json_patch``)."""

    output_field = JSONField()

    def __init__(self, document: Any, patch: dict[str, Any]) -> None:
        self.keys = list(patch)
        values = [Value(json.dumps(patch[key], ensure_ascii=False)) for key in self.keys]
        super().__init__(document, Value(json.dumps(patch, ensure_ascii=False)), *values)

    def _compiled(self, compiler: Any) -> list[tuple[str, tuple[Any, ...]]]:
        return [compiler.compile(expression) for expression in self.source_expressions]

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        (document, document_params), (patch, patch_params), *_ = self._compiled(compiler)
        return f"(COALESCE({document}, '{{}}'::jsonb) || ({patch})::jsonb)", (*document_params, *patch_params)

    def as_sql(  # type: ignore[override]  # SQLite's (and any other's): no template to take
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        (document, params), _, *values = self._compiled(compiler)
        sql = f"COALESCE({document}, '{{}}')"
        all_params: list[Any] = list(params)
        for key, (value, value_params) in zip(self.keys, values, strict=True):
            sql = f"json_set({sql}, '$.{key}', json({value}))"
            all_params += value_params
        return sql, tuple(all_params)


def task_result_merge(task: SystemTask, result: dict[str, Any]) -> None:
    """Set the top-level keys of ``result`` in the task's ``result``. When the row was read without it
    (an import's inspection: megabytes of JSON), the database merges them: the inspection is neither read
    nor written again."""
    if "result" not in task.get_deferred_fields():
        task.result = {**(task.result or {}), **result}
        task.save(update_fields=["result"])
        return
    SystemTask.objects.filter(pk=task.pk).update(result=_JsonMerge(F("result"), result))


def task_finish_locked(task: SystemTask, *, status: str, message: str, result: dict[str, Any]) -> None:
    """End a locked row: ``status`` (SUCCESSFUL, or FAILED when nothing could be done), the step done,
    ``result`` merged in (without reading what it holds when the row was read without it), the secrets
    typed in for it cleared."""
    task_result_merge(task, result)
    task.status = status
    task.step = TaskStep.DONE
    task.progress = 100
    task.message = message
    task.ended_at = timezone.now()
    task.secrets_encrypted = ""
    task.save(
        update_fields=["status", "step", "progress", "message", "ended_at", "secrets_encrypted", "updated_at"]
    )


def task_fail_locked(
    task: SystemTask,
    *,
    message: str,
    code: str | None = None,
    detail: dict[str, Any] | None = None,
    cleanup: Cleanup | None = None,
) -> None:
    """Mark a locked row FAILED with ``message`` (and ``code``, kept in ``result.error`` for the clients
    that branch on it); its secrets cleared, ``cleanup`` run once this commits."""
    task.status = TaskStatus.FAILED
    task.message = message
    task.ended_at = timezone.now()
    task.secrets_encrypted = ""
    fields = ["status", "message", "ended_at", "secrets_encrypted", "updated_at"]
    if code is not None:
        task.result = {**(task.result or {}), "error": {"code": code, **(detail or {}), "message": message}}
        fields.append("result")
    task.save(update_fields=fields)
    if cleanup is not None:
        transaction.on_commit(partial(cleanup, task))


def task_fail(
    *,
    task_id: int,
    kind: str,
    message: str,
    code: str | None = None,
    detail: dict[str, Any] | None = None,
    cleanup: Cleanup | None = None,
) -> None:
    """Fail the task unless it finished meanwhile (a concurrent delivery may have completed it)."""
    with transaction.atomic():
        task = task_locked(task_id, kind=kind)
        if task is None or task.status in FINISHED_STATUSES:
            return
        task_fail_locked(task, message=message, code=code, detail=detail, cleanup=cleanup)


# --- stale tasks -------------------------------------------------------------------------------------


def _stale_q(*, now: datetime, waiting_timeout: timedelta | None) -> Q:
    q = Q(status__in=ACTIVE_STATUSES, updated_at__lt=now - running_timeout())
    if waiting_timeout is not None:
        q |= Q(status=TaskStatus.WAITING, updated_at__lt=now - waiting_timeout)
    return q


def tasks_stale_fail(
    *,
    kind: str,
    why: Callable[[SystemTask], tuple[str, str]],
    workspace_id: int | None = None,
    waiting_timeout: timedelta | None = None,
    cleanup: Cleanup | None = None,
) -> int:
    """Fail the tasks of ``kind`` whose worker is gone: PENDING or RUNNING longer than the hard time limit
    (Celery would have killed a live worker by then), WAITING longer than ``waiting_timeout``. ``why``
    gives each its message and code. Rows another transaction holds (a worker at work) are skipped."""
    now = timezone.now()
    stale = SystemTask.objects.filter(_stale_q(now=now, waiting_timeout=waiting_timeout), kind=kind)
    if workspace_id is not None:
        stale = stale.filter(workspace_id=workspace_id)
    failed = 0
    for task_id in list(stale.values_list("pk", flat=True)[:100]):
        with transaction.atomic():
            task = (
                SystemTask.objects.select_for_update(skip_locked=True)
                .filter(pk=task_id)
                .filter(_stale_q(now=now, waiting_timeout=waiting_timeout))
                .first()
            )
            if task is None:
                continue
            message, code = why(task)
            task_fail_locked(task, message=message, code=code, cleanup=cleanup)
            failed += 1
    return failed
