"""The processes and the database a benchmark run owns: a throwaway database, a Celery worker, a web server.

``python -m bench`` runs under ``python -m devtools.servers run --need postgres,redis,seaweedfs``, which
gives it DATABASE_URL (a PostgreSQL server), CELERY_BROKER_URL (Redis) and OBS_* (SeaweedFS). On that
server the bench creates its own database ``bench_<pid>`` and drops it at the end; the worker and the web
server it starts use that database and a queue of their own.
"""

from __future__ import annotations

import os
import socket
import sys
import time
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.measure import STATS_ENV, TaskStats
from devtools.processes import spawn, stop
from devtools.servers import free_ports

REPO_ROOT = Path(__file__).resolve().parent.parent
POLL_SECONDS = 0.05


class BenchError(RuntimeError):
    """A benchmark could not run or its operation failed; the message says why."""


# --- the database -------------------------------------------------------------------------------------


def database_url_with_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _admin_connect(url: str) -> Any:
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or None,
        password=parts.password or None,
        dbname=(parts.path or "/postgres").lstrip("/") or "postgres",
        autocommit=True,
    )


def database_create(url: str, name: str) -> str:
    """Create database ``name`` on the server of ``url``; return the URL of the new database."""
    if not url.startswith(("postgres://", "postgresql://")):
        raise BenchError(
            "the benchmarks run on PostgreSQL: set DATABASE_URL, or run them with `make bench` (which starts a "
            "throwaway PostgreSQL, Redis and SeaweedFS)"
        )
    with _admin_connect(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return database_url_with_name(url, name)


def database_drop(url: str, name: str) -> None:
    with _admin_connect(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- background tasks ---------------------------------------------------------------------------------


def _task_row(task_id: int) -> Any:
    """The task's row, its result read when first used (an inspection is megabytes: the benchmarks that
    read it read it after their timing, as the console's services read it when they need it)."""
    from factory.transfer.models import SystemTask

    return SystemTask.objects.defer("result").get(pk=task_id)


class EagerTasks:
    """Celery tasks run in this process as they are enqueued (``task_always_eager``): for the quick test."""

    eager = True

    def __init__(self, stats_path: Path) -> None:
        from bench.measure import task_signals_connect
        from factory.celery import app

        os.environ[STATS_ENV] = str(stats_path)
        self.stats = TaskStats(stats_path)
        self._app = app
        self._was_eager = app.conf.task_always_eager
        app.conf.task_always_eager = True
        task_signals_connect()

    def restart(self) -> None:
        pass

    def wait(self, task_id: int, statuses: Iterable[str], timeout: float = 0) -> Any:
        task = _task_row(task_id)
        if task.status not in set(statuses):
            raise BenchError(
                f"task {task.public_id} is {task.status} ({task.message!r}) after running eagerly"
            )
        return task

    def close(self) -> None:
        from bench.measure import task_signals_disconnect

        self._app.conf.task_always_eager = self._was_eager
        task_signals_disconnect()
        os.environ.pop(STATS_ENV, None)


class WorkerTasks:
    """A real ``celery worker`` (prefork, one pool process) on our own queue.

    ``restart`` before each benchmark gives it a fresh pool process, so that nothing an earlier benchmark
    left allocated inflates the next one's peak memory. (``--max-tasks-per-child 1`` would too, but the
    pool then starts a task up to seconds late, while it replaces the process.)
    """

    eager = False

    def __init__(self, *, env: dict[str, str], queue: str, workdir: Path) -> None:
        self.queue = queue
        self.hostname = f"{queue}@{socket.gethostname()}"
        self.log_path = workdir / "celery-worker.log"
        stats_path = workdir / "task-stats.jsonl"
        self.stats = TaskStats(stats_path)
        self.env = {**env, STATS_ENV: str(stats_path), "CELERY_QUEUE": queue, "PYTHONUNBUFFERED": "1"}
        self.process: Any = None

    def start(self, timeout: float = 90.0) -> None:
        self.process = spawn(
            [
                sys.executable, "-m", "celery", "-A", "bench.celery_app", "worker", "--pool=prefork",
                "--concurrency=1", "-Q", self.queue, "-n", self.hostname,
                "-l", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat",
            ],
            log_path=self.log_path,
            env=self.env,
            cwd=REPO_ROOT,
        )  # fmt: skip
        began = time.monotonic()
        while not self.ping():
            if self.process.poll() is not None:
                raise BenchError(
                    f"the Celery worker exited with status {self.process.returncode}{self.log_tail()}"
                )
            if time.monotonic() - began > timeout:
                raise BenchError(f"the Celery worker did not answer within {timeout:.0f}s{self.log_tail()}")
            time.sleep(0.2)

    def restart(self) -> None:
        self.close()
        self.start()

    def ping(self) -> bool:
        from factory.celery import app

        replies = app.control.ping(destination=[self.hostname], timeout=0.5, limit=1)
        return any(self.hostname in reply for reply in replies)

    def wait(self, task_id: int, statuses: Iterable[str], timeout: float = 3600.0) -> Any:
        """Poll the task's status until it is one of ``statuses``, then return the row. These reads are not
        counted, and they read the status alone: the row's ``result`` (an import's inspection) is
        megabytes at 10,000 jobs, and reading it 20 times a second would steal the worker's CPU."""
        from factory.transfer.models import SystemTask

        wanted = set(statuses)
        began = time.monotonic()
        while True:
            status = SystemTask.objects.filter(pk=task_id).values_list("status", flat=True).first()
            if status in wanted:
                return _task_row(task_id)
            if self.process is not None and self.process.poll() is not None:
                raise BenchError(f"the Celery worker died while running task {task_id}{self.log_tail()}")
            waited = time.monotonic() - began
            if waited > timeout:
                raise BenchError(f"task {task_id} is still {status} after {timeout:.0f}s")
            # 50 ms at first, later 1 % of the time waited so far: the wall time stays within 1 %.
            time.sleep(max(POLL_SECONDS, min(0.5, waited / 100)))

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return ""
        text = self.log_path.read_text(errors="replace").splitlines()[-lines:]
        return f"\n--- last lines of {self.log_path} ---\n" + "\n".join(text)

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop(self.process, timeout=30)
        self.process = None


# --- the web server -----------------------------------------------------------------------------------


class WebServer:
    """gunicorn serving the console (and its built assets, through WhiteNoise) on the bench database."""

    def __init__(self, *, env: dict[str, str], workdir: Path) -> None:
        self.env = env
        self.log_path = workdir / "gunicorn.log"
        self.port = free_ports(1)[0]
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: Any = None

    def start(self, timeout: float = 60.0) -> None:
        self.process = spawn(
            [
                sys.executable, "-m", "gunicorn", "factory.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
                "--workers", "2", "--threads", "4", "--timeout", "300", "--log-level", "warning",
            ],
            log_path=self.log_path,
            env=self.env,
            cwd=REPO_ROOT,
        )  # fmt: skip
        began = time.monotonic()
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/login/", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() - began > timeout:
                tail = self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""
                raise BenchError(f"gunicorn did not start on {self.url}\n{tail}")
            time.sleep(0.2)

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop(self.process, timeout=20)
        self.process = None
