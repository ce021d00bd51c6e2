"""Live progress of a running task, published through Django's cache for other processes to read.

An import applies in ONE database transaction (all or nothing), so the ``SubTask`` rows and the
``SystemTask.progress`` it writes stay invisible to every other connection until the commit. What the
wizard shows meanwhile travels outside the transaction: the worker publishes
``{step, progress, message, done, total, failed, objects}`` under a key per task (throttled, and always at
the end of a stage), the read path (the console API's task views) merges it while the row says RUNNING,
and after the commit the rows are the truth again and the key is deleted.

The cache is shared between processes (Redis, or files under ``var/cache/``; see ``CACHES`` in
settings). Progress is best effort: a cache that is down is logged, never allowed to fail an import.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from factory.transfer.models import SystemTask, TaskStatus

logger = logging.getLogger(__name__)

# At most this often (seconds) is the cache written while objects are processed.
PUBLISH_INTERVAL = 0.25
# The objects a payload lists: the most recently processed ones (a poller accumulates them).
MAX_LIVE_OBJECTS = 500
MAX_MESSAGE_CHARS = 500
RUNNING = TaskStatus.RUNNING.value
SUCCESSFUL = TaskStatus.SUCCESSFUL.value
FAILED = TaskStatus.FAILED.value


def progress_key(public_id: str) -> str:
    return f"transfer:task-progress:{public_id}"


def _timeout() -> int:
    # A worker killed mid-step never deletes its key: let it expire with Celery's hard limit.
    return int(settings.CELERY_TASK_TIME_LIMIT) + 60


def _clip(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


class ProgressPublisher:
    """What one step of one task has done so far, written to the cache at most every ``interval`` seconds.

    ``progress`` runs from ``start`` to ``end`` (the task's share for this step) as objects are done; it
    stays below ``end`` until the rows are committed, which say 100 (or the next step's start) themselves.
    """

    def __init__(
        self,
        *,
        public_id: str,
        step: str,
        start: int = 0,
        end: int = 100,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.key = progress_key(public_id)
        self.step = step
        self.start, self.end = start, end
        self.interval = PUBLISH_INTERVAL if interval is None else interval
        self.clock = clock
        self.total = 0
        self.done = 0
        self.failed = 0
        self.message = ""
        self.current: dict[str, Any] | None = None
        self.objects: deque[dict[str, Any]] = deque(maxlen=MAX_LIVE_OBJECTS)
        self._last_publish: float | None = None
        self._broken = False

    @property
    def progress(self) -> int:
        if self.total <= 0:
            return self.start
        share = (self.end - self.start) * self.done // self.total
        return min(self.end - 1, self.start + share) if self.end > self.start else self.start

    def stage(self, message: str, *, total: int | None = None, done: int | None = None) -> None:
        """A new stage of the step (reading the package, planning, writing N objects): published at once."""
        self.message = message
        if total is not None:
            self.total = total
        if done is not None:
            self.done = done
        self.publish(force=True)

    def object_running(self, *, type: str, name: str) -> None:  # noqa: A002 - the report's own key
        self.current = {"order": self.done + 1, "type": type, "name": name, "status": RUNNING}
        self.current.update(outcome="", message="")
        self.publish()

    def object_done(self, *, type: str, name: str, outcome: str, message: str = "") -> None:  # noqa: A002
        self.done += 1
        failed = outcome == "failed"
        self.failed += failed
        self.current = None
        self.objects.append(
            {
                "order": self.done,
                "type": type,
                "name": name,
                "status": FAILED if failed else SUCCESSFUL,
                "outcome": outcome,
                "message": _clip(message),
            }
        )
        self.publish()

    def payload(self) -> dict[str, Any]:
        objects = list(self.objects)
        if self.current is not None:
            objects.append(self.current)
        return {
            "step": self.step,
            "progress": self.progress,
            "message": self.message,
            "done": self.done,
            "total": self.total,
            "failed": self.failed,
            "objects": objects,
            "updatedAt": timezone.now().isoformat(),
        }

    def publish(self, *, force: bool = False) -> bool:
        """Write the payload unless the last write was less than ``interval`` ago; True when written."""
        now = self.clock()
        if not force and self._last_publish is not None and now - self._last_publish < self.interval:
            return False
        self._last_publish = now
        try:
            cache.set(self.key, self.payload(), timeout=_timeout())
        except Exception:  # progress is best effort: a cache that is down must not fail the task
            if not self._broken:
                logger.warning("Could not publish progress to the cache (%s).", self.key, exc_info=True)
            self._broken = True
            return False
        return True


def task_progress_get(*, public_id: str) -> dict[str, Any] | None:
    """The live progress published for a task, or None (none published, finished, or the cache is down)."""
    try:
        value = cache.get(progress_key(public_id))
    except Exception:
        logger.warning("Could not read progress from the cache.", exc_info=True)
        return None
    return value if isinstance(value, dict) else None


def task_progress_clear(*, public_id: str) -> None:
    """Forget the live progress once the rows (committed) say what happened."""
    try:
        cache.delete(progress_key(public_id))
    except Exception:
        logger.warning("Could not delete progress from the cache.", exc_info=True)


def task_live_merge(task: SystemTask) -> SystemTask:
    """A RUNNING task with its live progress: ``progress`` and ``message`` from the cache (in memory only,
    never saved) and ``task.live`` the payload; any other task gets ``live`` None and keeps its row."""
    task.live = None
    if task.status != TaskStatus.RUNNING:
        return task
    live = task_progress_get(public_id=task.public_id)
    if live is None or live.get("step") != task.step:
        return task
    task.live = live
    if isinstance(live.get("progress"), int):
        task.progress = max(0, min(100, live["progress"]))
    if live.get("message"):
        task.message = str(live["message"])
    return task
