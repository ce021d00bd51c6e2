"""No secret ever leaves, whatever it looks like: hypothesis draws the secrets (printable, at least 12
characters) of one export -> import through the console API and the v1 API, and none of them, nor its
hex or base64 form (any alignment), nor its JSON- or repr-escaped form, appears

- in the exported packages (console export and v1 export), raw or in any entry;
- in any answer of the console API or the v1 API along the way (the wizard's steps, its report, the
  imported connection, both workspaces' job, the v1 system task and job);
- in any log line, every logger at DEBUG, SQL statements with their parameters included;
- in any system task or subtask row after the import (name, message, params, result), whose
  ``secrets_encrypted`` is emptied once the import is done.

The secrets: workspace A's connection password, a property flagged ``value_is_sensitive``, a property
the node registry calls sensitive (Rest Client ``authPassword``), a masked parameter, and the password
typed in at the wizard's step 2 for the connection the import creates in workspace B (``createConnections``),
which must arrive there (decrypted in the test) and nowhere else. And those nothing flags (``ROLES``
from "connection apiKey" on): config keys named like a secret and a JDBC URL's password in a connection
stored before the console refused them, header lines (``Authorization``, ``X-Api-Key``), a Shell
``--password`` argument and ``interactiveArgs``, an unmasked parameter named ``db_password``, and, on
one node of every node type of the registry, every text field holding a ``--password`` value, a URL
password and an ``Authorization`` line, and a property named ``apiKey``. Where only part of a value is
secret, the rest of it must survive the export. ``tests/security/test_secrets.py``
walks every GET route with fixed secrets; this is its randomised counterpart on the transfer path.
"""

from __future__ import annotations

import io
import json
import logging
import os
import zipfile
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factory.connections.models import DataConnection
from factory.connections.services import connection_create
from factory.crypto import secrets_decrypt
from factory.development.models import Job
from factory.development.nodes import NODE_TYPES, NodeType
from factory.development.services import job_create, script_create
from factory.transfer.models import SubTask, SystemTask, TaskStatus
from factory.workspaces.services import access_key_create
from tests.builders import client_for, user_make, workspace_make
from tests.dataarts.sdk import signed_call
from tests.property.strategies import secrets_text
from tests.transfer.exporting import secret_forms

pytestmark = pytest.mark.django_db
JSON = "application/json"
SECRETS = settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES_SECRETS", "12")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ROLES = (
    "connection password",
    "flagged property",
    "registry-sensitive property",
    "masked parameter",
    "typed in",
    "connection apiKey",
    "connection authorization",
    "connection keytab",
    "connection URL password",
    "Authorization header",
    "X-Api-Key header",
    "Shell --password",
    "Shell interactiveArgs",
    "unmasked db_password parameter",
    "every field: --password",
    "every field: URL password",
    "every field: Authorization header",
    "every node type: apiKey property",
)
# Secrets that stand in a URL are percent-encoded there, as a URL's password must be.
URL_ROLES = ("connection URL password", "every field: URL password")
HEADERS = "Content-Type: application/json\nAuthorization: Bearer {auth}\nX-Api-Key: {api}"


def _text_fields(node_type: NodeType) -> list[str]:
    """The fields of a node type a user types text into: no reference, choice, number or secret."""
    return [f.name for f in node_type.fields if f.widget in ("text", "textarea") and not f.sensitive]


def _every_type_nodes(secrets: dict[str, str]) -> list[dict[str, Any]]:
    """One node of every registry type, each text field holding a secret three ways, plus ``apiKey``."""
    text = (
        f"--user etl --password {secrets['every field: --password']} "
        f"https://etl:{secrets['every field: URL password']}@files.example/in\n"
        f"Authorization: Bearer {secrets['every field: Authorization header']}"
    )
    return [
        {
            "name": f"t_{code}",
            "type": code,
            "properties": [
                *({"name": name, "value": text} for name in _text_fields(node_type)),
                {"name": "apiKey", "value": secrets["every node type: apiKey property"]},
            ],
        }
        for code, node_type in NODE_TYPES.items()
    ]


def leak_forms(secret: str) -> list[bytes]:
    """How a secret could show: as itself, hex, base64 (``secret_forms``), JSON-escaped and repr-escaped."""
    forms = set(secret_forms(secret))
    for text in (json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1], repr(secret)[1:-1]):
        forms.add(text.encode())
    return sorted(forms)


def assert_no_leak(what: str, blob: bytes | str, secrets: dict[str, str]) -> None:
    data = blob.encode("utf-8", "backslashreplace") if isinstance(blob, str) else blob
    for role, secret in secrets.items():
        for form in leak_forms(secret):
            assert form not in data, f"the {role} ({secret!r}) leaked into {what} as {form!r}"


def zip_blobs(data: bytes) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [data, *(archive.read(name) for name in archive.namelist())]


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- logs at DEBUG, every logger, SQL included ----------------------------------------------------------


@pytest.fixture
def every_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
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
    forced = connection.force_debug_cursor
    connection.force_debug_cursor = True  # django.db.backends logs every statement with its parameters
    yield caplog
    connection.force_debug_cursor = forced
    for logger, level, disabled in saved:
        logger.setLevel(level)
        logger.disabled = disabled
        if logger is not logging.getLogger() and caplog.handler in logger.handlers:
            logger.removeHandler(caplog.handler)


_PLAIN_RECORD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__)


def log_text(caplog: pytest.LogCaptureFixture) -> str:
    lines = []
    for record in caplog.records:
        lines += [record.getMessage(), repr(record.args), record.exc_text or ""]
        lines.append(repr({k: v for k, v in record.__dict__.items() if k not in _PLAIN_RECORD}))
    return "\n".join(lines)


@pytest.fixture
def inline_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    from factory.transfer.imports import apply as imports_apply
    from factory.transfer.imports import inspect as imports_inspect
    from factory.transfer.imports import start as import_services

    services = {"import_inspect": imports_inspect.import_inspect, "import_apply": imports_apply.import_apply}
    monkeypatch.setattr(import_services, "_enqueue", lambda name, task_id: services[name](task_id=task_id))


# --- the flow -------------------------------------------------------------------------------------------


def _world(secrets: dict[str, str]) -> dict[str, Any]:
    user = user_make("keeper")
    a = workspace_make("sec_a", admin=user, is_default=True)
    b = workspace_make("sec_b", admin=user)
    key, sk = access_key_create(user=user, workspace=a)
    connection_create(
        workspace=a,
        user=user,
        name="dws_src",
        type="DWS",
        config={"host": "10.0.0.1", "port": 8000, "userName": "dbadmin"},
        secrets={"password": secrets["connection password"]},
    )
    # A row stored before the console refused these in config (its services refuse them now), written
    # with SQL logging off: this statement is the test's setup, not something the app logs.
    forced, connection.force_debug_cursor = connection.force_debug_cursor, False
    DataConnection.objects.filter(workspace=a, name="dws_src").update(
        config={
            "host": "10.0.0.1",
            "port": 8000,
            "userName": "dbadmin",
            "apiKey": secrets["connection apiKey"],
            "authorization": f"Basic {secrets['connection authorization']}",
            "keytab": secrets["connection keytab"],
            "jdbcUrl": f"jdbc:postgresql://dbadmin:{secrets['connection URL password']}@10.0.0.1:8000/gaussdb",
        }
    )
    connection.force_debug_cursor = forced
    script_create(
        workspace=a,
        user=user,
        document={
            "name": "dws_script",
            "type": "DWSSQL",
            "content": "SELECT 1;",
            "connectionName": "dws_src",
        },
    )
    job = job_create(
        workspace=a,
        user=user,
        document={
            "name": "secret_job",
            "processType": "BATCH",
            "directory": "/etl",
            "nodes": [
                {
                    "name": "sql",
                    "type": "DWSSQL",
                    "properties": [
                        {"name": "scriptName", "value": "dws_script"},
                        {"name": "connectionName", "value": "dws_src"},
                        {
                            "name": "dbPassword",
                            "value": secrets["flagged property"],
                            "value_is_sensitive": True,
                        },
                    ],
                },
                {
                    "name": "call",
                    "type": "RESTAPI",
                    "preNodeName": ["sql"],
                    "properties": [
                        {"name": "url", "value": "https://example.test/hook"},
                        {"name": "authPassword", "value": secrets["registry-sensitive property"]},
                        {
                            "name": "headers",
                            "value": HEADERS.format(
                                auth=secrets["Authorization header"], api=secrets["X-Api-Key header"]
                            ),
                        },
                    ],
                },
                {
                    "name": "shell",
                    "type": "Shell",
                    "preNodeName": ["sql"],
                    "properties": [
                        {
                            "name": "arguments",
                            "value": f"--user etl --password {secrets['Shell --password']} -v",
                        },
                        {"name": "interactiveArgs", "value": secrets["Shell interactiveArgs"]},
                    ],
                },
                *_every_type_nodes(secrets),
            ],
            "params": [
                {"name": "token", "value": secrets["masked parameter"], "masked": True},
                {"name": "plain", "value": "visible"},
                {"name": "db_password", "value": secrets["unmasked db_password parameter"]},
            ],
        },
    )
    return {"user": user, "a": a, "b": b, "key": (key.access_key_id, sk), "job": job}


def _assert_the_rest_survives(package: bytes) -> None:
    """Where only part of a value is secret, the package keeps the rest of it."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        job = json.loads(archive.read("jobs/secret_job.job"))
        conn = json.loads(archive.read("connections/dws_src.conn"))
    props = {(n["name"], p["name"]): p for n in job["nodes"] for p in n["properties"]}
    assert props[("call", "headers")]["value"] == HEADERS.format(auth="", api="").replace("Bearer ", "")
    assert props[("shell", "arguments")]["value"] == '--user etl --password "" -v'
    assert props[("shell", "interactiveArgs")] == {
        "name": "interactiveArgs",
        "value": "",
        "value_is_sensitive": True,
    }
    assert props[("t_Shell", "arguments")]["value"] == (
        '--user etl --password "" https://etl:@files.example/in\nAuthorization: '
    )
    assert all(props[(f"t_{code}", "apiKey")]["value"] == "" for code in NODE_TYPES)
    params = {p["name"]: p["value"] for p in job["params"]}
    assert params == {"token": "", "plain": "visible", "db_password": ""}
    assert conn["config"] == {
        "host": "10.0.0.1",
        "port": 8000,
        "userName": "dbadmin",
        "jdbcUrl": "jdbc:postgresql://dbadmin:@10.0.0.1:8000/gaussdb",
    }


def _v1(world: dict[str, Any], method: str, path: str, *, workspace: str, payload: Any = None) -> Any:
    ak, sk = world["key"]
    raw = json.dumps(payload).encode() if payload is not None else None
    return signed_call(
        Client(),
        ak=ak,
        sk=sk,
        method=method,
        path=f"/v1/{world['a'].project_id}/{path}",
        headers={"workspace": workspace},
        body=raw,
    )


@SECRETS
@given(drawn=st.lists(secrets_text, min_size=len(ROLES), max_size=len(ROLES), unique=True))
def test_no_secret_leaves_through_an_export_and_an_import(
    drawn: list[str], every_log, inline_tasks, django_capture_on_commit_callbacks
):
    secrets = dict(zip(ROLES, drawn, strict=True))
    for role in URL_ROLES:
        secrets[role] = quote(secrets[role], safe="")
    with transaction.atomic():
        every_log.clear()
        world = _world(secrets)
        a, b, job = world["a"], world["b"], world["job"]
        client = client_for(world["user"])
        answers: list[tuple[str, bytes]] = []

        exported = client.post(
            f"/api/workspaces/{a.pk}/exports/", {"jobIds": [job.pk], "scope": "with_dependencies"}, JSON
        )
        assert exported.status_code == 200, body(exported)
        package = body(exported)
        v1_exported = _v1(
            world, "POST", "jobs/secret_job/export", workspace="sec_a", payload={"exportDepend": True}
        )
        assert v1_exported.status_code == 200, body(v1_exported)
        for name, data in (("the console export", package), ("the v1 export", body(v1_exported))):
            for blob in zip_blobs(data):
                assert_no_leak(name, blob, secrets)
        _assert_the_rest_survives(package)

        base = f"/api/workspaces/{b.pk}/imports/"
        with django_capture_on_commit_callbacks(execute=True):
            started = client.post(base, {"file": SimpleUploadedFile("DLF_secret_job.zip", package)})
        assert started.status_code == 202, started.content
        task_url = f"{base}{started.json()['task']['id']}/"
        inspected = client.get(task_url)
        assert inspected.json()["status"] == "WAITING", inspected.json()["message"]
        choice = {"createConnections": [{"name": "dws_src", "secrets": {"password": secrets["typed in"]}}]}
        with django_capture_on_commit_callbacks(execute=True):
            applied = client.post(f"{task_url}apply/", choice, JSON)
        assert applied.status_code == 202, applied.content
        done = client.get(task_url)
        assert done.json()["status"] == "SUCCESSFUL", done.json()["message"]

        created = DataConnection.objects.get(workspace=b, name="dws_src")
        assert secrets_decrypt(ciphertext=created.secrets_encrypted) == {"password": secrets["typed in"]}
        imported = Job.objects.get(workspace=b, name="secret_job")
        answers += [
            ("the import's start", started.content),
            ("the inspection", inspected.content),
            ("the apply's answer", applied.content),
            ("the finished import", done.content),
            ("the import report", body(client.get(f"{task_url}report.json"))),
            ("B's connections", client.get(f"/api/workspaces/{b.pk}/connections/").content),
            ("B's connection", client.get(f"/api/workspaces/{b.pk}/connections/{created.pk}/").content),
            ("A's job", client.get(f"/api/workspaces/{a.pk}/jobs/{job.pk}/").content),
            ("B's job", client.get(f"/api/workspaces/{b.pk}/jobs/{imported.pk}/").content),
            (
                "the v1 system task",
                body(_v1(world, "GET", f"system-tasks/{done.json()['id']}", workspace="sec_b")),
            ),
            ("the v1 job in A", body(_v1(world, "GET", "jobs/secret_job", workspace="sec_a"))),
            ("the v1 job in B", body(_v1(world, "GET", "jobs/secret_job", workspace="sec_b"))),
        ]
        for name, data in answers:
            assert_no_leak(name, data, secrets)

        for task in SystemTask.objects.all():
            assert task.status in (TaskStatus.SUCCESSFUL, TaskStatus.FAILED) and task.secrets_encrypted == ""
            row = json.dumps([task.name, task.message, task.params, task.result], ensure_ascii=False)
            assert_no_leak(f"system task {task.public_id}", row, secrets)
        for subtask in SubTask.objects.all():
            row = json.dumps([subtask.name, subtask.message, subtask.detail], ensure_ascii=False)
            assert_no_leak(f"subtask {subtask.name}", row, secrets)

        assert any(r.name == "django.db.backends" for r in every_log.records), "SQL was not logged"
        assert_no_leak("the logs", log_text(every_log), secrets)
        transaction.set_rollback(True)
