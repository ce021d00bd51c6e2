"""A second console for the tests: another process of this project on another port, with its own
PostgreSQL database (created and migrated on the harness's server), its own Celery worker on that
database and queue, its own VAR_DIR (so its own secret keys), and the session's SeaweedFS, Redis broker
and code. What a promotion to "a remote console" talks to, over real HTTP with AK/SK.

A pytest plugin (``tests/conftest.py`` loads it): the fixtures ``second_console`` (session-scoped, started
on first use) and ``staging_bucket`` (the SeaweedFS bucket both consoles' workspaces may use, where
promotions stage their packages).

``second_console_start`` makes the database (``<test database>_remote``), migrates it, arranges a user, a
workspace (allowed to read the staging bucket) and an access key through the management commands, then
starts gunicorn and the worker; ``SecondConsole.stop`` ends both and drops the database. The fixture that
uses them is ``second_console`` below. Its URL (``http://127.0.0.1:<port>``) is a remote endpoint this
console may reach because ``devtools/test_settings.py`` allows ``http://127.0.0.1:*`` in
``PROMOTION_REMOTE_ENDPOINTS`` (the port is chosen when it starts, after the Celery worker read its settings).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

from devtools.processes import signal_group, spawn
from devtools.servers import free_ports
from tests.harness import REPO_ROOT, RESULTS_DIR, CeleryWorker, bucket_delete, require_postgresql

ADMIN = "remote_admin"
WORKSPACE = "prod_remote"
CONNECTION = "prod_dws"
QUEUE = "prod_queue"
START_TIMEOUT_SECONDS = 60


def _database_url(name: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + quote(name)))


def _admin_sql(statement: str) -> None:
    """Run one statement outside a transaction on the harness's PostgreSQL (CREATE/DROP DATABASE)."""
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as connection:
        connection.execute(statement)


@dataclass
class SecondConsole:
    """The running second console: its URL, its database, and the key of its workspace's admin."""

    url: str
    database: str
    env: dict[str, str] = field(repr=False)
    var_dir: Path
    bucket: str
    ak: str = ""
    sk: str = field(default="", repr=False)
    project_id: str = ""
    workspace_id: str = ""
    server: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    worker: CeleryWorker | None = field(default=None, repr=False)
    log_path: Path = field(default=RESULTS_DIR / "second-console.log")
    startup_seconds: float = 0.0

    def manage(self, *args: str, stdin: str | None = None) -> str:
        """``manage.py`` against the second console's database; its output (fails the test on an error)."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            env=self.env,
            cwd=REPO_ROOT,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args)} on the second console failed:\n{done.stderr[-4000:]}"
            )
        return done.stdout

    def python(self, code: str) -> str:
        """Python run by ``manage.py shell`` on the second console (to arrange or read its state)."""
        return self.manage("shell", "--no-imports", "-c", code)

    def workspace_new(self) -> str:
        """A fresh workspace of the admin's (staging bucket allowed, with connection ``prod_dws`` and DLI
        queue ``prod_queue``), so that
        each test promotes into an empty target: its public id (the v1 ``workspace`` header)."""
        name = f"prod_{secrets.token_hex(4)}"
        out = self.python(
            "from django.contrib.auth.models import User\n"
            "from factory.connections.services import connection_create, external_object_create\n"
            "from factory.workspaces.services import workspace_create\n"
            f"admin = User.objects.get(username={ADMIN!r})\n"
            f"ws = workspace_create(name={name!r}, user=admin, obs_allow_list=[{self.bucket!r}])\n"
            f"connection_create(workspace=ws, user=admin, name={CONNECTION!r}, type='DWS', config={{'host': '10.20.30.40'}})\n"
            f"external_object_create(workspace=ws, kind='dli_queue', name={QUEUE!r})\n"
            "print('public id:', ws.public_id)\n"
        )
        return re.search(r"public id: (\S+)", out)[1]  # type: ignore[index]

    def client(self, *, sk: str | None = None) -> Any:
        from tests.dataarts.sdk import sdk_client

        return sdk_client(ak=self.ak, sk=sk or self.sk, project_id=self.project_id, endpoint=self.url)

    def log_text(self, max_chars: int = 20_000) -> str:
        """The server's log (gunicorn's, with Django's errors), its end."""
        return (
            self.log_path.read_text(errors="replace")[-max_chars:] if self.log_path.exists() else "(no log)"
        )

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        if self.server is not None and self.server.poll() is None:
            signal_group(self.server, 15)
            try:
                self.server.wait(20)
            except subprocess.TimeoutExpired:
                signal_group(self.server, 9)
                self.server.wait()
        try:
            _admin_sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        finally:
            shutil.rmtree(self.var_dir, ignore_errors=True)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/v1/", timeout=1):  # noqa: S310 - our own server on loopback
            return True
    except urllib.error.HTTPError:
        return True  # it answered (404 APIGW.0101, or 401)
    except OSError:
        return False


def second_console_start(*, test_database: str, bucket: str) -> SecondConsole:
    """Start the second console (see the module); the caller stops it."""
    began = time.monotonic()
    database = f"{test_database}_remote"
    queue = f"remote-{os.getpid()}-{secrets.token_hex(3)}"
    var_dir = Path(tempfile.mkdtemp(prefix="factory-second-console-"))
    port = free_ports(1)[0]
    RESULTS_DIR.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "factory.settings",
        "DATABASE_URL": _database_url(database),
        "VAR_DIR": str(var_dir),
        "MEDIA_ROOT": str(var_dir / "media"),
        "CELERY_QUEUE": queue,
        "CACHE_KEY_PREFIX": queue,
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SUPERUSER_PASSWORD": secrets.token_urlsafe(12),
    }
    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEY"):  # its own, made in its VAR_DIR
        env.pop(name, None)
    console = SecondConsole(
        url=f"http://127.0.0.1:{port}",
        database=database,
        env=env,
        var_dir=var_dir,
        bucket=bucket,
        log_path=RESULTS_DIR / f"second-console-{queue}.log",
    )
    try:
        _admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        _admin_sql(f'CREATE DATABASE "{database}"')
        console.manage("migrate", "--noinput", "--verbosity", "0")
        # The server boots while the user, workspace and key are made.
        console.server = spawn(
            [
                sys.executable, "-m", "gunicorn", "factory.wsgi:application", "--bind", f"127.0.0.1:{port}",
                "--workers", "1", "--threads", "4", "--timeout", "120", "--no-control-socket",
            ],
            log_path=console.log_path,
            env=env,
            cwd=REPO_ROOT,
        )  # fmt: skip
        console.manage("createsuperuser", "--noinput", "--username", ADMIN, "--email", "admin@remote.test")
        created = console.manage("workspace", "create", WORKSPACE, "--admin", ADMIN, "--obs-allow", bucket)
        console.workspace_id = re.search(r"public id: (\S+)", created)[1]  # type: ignore[index]
        key = console.manage("accesskey", "create", ADMIN, "--workspace", WORKSPACE)
        console.ak = re.search(r"access key id: (\S+)", key)[1]  # type: ignore[index]
        console.sk = re.search(r"secret access key: (\S+)", key)[1]  # type: ignore[index]
        console.project_id = re.search(r"project id: (\S+)", key)[1]  # type: ignore[index]
        console.worker = CeleryWorker(
            env=env, queue=queue, log_path=RESULTS_DIR / f"celery-worker-{queue}.log"
        )
        console.worker.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not _answers(console.url):
            if console.server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the second console did not start; its log:\n{console.log_text()}")
            time.sleep(0.2)
    except BaseException:
        console.stop()
        raise
    console.startup_seconds = time.monotonic() - began
    return console


_started = pytest.StashKey[SecondConsole]()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    console = config.stash.get(_started, None)
    if console is not None:
        terminalreporter.write_line(
            f"second console: {console.url}, started in {console.startup_seconds:.1f}s (database {console.database}, "
            f"log {console.log_path})"
        )


@pytest.fixture(scope="session")
def staging_bucket(s3: Any) -> Iterator[str]:
    """The bucket both consoles' workspaces may use: promotions stage their packages in it."""
    name = f"staging-{secrets.token_hex(5)}"
    s3.create_bucket(Bucket=name)
    yield name
    bucket_delete(s3, name)


@pytest.fixture(scope="session")
def second_console(
    django_db_setup: None, django_db_blocker: Any, staging_bucket: str, request: pytest.FixtureRequest
) -> Iterator[SecondConsole]:
    """Another console on another port (gunicorn), its own database, Celery worker and keys (see the
    module); stopped, and its database dropped, at the end of the session."""
    from django.db import connection

    require_postgresql("the second console")
    with django_db_blocker.unblock():
        test_database = connection.settings_dict["NAME"]
    console = second_console_start(test_database=test_database, bucket=staging_bucket)
    request.config.stash[_started] = console
    yield console
    console.stop()
