"""Secrets never come back: not in any API answer, not in any log line, not in any task message.

A workspace gets connections with distinctive passwords, an access key, jobs with sensitive properties
and masked parameters, an export and an import (which creates a connection whose password is typed in at
step 2), all through the console API and the v1 API, with every logger at DEBUG and the Celery messages
recorded. Then every GET of both APIs (enumerated from the URL resolver, as the access matrix is) is
called, and each secret is looked for in every answer, every log record and every message: as itself,
in hex and in base64 (any alignment), inside zip entries too.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from factory.connections.models import DataConnection
from factory.development.models import Job, JobVersion
from factory.transfer.models import ExportArtifact, SubTask, SystemTask
from tests.builders import package_bytes, package_connection, package_dws_job
from tests.security.routes import console_api_routes, v1_routes
from tests.security.world import World, route_values, v1_call
from tests.transfer.exporting import secret_forms

pytestmark = pytest.mark.django_db
JSON = "application/json"

CONN_PASSWORD = "Sec-Conn-Pw-7f3a9c0e"
CONN_PASSWORD_UPDATED = "Sec-Conn-Pw2-b81d44a6"
IMPORT_CONN_PASSWORD = "Sec-Import-Conn-Pw-2c71f0"
NODE_SECRET = "Sec-Node-Sensitive-41d2aa"  # a property flagged value_is_sensitive
REST_PASSWORD = "Sec-Rest-Auth-Pw-88e1c3"  # a property the node-type registry calls sensitive
MASKED_PARAM = "Sec-Masked-Param-5b6c07"  # a parameter with "masked": true
MASKED_LISTED = "Sec-Masked-Listed-0a9d2f"  # a parameter named in maskedParams
IMPORT_MASKED = "Sec-Import-Masked-3e8f19"  # a masked parameter's value typed in at import
V1_IMPORT_MASKED = "Sec-V1-Import-Masked-77ab"  # the same through the v1 API's jobsParam


# --- recording ---------------------------------------------------------------------------------------


@pytest.fixture
def every_log(caplog) -> Iterator[pytest.LogCaptureFixture]:
    """Every logger at DEBUG, each also feeding caplog directly (a logger that does not propagate would
    escape a handler on the root alone)."""
    loggers = [logging.getLogger()] + [
        logger for logger in logging.root.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    saved = [(logger, logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        if not logger.propagate:
            logger.addHandler(caplog.handler)
    caplog.handler.setLevel(logging.DEBUG)
    yield caplog
    for logger, level, disabled in saved:
        logger.setLevel(level)
        logger.disabled = disabled
        if caplog.handler in logger.handlers and logger is not logging.getLogger():
            logger.removeHandler(caplog.handler)


_RECORD_ATTRIBUTES = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__)


def _log_text(caplog: pytest.LogCaptureFixture) -> str:
    """Every record's message, arguments, traceback and ``extra`` values."""
    lines = []
    for record in caplog.records:
        lines.append(record.getMessage())
        lines.append(repr(record.args))
        if record.exc_text:
            lines.append(record.exc_text)
        lines.append(repr({k: v for k, v in record.__dict__.items() if k not in _RECORD_ATTRIBUTES}))
    return "\n".join(lines)


class Messages:
    """The Celery messages the code under test sends (task name, args, kwargs), as JSON, run in-process
    unless the task is in ``record_only``."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.record_only: set[str] = set()

    def text(self) -> str:
        return "\n".join(self.sent)


@pytest.fixture
def messages(monkeypatch, settings) -> Messages:
    import factory.transfer.exports as export_services
    from factory.transfer import tasks
    from factory.transfer.imports import apply as imports_apply
    from factory.transfer.imports import inspect as imports_inspect
    from factory.transfer.imports import start as import_services
    from factory.transfer.imports import stored as imports_stored

    recorded = Messages()
    runners = {
        tasks.export_run: lambda task_id: export_services.export_run(task_id=task_id),
        tasks.import_inspect: lambda task_id: imports_inspect.import_inspect(task_id=task_id),
        tasks.import_apply: lambda task_id: imports_apply.import_apply(task_id=task_id),
        tasks.import_apply_stored: lambda task_id: imports_stored.import_apply_stored(task_id=task_id),
    }
    for task, run in runners.items():

        def delay(*args: Any, _task: Any = task, _run: Any = run, **kwargs: Any) -> None:
            recorded.sent.append(json.dumps({"task": _task.name, "args": args, "kwargs": kwargs}))
            if _task.name not in recorded.record_only:
                _run(*args, **kwargs)

        monkeypatch.setattr(task, "delay", delay)

    def chain(names: tuple[str, ...], task_id: int) -> None:  # a chain: each link's message, in order
        for name in names:
            getattr(tasks, name).delay(task_id)

    monkeypatch.setattr(import_services, "_enqueue_chain", chain)
    settings.EXPORT_SYNC_MAX_JOBS = 1  # exports of two jobs or more run as tasks
    return recorded


def _forms(secrets: list[str]) -> list[tuple[str, bytes]]:
    return [(secret, form) for secret in secrets for form in secret_forms(secret)]


def _blobs(data: bytes) -> list[bytes]:
    """The bytes of an answer, and those of every entry when it is a zip."""
    blobs = [data]
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                blobs += [archive.read(name) for name in archive.namelist()]
        except zipfile.BadZipFile:
            pass
    return blobs


def _found(data: bytes | str, secrets: list[str]) -> list[str]:
    raw = data.encode() if isinstance(data, str) else data
    blobs = _blobs(raw)
    return sorted({secret for secret, form in _forms(secrets) if any(form in blob for blob in blobs)})


def _content(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


# --- the world, built through the APIs ---------------------------------------------------------------


def _sensitive_job(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "processType": "BATCH",
        "directory": "/",
        "nodes": [
            {
                "name": "call",
                "type": "RESTAPI",
                "location": {"x": 10, "y": 20},
                "preNodeName": [],
                "properties": [
                    {"name": "url", "value": "https://example.test"},
                    {"name": "method", "value": "GET"},
                    {"name": "authPassword", "value": REST_PASSWORD},
                ],
            },
            {
                "name": "sql",
                "type": "DWSSQL",
                "location": {"x": 200, "y": 20},
                "preNodeName": ["call"],
                "properties": [
                    {"name": "scriptName", "value": "alpha_script"},
                    {"name": "connectionName", "value": "alpha_conn"},
                    {"name": "dbPassword", "value": NODE_SECRET, "value_is_sensitive": True},
                ],
            },
        ],
        "schedule": {"type": "EXECUTE_ONCE"},
        "params": [
            {"name": "tok", "value": MASKED_PARAM, "masked": True},
            {"name": "apiKey", "value": MASKED_LISTED},
            {"name": "plain", "value": "visible"},
        ],
        "maskedParams": ["apiKey"],
        "basicConfig": {"owner": "", "priority": 0},
    }


def _call(client: Client, capture: Any, method: str, path: str, body: Any = None, **extra: Any) -> Any:
    with capture(execute=True):
        if body is None:
            return client.generic(method, path, **extra)
        return client.generic(method, path, json.dumps(body), content_type=JSON, **extra)


def _upload(client: Client, capture: Any, path: str, data: bytes) -> Any:
    with capture(execute=True):
        return client.post(
            path, {"file": SimpleUploadedFile("pkg.zip", data, content_type="application/zip")}
        )


class Sweep:
    """Every answer the test received, by request, for the secret search at the end."""

    def __init__(self) -> None:
        self.answers: list[tuple[str, bytes]] = []

    def add(self, label: str, response: Any) -> Any:
        self.answers.append((label, _content(response)))
        return response


def _gets(world: World, sweep: Sweep) -> None:
    """Every GET of the console API and every GET of the v1 API, on workspace A's objects."""
    client = Client()
    client.force_login(world.a.admin)
    for route in console_api_routes():
        if "GET" in route.methods:
            path = route.path(route_values(route, objects=world.a))
            sweep.add(f"GET {path}", client.get(path))
    key = world.keys[world.a.admin.username]
    for route in v1_routes():
        if "GET" in route.methods:
            path = route.path(route_values(route, objects=world.a))
            sweep.add(
                f"GET {path} (v1)",
                v1_call(Client(), key=key, method="GET", path=path, workspace=world.a.workspace.public_id),
            )


def _assert_clean(secrets: list[str], sweep: Sweep, logs: str, messages: Messages) -> None:
    problems = []
    for label, data in sweep.answers:
        if found := _found(data, secrets):
            problems.append(f"the answer to {label} holds {found}")
    if found := _found(logs, secrets):
        problems.append(f"the logs hold {found}")
    if found := _found(messages.text(), secrets):
        problems.append(f"the Celery messages hold {found}")
    rows = json.dumps(
        [
            list(SystemTask.objects.values()),
            list(SubTask.objects.values()),
            list(ExportArtifact.objects.values()),
        ],
        default=str,
    )
    if found := _found(rows, secrets):
        problems.append(f"the task rows hold {found}")
    assert not problems, "\n".join(problems)


# --- the tests ---------------------------------------------------------------------------------------


def test_connection_and_key_secrets_never_leave(
    world: World, every_log, messages: Messages, django_capture_on_commit_callbacks
) -> None:
    capture, sweep = django_capture_on_commit_callbacks, Sweep()
    client = Client()
    client.force_login(world.a.admin)
    base = f"/api/workspaces/{world.a.workspace.pk}"

    # A connection with a password, then a new password.
    created = sweep.add(
        "POST connections",
        _call(
            client,
            capture,
            "POST",
            f"{base}/connections/",
            {
                "name": "sec_conn",
                "type": "DWS",
                "config": {"host": "10.0.0.7", "userName": "u"},
                "secrets": {"password": CONN_PASSWORD},
            },
        ),
    )
    assert created.status_code == 201, created.content
    assert created.json()["secretFields"] == ["password"]
    connection_id = created.json()["id"]
    updated = sweep.add(
        "PATCH connection",
        _call(
            client,
            capture,
            "PATCH",
            f"{base}/connections/{connection_id}/",
            {"secrets": {"password": CONN_PASSWORD_UPDATED}},
        ),
    )
    assert updated.status_code == 200
    world.a.connection = DataConnection.objects.get(pk=connection_id)
    stored = world.a.connection.secrets_encrypted
    assert CONN_PASSWORD_UPDATED not in stored and CONN_PASSWORD_UPDATED not in json.dumps(
        world.a.connection.config
    )

    # An access key: its secret is shown once, in the creation's answer (never cached), and used to sign.
    key_answer = _call(client, capture, "POST", "/api/access-keys/", {"workspaceId": world.a.workspace.pk})
    assert key_answer.status_code == 201 and key_answer["Cache-Control"] == "no-store"
    access_key_id, secret_key = key_answer.json()["accessKeyId"], key_answer.json()["secretAccessKey"]
    world.keys[world.a.admin.username] = (access_key_id, secret_key)
    bad = v1_call(
        Client(),
        key=(access_key_id, "not-the-secret"),
        method="GET",
        path=f"/v1/{world.project_id}/jobs",
        workspace=None,
    )
    assert bad.status_code == 401
    sweep.add("GET jobs with a bad signature", bad)

    # An import that creates the package's connection, its password typed in at step 2.
    package = package_bytes(
        jobs=[package_dws_job("imported_job", connection="imported_conn")],
        connections=[package_connection("imported_conn")],
    )
    started = sweep.add("POST imports", _upload(client, capture, f"{base}/imports/", package))
    assert started.status_code == 202, started.content
    task_id = started.json()["task"]["id"]
    applied = sweep.add(
        "POST imports apply",
        _call(
            client,
            capture,
            "POST",
            f"{base}/imports/{task_id}/apply/",
            {
                "createConnections": [
                    {"name": "imported_conn", "secrets": {"password": IMPORT_CONN_PASSWORD}}
                ],
            },
        ),
    )
    assert applied.status_code == 202, applied.content
    world.a.import_task = SystemTask.objects.get(public_id=task_id)
    assert world.a.import_task.status == "SUCCESSFUL", world.a.import_task.message
    assert DataConnection.objects.get(name="imported_conn").secret_fields == ["password"]
    # Exports: streamed (one job) and in the background (the whole workspace -> the Download Center).
    for body in (
        {"jobIds": [world.a.job.pk], "scope": "with_dependencies"},
        {"all": True, "scope": "with_dependencies"},
    ):
        answer = sweep.add("POST exports", _call(client, capture, "POST", f"{base}/exports/", body))
        assert answer.status_code in (200, 202), answer.content

    world.a.export_task = SystemTask.objects.filter(kind="export", workspace=world.a.workspace).first()
    world.a.artifact = ExportArtifact.objects.filter(task=world.a.export_task).first() or world.a.artifact

    _gets(world, sweep)
    secrets = [
        CONN_PASSWORD,
        CONN_PASSWORD_UPDATED,
        IMPORT_CONN_PASSWORD,
        secret_key,
        world.b.secret_key,
        settings.SECRET_KEY,
        settings.FIELD_ENCRYPTION_KEY,
        *([settings.OBS_SECRET_ACCESS_KEY] if settings.OBS_SECRET_ACCESS_KEY else []),
    ]
    _assert_clean(secrets, sweep, _log_text(every_log), messages)
    assert len(sweep.answers) > 40 and every_log.records  # the sweep and the logs did happen


def test_job_sensitive_values_never_leave(
    world: World, every_log, messages: Messages, django_capture_on_commit_callbacks
) -> None:
    capture, sweep = django_capture_on_commit_callbacks, Sweep()
    client = Client()
    client.force_login(world.a.admin)
    base = f"/api/workspaces/{world.a.workspace.pk}"

    created = _call(client, capture, "POST", f"{base}/jobs/", {"document": _sensitive_job("sec_job")})
    assert created.status_code == 201, created.content
    job_id = created.json()["id"]
    saved = _call(client, capture, "PUT", f"{base}/jobs/{job_id}/", {"document": _sensitive_job("sec_job")})
    assert saved.status_code == 200, saved.content
    assert _call(client, capture, "POST", f"{base}/jobs/{job_id}/submit/", {}).status_code == 201
    world.a.job = Job.objects.get(pk=job_id)
    world.a.job_version = JobVersion.objects.filter(job=world.a.job).latest("pk")
    sweep.add("POST exports", _call(client, capture, "POST", f"{base}/exports/", {"jobIds": [job_id]}))

    _gets(world, sweep)
    secrets = [NODE_SECRET, REST_PASSWORD, MASKED_PARAM, MASKED_LISTED]
    _assert_clean(secrets, sweep, _log_text(every_log), messages)


def test_import_masked_parameter_values_never_leave(
    world: World, every_log, messages: Messages, django_capture_on_commit_callbacks, monkeypatch, settings
) -> None:
    capture, sweep = django_capture_on_commit_callbacks, Sweep()
    client = Client()
    client.force_login(world.a.admin)
    base = f"/api/workspaces/{world.a.workspace.pk}"

    # A package whose job has a masked parameter (emptied by the export): the wizard asks for its value.
    document = _sensitive_job("imported_sec_job")
    document["params"] = [{"name": "tok", "value": "", "masked": True}]
    document["nodes"] = document["nodes"][:1]
    document["nodes"][0]["properties"] = document["nodes"][0]["properties"][:2]
    started = _upload(client, capture, f"{base}/imports/", package_bytes(jobs=[document]))
    assert started.status_code == 202, started.content
    task_id = started.json()["task"]["id"]
    applied = sweep.add(
        "POST apply",
        _call(
            client,
            capture,
            "POST",
            f"{base}/imports/{task_id}/apply/",
            {
                "jobParams": {"imported_sec_job": {"tok": IMPORT_MASKED}},
            },
        ),
    )
    assert applied.status_code == 202, applied.content
    world.a.import_task = SystemTask.objects.get(public_id=task_id)
    assert world.a.import_task.status == "SUCCESSFUL", world.a.import_task.message

    # The same through the v1 API (OBS stubbed: only the request and its message matter here).
    settings.OBS_ENDPOINT, settings.OBS_ACCESS_KEY_ID, settings.OBS_SECRET_ACCESS_KEY = (
        "http://obs.invalid",
        "a",
        "s",
    )
    monkeypatch.setattr("factory.dataarts.services.transfer.obs_exists", lambda path: True)
    messages.record_only |= {"transfer.import_inspect", "transfer.import_apply_stored"}
    with capture(execute=True):
        v1 = v1_call(
            Client(),
            key=world.keys[world.a.admin.username],
            method="POST",
            path=f"/v1/{world.project_id}/jobs/import",
            workspace=world.a.workspace.public_id,
            body={
                "path": "obs://bucket/jobs.zip",
                "jobsParam": [{"name": "imported_sec_job", "params": {"tok": V1_IMPORT_MASKED}}],
            },
        )
    assert v1.status_code == 200, v1.content
    sweep.add("POST v1 jobs/import", v1)
    settings.OBS_ENDPOINT = ""

    # The imported job itself is the previous test's business; here: the task's answers and messages.
    world.a.job = Job.objects.get(name="alpha_job")
    _gets(world, sweep)
    secrets = [IMPORT_MASKED, V1_IMPORT_MASKED]
    _assert_clean(secrets, sweep, _log_text(every_log), messages)
