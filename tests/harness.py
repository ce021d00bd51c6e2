"""The test harness: a pytest plugin, loaded by tests/conftest.py, with the fixtures that need a process.

Services come from the environment: ``make test`` runs pytest under ``python -m devtools.servers run``,
which starts a throwaway PostgreSQL (DATABASE_URL), Redis (REDIS_URL, CELERY_BROKER_URL) and SeaweedFS
(OBS_*) where none is given; devtools.test_settings gives the session its own VAR_DIR, queue and cache. Without them, plain ``pytest`` runs on SQLite; the fixtures below that need a real
service then fail with a message saying how to get it (they never skip).

Fixtures
    obs_env         session   ObsEnv: endpoint, access_key_id, secret_access_key, region (+ .client())
    s3              session   boto3 S3 client on obs_env, configured the way OBS needs
    obs_bucket      function  name of a fresh, empty bucket; deleted with its contents afterwards
    celery_worker   session   CeleryWorker: a real `celery worker` on the test database and the session's
                              own queue; .ping() .kill() .restart() .stop() .settle() .log_path .pid
    live_worker     function  celery_worker + transactional_db (the worker sees committed rows only)
    chromium_browser session  Playwright Browser: Debian's /usr/bin/chromium, headless
    page            function  Playwright Page in a fresh context on live_server (base_url set: use
                              page.goto("/path")), downloads accepted, 15 s default timeout
    second_console  session   (tests/second_console.py) another console on another port: gunicorn, its own
                              PostgreSQL database and Celery worker, the same SeaweedFS; .url .ak .sk
                              .project_id .workspace_new() .client() .manage() — remote promotions' target
    staging_bucket  session   (tests/second_console.py) the bucket remote promotions stage packages in

Tests using celery_worker/live_worker are marked ``worker``, tests using page/chromium_browser ``e2e``,
tests using obs_env/s3/obs_bucket ``obs``, so ``pytest -m "not e2e"`` selects the rest. With ``OBS_BUCKET``
set (the production layout: uploads and Download Center packages in that OBS bucket), the session creates
the bucket first; ``make test`` runs the ``obs`` and ``worker`` tests once more that way. On failure the worker's log (since the test started) and a
screenshot of the page are attached to the report; files go to ``test-results/``.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.conf import settings

from devtools.processes import signal_group, spawn
from devtools.servers import OBS_REGION, s3_client

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO_ROOT / "test-results"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGE_TIMEOUT_MS = 15_000
HOW_TO_GET_SERVICES = (
    "run the tests with `make test`, which starts a throwaway PostgreSQL, Redis and SeaweedFS, "
    "or wrap pytest yourself: `.venv/bin/python -m devtools.servers run -- .venv/bin/python -m pytest ...`"
)

_worker_log_offset = pytest.StashKey[int]()
_session_worker = pytest.StashKey["CeleryWorker"]()


# --- session plumbing ---------------------------------------------------------------------------------


def pytest_report_header(config: pytest.Config) -> list[str]:
    database = settings.DATABASES["default"]
    where = f"{database['HOST']}:{database.get('PORT') or ''}" if database.get("HOST") else ""
    return [
        f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {where}".rstrip(),
        f"broker: {_redact(settings.CELERY_BROKER_URL)}  queue: {settings.CELERY_TASK_DEFAULT_QUEUE}",
        f"OBS: {os.environ.get('OBS_ENDPOINT') or 'not set'}  VAR_DIR: {settings.VAR_DIR}",
    ]


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & {"celery_worker", "live_worker"}:
            item.add_marker(pytest.mark.worker)
        if names & {"page", "chromium_browser"}:
            item.add_marker(pytest.mark.e2e)
        if names & {"obs_env", "s3", "obs_bucket"}:
            item.add_marker(pytest.mark.obs)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    report: pytest.TestReport = yield
    if not report.failed or not hasattr(item, "funcargs"):
        return report
    worker = item.funcargs.get("live_worker") or item.funcargs.get("celery_worker")
    if isinstance(worker, CeleryWorker):
        since = item.stash.get(_worker_log_offset, None)
        report.sections.append((f"celery worker log ({worker.log_path})", worker.log_text(since=since)))
    page = item.funcargs.get("page")
    if page is not None and report.when == "call":
        path = RESULTS_DIR / (re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid) + ".png")
        try:
            RESULTS_DIR.mkdir(exist_ok=True)
            page.screenshot(path=str(path), full_page=True)
            report.sections.append(("browser", f"screenshot: {path}\nurl: {page.url}"))
        except Exception as error:  # the page may be the thing that broke
            report.sections.append(("browser", f"no screenshot: {error}"))
    return report


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    worker = config.stash.get(_session_worker, None)
    if worker is not None:
        terminalreporter.write_line(
            f"celery worker log: {worker.log_path} (the worker started in {worker.startup_seconds:.1f}s)"
        )


def pytest_unconfigure(config: pytest.Config) -> None:
    # devtools.test_settings made a throwaway VAR_DIR (the worker's log and screenshots are elsewhere).
    if getattr(settings, "TEST_VAR_DIR_CREATED", False):
        shutil.rmtree(settings.VAR_DIR, ignore_errors=True)


def _redact(url: str) -> str:
    return re.sub(r"//([^:/@]*):[^@/]*@", r"//\1:***@", url)


def require_postgresql(what: str) -> None:
    """Fail (never skip) a test whose `what` needs PostgreSQL when the session runs on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.fail(
            f"{what} needs PostgreSQL, but DATABASE_URL is not set (Django is on {connection.vendor}): "
            f"{HOW_TO_GET_SERVICES}",
            pytrace=False,
        )


# --- OBS (SeaweedFS) ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObsEnv:
    """Where the OBS of this session is, and the credentials of its one (admin) identity."""

    endpoint: str
    access_key_id: str
    secret_access_key: str
    region: str = OBS_REGION

    def client(self, *, access_key_id: str | None = None, secret_access_key: str | None = None) -> Any:
        """A boto3 S3 client; give other credentials to see them refused."""
        return s3_client(
            endpoint=self.endpoint,
            access_key_id=access_key_id or self.access_key_id,
            secret_access_key=secret_access_key or self.secret_access_key,
            region=self.region,
            max_attempts=1 if (access_key_id or secret_access_key) else 3,
        )


@pytest.fixture(scope="session")
def obs_env() -> ObsEnv:
    """The OBS endpoint and credentials from OBS_ENDPOINT, OBS_ACCESS_KEY_ID, OBS_SECRET_ACCESS_KEY."""
    missing = [
        name
        for name in ("OBS_ENDPOINT", "OBS_ACCESS_KEY_ID", "OBS_SECRET_ACCESS_KEY")
        if not os.environ.get(name)
    ]
    if missing:
        pytest.fail(
            f"this test needs OBS, but {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set: "
            f"{HOW_TO_GET_SERVICES}",
            pytrace=False,
        )
    return ObsEnv(
        endpoint=os.environ["OBS_ENDPOINT"],
        access_key_id=os.environ["OBS_ACCESS_KEY_ID"],
        secret_access_key=os.environ["OBS_SECRET_ACCESS_KEY"],
        region=os.environ.get("OBS_REGION") or OBS_REGION,
    )


@pytest.fixture(scope="session")
def s3(obs_env: ObsEnv) -> Any:
    """A boto3 S3 client on the session's OBS, for arranging and checking objects in tests."""
    return obs_env.client()


@pytest.fixture(scope="session", autouse=True)
def _storage_bucket() -> None:
    """With OBS_BUCKET set, the console keeps its uploads and packages in that bucket: make sure it exists
    (as an operator would) before any test or the worker writes there."""
    bucket = os.environ.get("OBS_BUCKET")
    if not bucket:
        return
    from botocore.exceptions import ClientError

    client = ObsEnv(
        endpoint=os.environ["OBS_ENDPOINT"],
        access_key_id=os.environ["OBS_ACCESS_KEY_ID"],
        secret_access_key=os.environ["OBS_SECRET_ACCESS_KEY"],
        region=os.environ.get("OBS_REGION") or OBS_REGION,
    ).client()
    try:
        client.head_bucket(Bucket=bucket)
    except ClientError:
        client.create_bucket(Bucket=bucket)


@pytest.fixture
def obs_bucket(s3: Any) -> Iterator[str]:
    """The name of a fresh bucket, deleted with everything in it after the test."""
    name = f"test-{secrets.token_hex(6)}"
    s3.create_bucket(Bucket=name)
    yield name
    bucket_delete(s3, name)


def bucket_delete(s3: Any, name: str) -> None:
    """Delete a bucket with its objects and unfinished multipart uploads."""
    from botocore.exceptions import ClientError

    try:
        for page in s3.get_paginator("list_multipart_uploads").paginate(Bucket=name):
            for upload in page.get("Uploads", []):
                s3.abort_multipart_upload(Bucket=name, Key=upload["Key"], UploadId=upload["UploadId"])
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
            keys = [{"Key": obj["Key"]} for obj in page.get("Contents", [])]
            if keys:
                s3.delete_objects(Bucket=name, Delete={"Objects": keys, "Quiet": True})
        s3.delete_bucket(Bucket=name)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "NoSuchBucket":
            raise


# --- the Celery worker --------------------------------------------------------------------------------


class CeleryWorker:
    """A real ``celery worker`` process (prefork, concurrency 2) on the pytest-django test database.

    It consumes the session's own queue (``settings.CELERY_TASK_DEFAULT_QUEUE``, unique per session), so
    tasks that the code under test enqueues reach it. It sees committed data only: use ``live_worker``
    (or ``transactional_db``) in tests that use it. It reads settings from the environment at start;
    ``settings`` fixture overrides in the test process do not reach it.
    """

    def __init__(self, *, env: dict[str, str], queue: str, log_path: Path) -> None:
        self.env = env
        self.queue = queue
        self.hostname = f"{queue}@{socket.gethostname()}"
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.startup_seconds = 0.0

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 60.0) -> None:
        """Start the worker and wait until it answers a ping."""
        if self.alive:
            return
        began, offset = time.monotonic(), self.log_size()
        self.process = spawn(
            [
                sys.executable, "-m", "celery", "-A", "factory", "worker", "--pool=prefork", "--concurrency=2",
                "-Q", self.queue, "-n", self.hostname, "-l", "info", "--without-gossip", "--without-mingle",
            ],
            log_path=self.log_path,
            env=self.env,
            cwd=REPO_ROOT,
        )  # fmt: skip
        while not self.ping(timeout=0.5):
            if self.process.poll() is not None:
                pytest.fail(
                    f"the Celery worker exited with status {self.process.returncode} while starting; its log "
                    f"({self.log_path}):\n{self.log_text(since=offset)}",
                    pytrace=False,
                )
            if time.monotonic() - began > timeout:
                self.kill()
                pytest.fail(
                    f"the Celery worker did not answer within {timeout:.0f}s; its log ({self.log_path}):\n"
                    f"{self.log_text(since=offset)}",
                    pytrace=False,
                )
        self.startup_seconds = time.monotonic() - began

    def ping(self, timeout: float = 1.0) -> bool:
        """Whether this worker answers a control ping through the broker within ``timeout`` seconds."""
        from factory.celery import app

        replies = app.control.ping(destination=[self.hostname], timeout=timeout, limit=1)
        return any(self.hostname in reply for reply in replies)

    def stop(self, timeout: float = 30.0) -> None:
        """Warm shutdown (finish the running tasks), killing it after ``timeout`` seconds."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the main process; it stops its pool itself
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once, as a crash would (no acks, no cleanup)."""
        if self.process is None:
            return
        signal_group(self.process, signal.SIGKILL)
        self.process.wait()

    def restart(self) -> None:
        """Stop (or, after :meth:`kill`, just start) the worker and start a new one on the same queue."""
        self.stop()
        self.start()

    # The names used in the design notes.
    worker_kill = kill
    worker_restart = restart

    def settle(self, timeout: float = 30.0) -> None:
        """Drop queued messages and wait until no task runs, so nothing leaks into the next test.

        A worker that stays busy past ``timeout`` is killed and started afresh.
        """
        from factory.celery import app

        if not self.alive:
            return
        with app.connection_for_write() as connection:
            connection.default_channel.queue_purge(self.queue)
        inspect = app.control.inspect(destination=[self.hostname], timeout=1.0)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            active, reserved = inspect.active() or {}, inspect.reserved() or {}
            if not active.get(self.hostname) and not reserved.get(self.hostname):
                return
            time.sleep(0.2)
        print(
            f"the Celery worker was still busy {timeout:.0f}s after the test: restarting it", file=sys.stderr
        )
        self.kill()
        self.start()

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_text(self, since: int | None = None, max_chars: int = 20_000) -> str:
        if not self.log_path.exists():
            return "(no log)"
        with open(self.log_path, "rb") as log:
            log.seek(since or 0)
            text = log.read().decode(errors="replace")
        return text if len(text) <= max_chars else "...\n" + text[-max_chars:]

    def environ(self) -> dict[str, str]:
        """The environment the running worker process actually has (from /proc), for assertions."""
        if self.process is None:
            return {}
        raw = Path(f"/proc/{self.process.pid}/environ").read_bytes()
        pairs = (entry.split(b"=", 1) for entry in raw.split(b"\0") if b"=" in entry)
        return {key.decode(): value.decode(errors="replace") for key, value in pairs}


def _test_database_url(name: str) -> str:
    """DATABASE_URL with the database name replaced by the test database's."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + quote(name)))


@pytest.fixture(scope="session")
def celery_worker(
    django_db_setup: None, django_db_blocker: Any, request: pytest.FixtureRequest
) -> Iterator[CeleryWorker]:
    """A real Celery worker on the test database, started once per session, stopped at its end.

    Needs PostgreSQL (the worker is another process: it cannot see an in-memory SQLite test database).
    """
    from django.db import connection

    from factory.celery import app

    require_postgresql("the Celery worker")
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    if not queue.startswith("test-"):  # settings other than devtools.test_settings: make one up
        queue = f"test-{os.getpid()}-{secrets.token_hex(3)}"
        settings.CELERY_TASK_DEFAULT_QUEUE = queue
    app.conf.task_default_queue = queue
    RESULTS_DIR.mkdir(exist_ok=True)
    for old in RESULTS_DIR.glob("celery-worker-*.log"):  # sessions may run side by side: one log each
        if time.time() - old.stat().st_mtime > 86400:
            old.unlink(missing_ok=True)
    log_path = RESULTS_DIR / f"celery-worker-{queue}.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "factory.settings"),
        "DATABASE_URL": _test_database_url(connection.settings_dict["NAME"]),
        "VAR_DIR": str(settings.VAR_DIR),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_QUEUE": queue,
        "PYTHONUNBUFFERED": "1",
    }
    worker = CeleryWorker(env=env, queue=queue, log_path=log_path)
    request.config.stash[_session_worker] = worker
    with django_db_blocker.unblock():
        connection.close()  # no connection of ours may be half-open when the worker forks its pool
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def live_worker(
    celery_worker: CeleryWorker, transactional_db: None, request: pytest.FixtureRequest
) -> Iterator[CeleryWorker]:
    """The session's Celery worker, for a test on committed data (transactional_db); running, and idle
    again after the test."""
    celery_worker.start()  # again, if an earlier test killed it
    request.node.stash[_worker_log_offset] = celery_worker.log_size()
    yield celery_worker
    celery_worker.settle()


# --- the browser --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (which cannot download browsers here)."""
    require_postgresql("a browser test")
    if not CHROMIUM.exists():
        pytest.fail(
            f"browser tests need Chromium at {CHROMIUM}: install it with `apt-get install chromium` "
            "(`make test` does so when run as root)",
            pytrace=False,
        )
    # Playwright's sync API keeps an event loop running in this thread; Django would refuse ORM calls
    # from tests as "async-unsafe". They are not: the loop only drives the browser.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    except BaseException:
        playwright.stop()
        raise
    yield browser
    with contextlib.suppress(Exception):
        browser.close()
    playwright.stop()


@pytest.fixture
def page(chromium_browser: Any, live_server: Any) -> Iterator[Any]:
    """A page in a fresh browser context (no cookies) on the live server: ``page.goto("/login/")``."""
    context = chromium_browser.new_context(accept_downloads=True, base_url=live_server.url)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()
