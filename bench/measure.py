"""What the benchmarks measure with: wall time, peak memory, SQL query counts, and the Celery tasks' own figures.

Peak memory is the kernel's high-water mark of resident memory (``VmHWM`` in ``/proc/<pid>/status``),
reset before the measured work by writing ``5`` to ``/proc/<pid>/clear_refs`` (Linux >= 4.0), so that it
is the peak of that work alone, not of whatever the process did before.

Queries are counted by a ``connection.execute_wrapper``: one per ``execute`` or ``executemany`` that
reaches the database. Counts nest as a stack of buckets, so that the queries of a Celery task run
eagerly inside a counted block go to the task, not to the block.

Tasks report themselves: ``task_signals_connect`` (the bench's Celery app, ``bench.celery_app``, calls it in
the worker) records, per task run, its wall time, queries and peak memory in the process that ran it, as
one JSON line appended to the file named by ``BENCH_TASK_STATS``.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import statistics
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATS_ENV = "BENCH_TASK_STATS"
# Tasks write their progress to their row about once a second: queries that grow with time, not with N.
_PROGRESS_UPDATE = 'UPDATE "transfer_systemtask" SET "progress" = '
_CLEAR_REFS_RESET_PEAK = "5"


# --- memory -------------------------------------------------------------------------------------------


def _status_kb(pid: int | str, field: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def peak_rss_kb(pid: int | str = "self") -> int | None:
    """The high-water mark of the resident set of ``pid`` since it started or since ``peak_reset``."""
    return _status_kb(pid, "VmHWM")


def rss_kb(pid: int | str = "self") -> int | None:
    return _status_kb(pid, "VmRSS")


def peak_reset(pid: int | str = "self") -> bool:
    """Reset the high-water mark to the current resident set; False where the kernel does not allow it."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as clear_refs:
            clear_refs.write(_CLEAR_REFS_RESET_PEAK)
        return True
    except OSError:
        return False


def mb(kb: int | None) -> float | None:
    return None if kb is None else round(kb / 1024, 1)


# --- queries ------------------------------------------------------------------------------------------


class QueryCounter:
    """An execute wrapper counting into the innermost open bucket (a no-op when none is open)."""

    def __init__(self) -> None:
        self._local = threading.local()

    @property
    def _stack(self) -> list[list[int]]:
        stack = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        stack = self._stack
        if stack:
            bucket = stack[-1]
            bucket[0] += 1
            if sql.startswith(_PROGRESS_UPDATE):
                bucket[1] += 1
        return execute(sql, params, many, context)

    def push(self) -> list[int]:
        bucket = [0, 0]  # queries, of which progress updates of a task row
        self._stack.append(bucket)
        return bucket

    def pop(self, bucket: list[int]) -> int:
        stack = self._stack
        # By identity, not equality: two buckets with the same count are different buckets.
        positions = [i for i, b in enumerate(stack) if b is bucket]
        if positions:
            del stack[positions[-1] :]
        return bucket[0]


COUNTER = QueryCounter()


def counter_install() -> None:
    """Put the counter on this thread's default database connection (once)."""
    from django.db import connection

    if COUNTER not in connection.execute_wrappers:
        connection.execute_wrappers.append(COUNTER)


class Counted:
    """The result of ``counting()``: ``queries`` is set when the block ends."""

    queries: int = 0
    progress_updates: int = 0


@contextlib.contextmanager
def counting() -> Iterator[Counted]:
    """Count the queries of this thread's default connection within the block."""
    counter_install()
    result = Counted()
    bucket = COUNTER.push()
    try:
        yield result
    finally:
        result.queries = COUNTER.pop(bucket)
        result.progress_updates = bucket[1]


# --- time ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def timed() -> Iterator[list[float]]:
    """``with timed() as t: ...`` then ``t[0]`` is the block's wall time in seconds, ``t[1]`` the CPU time
    this process spent in it (less disturbed than wall time on a busy machine)."""
    box = [0.0, 0.0]
    began, cpu_began = time.perf_counter(), time.process_time()
    try:
        yield box
    finally:
        box[0] = time.perf_counter() - began
        box[1] = time.process_time() - cpu_began


def load_average() -> float | None:
    """The machine's one-minute load average: other work competing for the cores during a run."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 50 samples is the 48th smallest)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


# --- Celery tasks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskStat:
    """One run of a task, as the process that ran it saw it."""

    task: str
    task_id: int | None
    seconds: float
    cpu_seconds: float
    queries: int
    progress_updates: int
    peak_rss_kb: int | None
    pid: int


_running: dict[str, tuple[float, list[int]]] = {}


def _on_prerun(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    counter_install()
    peak_reset()
    _running[task_id or ""] = (time.perf_counter(), time.process_time(), COUNTER.push())


def _on_postrun(task_id: str | None = None, task: Any = None, args: Any = None, **kwargs: Any) -> None:
    began, cpu_began, bucket = _running.pop(task_id or "", (time.perf_counter(), time.process_time(), None))
    queries = COUNTER.pop(bucket) if bucket is not None else 0
    progress_updates = bucket[1] if bucket is not None else 0
    path = os.environ.get(STATS_ENV)
    if not path:
        return
    row = {
        "task": getattr(task, "name", str(task)),
        "task_id": args[0] if args else None,
        "seconds": time.perf_counter() - began,
        "cpu_seconds": time.process_time() - cpu_began,
        "queries": queries,
        "progress_updates": progress_updates,
        "peak_rss_kb": peak_rss_kb(),
        "pid": os.getpid(),
    }
    with open(path, "a") as stats:
        stats.write(json.dumps(row) + "\n")


def task_signals_connect() -> None:
    """Record every task run in ``$BENCH_TASK_STATS`` (idempotent)."""
    from celery import signals

    signals.task_prerun.connect(_on_prerun, dispatch_uid="bench-task-prerun", weak=False)
    signals.task_postrun.connect(_on_postrun, dispatch_uid="bench-task-postrun", weak=False)


def task_signals_disconnect() -> None:
    from celery import signals

    signals.task_prerun.disconnect(dispatch_uid="bench-task-prerun")
    signals.task_postrun.disconnect(dispatch_uid="bench-task-postrun")


class TaskStats:
    """The task runs recorded in one stats file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def mark(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def since(self, mark: int) -> list[TaskStat]:
        if not self.path.exists():
            return []
        with open(self.path) as stats:
            stats.seek(mark)
            return [TaskStat(**json.loads(line)) for line in stats if line.endswith("\n")]

    def of_task(self, mark: int, task_id: int, names: set[str], timeout: float = 30.0) -> dict[str, TaskStat]:
        """The runs of ``names`` for system task ``task_id`` recorded since ``mark``, by task name. A task
        commits its row before it returns, so its line may come a moment after the row says it is done."""
        began = time.monotonic()
        while True:
            runs = {run.task: run for run in self.since(mark) if run.task_id == task_id}
            if names <= set(runs) or time.monotonic() - began > timeout:
                return runs
            time.sleep(0.05)
