"""Fixtures of the resilience tests: a dedicated Redis and Celery worker that may be killed, restarted and
cut off without touching the rest of the suite, and a fault-injecting proxy in front of OBS.

    rz_redis   session   DedicatedRedis: a redis-server of our own on a fixed port; .kill() .start()
    obs_proxy  session   FaultyProxy: TCP proxy to the session's SeaweedFS, HTTP-aware on the way in;
                         .fault(action, method=..., path=..., query=..., times=...) .clear()
    rz_worker  session   ResilienceWorker: a real ``celery worker`` (prefork, 2 processes) on the test
                         database, consuming its own queue on ``rz_redis``, reading OBS through
                         ``obs_proxy``; .kill_main() .kill_group() .kill_pool_child() .active_pids()
    rz         function  rz_worker + transactional_db, running again, with the imports and exports the
                         code under test enqueues routed to it, and the cache (live progress) on
                         ``rz_redis`` as the worker's; idle again afterwards

The worker is started with short OBS timeouts and few attempts (so that a stalled OBS fails in seconds),
``CELERY_TASK_TIME_LIMIT`` = ``WORKER_TIME_LIMIT`` (the API process gets the same value, so that the
stale-task safety net of the reads means what it means in production) and a Redis visibility timeout of
``VISIBILITY_TIMEOUT`` seconds (``worker_settings``), so that the message of a worker killed outright is
handed back within the test.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from devtools.processes import spawn
from devtools.servers import free_ports
from tests.harness import CeleryWorker, _test_database_url, require_postgresql
from tests.resilience.faulty_obs import FaultyProxy

WORKER_TIME_LIMIT = 60
VISIBILITY_TIMEOUT = 20  # well above the longest task here (a stalled OBS read), also on a loaded machine: no duplicate deliveries
OBS_READ_TIMEOUT = 2
OBS_MAX_ATTEMPTS = 2  # every attempt, the first included (botocore total_max_attempts): one retry

_log_offset = pytest.StashKey[int]()


# --- Redis of our own ---------------------------------------------------------------------------------


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class DedicatedRedis:
    """A throwaway redis-server on a port that stays the same across restarts (no persistence: a
    restart loses every queued and unacknowledged message, as a crashed broker without AOF does)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (self.port,) = free_ports(1)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 15.0) -> None:
        if self.alive:
            return
        self.process = spawn(
            [
                "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--daemonize", "no", "--dir", str(self.root),
            ],
            log_path=self.root / "redis.log",
            cwd=self.root,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while not _redis_answers(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the dedicated Redis did not start on port {self.port}", pytrace=False)
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: the broker vanishes with everything it held."""
        if self.alive:
            assert self.process is not None
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="session")
def rz_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DedicatedRedis]:
    redis = DedicatedRedis(tmp_path_factory.mktemp("resilience-redis"))
    redis.start()
    yield redis
    redis.kill()


# --- OBS behind the fault-injecting proxy -------------------------------------------------------------


@pytest.fixture(scope="session")
def obs_proxy(obs_env: Any) -> Iterator[FaultyProxy]:
    parts = urlsplit(obs_env.endpoint)
    proxy = FaultyProxy((parts.hostname or "127.0.0.1", parts.port or 80))
    yield proxy
    proxy.close()


@pytest.fixture
def faulty_obs(obs_proxy: FaultyProxy) -> Iterator[FaultyProxy]:
    """The proxy, with no faults at the start and none left after the test."""
    obs_proxy.clear()
    yield obs_proxy
    obs_proxy.clear()


# --- the dedicated Celery worker ----------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _group_members(pgid: int) -> list[int]:
    """Live processes in process group ``pgid`` (the worker leads its own: pool children orphaned by a
    killed main process are still in it)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


class ResilienceWorker(CeleryWorker):
    """The harness's worker, on a broker of its own, and with finer ways to die."""

    def __init__(self, *, app: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.app = app
        self.pgid: int | None = None

    def start(self, timeout: float = 60.0) -> None:
        if self.alive:
            return
        self.kill_group()  # pool processes orphaned by kill_main() must not outlive their worker
        super().start(timeout)
        self.pgid = self.pid

    def ping(self, timeout: float = 1.0) -> bool:
        try:
            replies = self.app.control.ping(destination=[self.hostname], timeout=timeout, limit=1)
        except Exception:  # the broker is down
            return False
        return any(self.hostname in reply for reply in replies)

    def inspect(self, what: str) -> list[dict[str, Any]]:
        control = self.app.control.inspect(destination=[self.hostname], timeout=1.0, limit=1)
        return (getattr(control, what)() or {}).get(self.hostname, [])

    def active_pids(self) -> list[int]:
        """The pool processes running a task now."""
        return [task["worker_pid"] for task in self.inspect("active")]

    def pool_pids(self) -> list[int]:
        return _children(self.pid) if self.alive and self.pid else []

    def kill_pool_child(self, pid: int) -> None:
        assert pid in self.pool_pids(), f"{pid} is not a pool process of the worker"
        os.kill(pid, signal.SIGKILL)

    def kill_main(self) -> None:
        """SIGKILL the main process alone: its pool processes are orphaned, not killed."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def kill_group(self) -> None:
        """SIGKILL whatever is left of the worker's process group (main process and pool)."""
        if self.pgid is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pgid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait()
        deadline = time.monotonic() + 10
        while _group_members(self.pgid) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.pgid = None

    def orphans(self) -> list[int]:
        if self.pgid is None or self.alive:
            return []
        return _group_members(self.pgid)

    def stop(self, timeout: float = 30.0) -> None:
        super().stop(timeout)
        self.kill_group()

    def settle(self, timeout: float = 20.0) -> None:
        """Drop queued messages and wait until no task runs; a worker still busy is killed and restarted."""
        if not self.alive or not self.ping():
            self.kill_group()
            return
        with self.app.connection_for_write() as connection:
            connection.default_channel.queue_purge(self.queue)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.inspect("active") and not self.inspect("reserved"):
                return
            time.sleep(0.2)
        self.kill_group()
        self.start()

    def task_events(self, task_name: str, event: str, since: int) -> int:
        """How many ``task_name`` messages were ``event`` ("received", "succeeded") since log offset
        ``since``."""
        pattern = rf"Task {re.escape(task_name)}\[[^\]]+\] {event}"
        return len(re.findall(pattern, self.log_text(since=since, max_chars=10**7)))


@pytest.fixture(scope="session")
def rz_worker(
    django_db_setup: None,
    django_db_blocker: Any,
    rz_redis: DedicatedRedis,
    obs_proxy: FaultyProxy,
    obs_env: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ResilienceWorker]:
    from celery import Celery
    from django.db import connection

    require_postgresql("the resilience worker")
    queue = f"resilience-{os.getpid()}-{secrets.token_hex(3)}"
    app = Celery("resilience-tests", set_as_current=False)
    app.conf.update(
        # Not broker_url: Celery prefers the CELERY_BROKER_URL variable (the session's Redis) to it.
        broker_read_url=rz_redis.url,
        broker_write_url=rz_redis.url,
        task_default_queue=queue,
        broker_connection_retry_on_startup=False,
        broker_connection_max_retries=1,
        task_serializer="json",
        accept_content=["json"],
    )
    # A log of this session's own (test-results/ is shared by concurrent sessions; the log is counted in).
    log_path = tmp_path_factory.mktemp("resilience-worker") / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.resilience.worker_settings",
        "DATABASE_URL": _test_database_url(connection.settings_dict["NAME"]),
        "VAR_DIR": str(settings.VAR_DIR),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_BROKER_URL": rz_redis.url,
        "REDIS_URL": rz_redis.url,  # the cache (live progress) too: one Redis, as deployments have it
        "CELERY_QUEUE": queue,
        "CELERY_TASK_TIME_LIMIT": str(WORKER_TIME_LIMIT),
        "CELERY_TASK_SOFT_TIME_LIMIT": str(WORKER_TIME_LIMIT - 5),
        "RESILIENCE_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "OBS_ENDPOINT": obs_proxy.endpoint,
        "OBS_ACCESS_KEY_ID": obs_env.access_key_id,
        "OBS_SECRET_ACCESS_KEY": obs_env.secret_access_key,
        "OBS_REGION": obs_env.region,
        "OBS_CONNECT_TIMEOUT": "2",
        "OBS_READ_TIMEOUT": str(OBS_READ_TIMEOUT),
        "OBS_MAX_ATTEMPTS": str(OBS_MAX_ATTEMPTS),
        "PYTHONUNBUFFERED": "1",
    }
    worker = ResilienceWorker(app=app, env=env, queue=queue, log_path=log_path)
    with django_db_blocker.unblock():
        connection.close()  # no connection of ours may be half-open when the worker forks its pool
    worker.start()
    yield worker
    worker.stop(timeout=10)


def _route_to(worker: ResilienceWorker) -> Callable[[str, int], None]:
    """The import services' ``_enqueue``, publishing to the dedicated worker's broker and queue with the
    real task's ``apply_async`` (so its publish retry policy and errors are the application's)."""
    from factory.transfer import tasks

    real = {name: getattr(tasks, name) for name in ("import_inspect", "import_apply", "export_run")}

    def enqueue(name: str, task_id: int) -> None:
        with worker.app.connection_for_write() as connection:
            real[name].apply_async(args=(task_id,), connection=connection, queue=worker.queue)

    return enqueue


class _RoutedTask:
    """Stands in for a task module attribute whose ``.delay`` the code under test calls."""

    def __init__(self, enqueue: Callable[[str, int], None], name: str) -> None:
        self.enqueue, self.name = enqueue, name

    def delay(self, task_id: int) -> None:
        self.enqueue(self.name, task_id)


@pytest.fixture
def rz(
    rz_worker: ResilienceWorker,
    rz_redis: DedicatedRedis,
    transactional_db: None,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
    request: pytest.FixtureRequest,
) -> Iterator[ResilienceWorker]:
    """The dedicated worker, running, for a test on committed data; what the code under test enqueues
    (imports, exports) goes to it. Idle again (and its leftovers killed) after the test."""
    from factory.transfer import tasks
    from factory.transfer.imports import start as imports

    rz_worker.start()
    enqueue = _route_to(rz_worker)
    monkeypatch.setattr(imports, "_enqueue", enqueue)
    monkeypatch.setattr(tasks, "export_run", _RoutedTask(enqueue, "export_run"))
    # The reads' stale-task safety net judges by the time limit the worker runs with.
    settings.CELERY_TASK_TIME_LIMIT = WORKER_TIME_LIMIT
    settings.CELERY_TASK_SOFT_TIME_LIMIT = WORKER_TIME_LIMIT - 5  # Celery's conf reads these too
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The live progress the worker publishes is read from the same (dedicated) Redis.
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            **settings.CACHES["default"],
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": rz_redis.url,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        },
    }
    request.node.stash[_log_offset] = rz_worker.log_size()
    yield rz_worker
    rz_worker.settle()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    report: pytest.TestReport = yield
    worker = getattr(item, "funcargs", {}).get("rz")
    if report.failed and isinstance(worker, ResilienceWorker):
        since = item.stash.get(_log_offset, None)
        report.sections.append((f"resilience worker log ({worker.log_path})", worker.log_text(since=since)))
    return report
