"""What the export tests share: a workspace to export from, built through the real services from the
documents of ``tests/builders.py``; an export run as the console runs it; helpers that open exported zips
and look for secrets in them.

``export_world_build`` is a plain function so that other folders' tests (``tests/api/test_exports.py``,
the import tests) build the same world; the fixture ``export_world`` wraps it (``tests/transfer/conftest.py``
imports it for the transfer tests).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser

from factory.connections.environment import environment_variable_create
from factory.connections.resources import resource_create
from factory.connections.services import connection_create
from factory.development.models import Job, Script
from factory.development.services import job_create, job_submit, script_create, script_submit
from factory.transfer.exports import ExportRequest, export_collect, export_select, export_stream
from factory.workspaces.models import Workspace
from tests.builders import job_document, node, script_document, user_make, workspace_make

CONN_PASSWORD = "Conn-Pa55word-Never-Leaves"
REST_PASSWORD = "Rest-Auth-Pa55-Never-Leaves"
REST_TOKEN = "Rest-Token-Never-Leaves-42"
NODE_SECRET = "Node-Secret-Never-Leaves-7"
API_KEY = "Api-Key-Masked-Never-Leaves"
MASKED_TOKEN = "Masked-Token-Never-Leaves"
WORLD_SECRETS = (CONN_PASSWORD, REST_PASSWORD, REST_TOKEN, NODE_SECRET, API_KEY, MASKED_TOKEN)


@dataclass
class ExportWorld:
    workspace: Workspace
    other: Workspace
    admin: AbstractBaseUser
    dev: AbstractBaseUser
    viewer: AbstractBaseUser
    stranger: AbstractBaseUser
    jobs: dict[str, Job] = field(default_factory=dict)
    scripts: dict[str, Script] = field(default_factory=dict)

    def job_ids(self, *names: str) -> tuple[int, ...]:
        return tuple(self.jobs[n].pk for n in names)


def _script(name: str, type_: str, connection: str) -> dict[str, Any]:
    return script_document(
        name, connection=connection, directory="/sql", type=type_, content=f"SELECT '{name}';"
    )


def export_world_build(prefix: str = "") -> ExportWorld:
    """Workspace ``exp`` (admin ``ada``, developer ``dev``, viewer ``vic``) holding:

    - connections ``doctest`` (DWS, with a password), ``hive_conn`` (HIVE), ``unused_conn``;
    - resource ``udf_jar``; environment variables ``ENV_A`` (used) and ``ENV_UNUSED``;
    - scripts ``dws_script`` (on doctest) and ``hive_script`` (on hive_conn) in /sql, ``lonely`` unused;
    - jobs: ``doc1`` (/etl: DWS SQL, env var, params, a CRON schedule depending on daily_load, unknown
      keys), ``daily_load`` (/etl/daily: Hive SQL, DLI Spark on udf_jar and queue dli_q), ``parent`` ->
      ``child`` -> ``grandchild`` -> ``parent`` (SubJob/ForEach cycle, /flows; grandchild also calls the
      missing ``ghost``), ``secret_job`` (/: every kind of secret);
    - workspace ``elsewhere`` (admin ``stranger``) with its own job ``foreign``.
    """
    admin, dev, viewer = user_make(f"{prefix}ada"), user_make(f"{prefix}dev"), user_make(f"{prefix}vic")
    stranger = user_make(f"{prefix}stranger")
    ws = workspace_make(f"{prefix}exp", admin=admin, developers=(dev,), viewers=(viewer,))
    other = workspace_make(f"{prefix}elsewhere", admin=stranger)
    world = ExportWorld(workspace=ws, other=other, admin=admin, dev=dev, viewer=viewer, stranger=stranger)

    connection_create(
        workspace=ws,
        user=admin,
        name="doctest",
        type="DWS",
        config={"host": "10.0.0.1", "port": 8000, "userName": "dbadmin"},
        secrets={"password": CONN_PASSWORD},
        description="the reference's DWS",
    )
    connection_create(workspace=ws, user=admin, name="hive_conn", type="HIVE", config={"clusterName": "mrs1"})
    connection_create(
        workspace=ws, user=admin, name="unused_conn", type="DWS", secrets={"password": CONN_PASSWORD}
    )
    resource_create(
        workspace=ws,
        user=admin,
        document={"name": "udf_jar", "type": "jar", "location": "obs://dlf-demo/udf.jar", "dependFiles": []},
    )
    environment_variable_create(workspace=ws, name="ENV_A", value="alpha", description="used by doc1")
    environment_variable_create(workspace=ws, name="ENV_UNUSED", value="zzz")

    for doc in (
        _script("dws_script", "DWSSQL", "doctest"),
        _script("hive_script", "HiveSQL", "hive_conn"),
        _script("lonely", "DWSSQL", "unused_conn"),
    ):
        world.scripts[doc["name"]] = script_create(workspace=ws, user=dev, document=doc)

    documents = [
        job_document(
            "doc1",
            directory="/etl",
            nodes=[
                node(
                    "DWS_SQL_1",
                    "DWSSQL",
                    {
                        "scriptName": "dws_script",
                        "connectionName": "doctest",
                        "database": '#{Env.get("ENV_A")}',
                    },
                )
            ],
            params=[{"name": "p1", "value": "v1", "type": "variable"}],
            schedule={
                "type": "CRON",
                "cron": {
                    "startTime": "2026-01-01T00:00:00+08",
                    "expression": "0 0 2 * * ?",
                    "expressionTimeZone": "GMT+8",
                    "dependJobs": {"jobs": ["daily_load"], "dependPeriod": "SAME_PERIOD"},
                },
            },
            cleanOverdueDays=60,
            customUnknownKey={"kept": ["as", "is"]},
        ),
        job_document(
            "daily_load",
            directory="/etl/daily",
            nodes=[
                node("hive", "HiveSQL", {"scriptName": "hive_script", "connectionName": "hive_conn"}),
                node(
                    "spark",
                    "DLISpark",
                    {
                        "clusterName": "dli_q",
                        "jobName": "spark1",
                        "resourceName": "udf_jar",
                        "jarArgs": "${p9}",
                    },
                ),
            ],
            params=[{"name": "p9", "value": "9"}],
        ),
        job_document(
            "parent", directory="/flows", nodes=[node("run_child", "SubJob", {"subJobName": "child"})]
        ),
        job_document(
            "child",
            directory="/flows",
            nodes=[node("loop", "ForEach", {"subJobName": "grandchild", "dataset": "[1,2]"})],
        ),
        job_document(
            "grandchild",
            directory="/flows/deep",
            nodes=[
                node("back", "SubJob", {"subJobName": "parent"}),
                node("missing", "SubJob", {"subJobName": "ghost"}),
            ],
        ),
        job_document(
            "secret_job",
            directory="/",
            nodes=[
                node(
                    "call",
                    "RESTAPI",
                    {"url": "https://example.test", "method": "GET", "authPassword": REST_PASSWORD},
                ),
                {
                    **node("sql", "DWSSQL", {"scriptName": "dws_script", "connectionName": "doctest"}),
                    "properties": [
                        {"name": "scriptName", "value": "dws_script"},
                        {"name": "connectionName", "value": "doctest"},
                        {"name": "dbPassword", "value": NODE_SECRET, "value_is_sensitive": True},
                        {"name": "authToken", "value": REST_TOKEN, "value_is_sensitive": "true"},
                    ],
                },
            ],
            params=[
                {"name": "apiKey", "value": API_KEY},
                {"name": "tok", "value": MASKED_TOKEN, "masked": True},
                {"name": "plain", "value": "visible"},
            ],
            maskedParams=["apiKey"],
        ),
    ]
    for doc in documents:
        world.jobs[doc["name"]] = job_create(workspace=ws, user=dev, document=doc)
    job_create(
        workspace=other,
        user=stranger,
        document=job_document("foreign", directory="/", nodes=[node("d", "Dummy", {})]),
    )
    world.jobs["foreign"] = Job.objects.get(workspace=other, name="foreign")
    return world


def submit_all(world: ExportWorld) -> None:
    """Submit every job and script of the main workspace (their creator holds their locks)."""
    for job in Job.objects.filter(workspace=world.workspace):
        job_submit(job=job, user=world.dev)
    for script in Script.objects.filter(workspace=world.workspace):
        script_submit(script=script, user=world.dev)


@pytest.fixture
def export_world(db) -> ExportWorld:
    return export_world_build()


def export(world: ExportWorld, **request: Any) -> tuple[str, bytes]:
    """The file name and bytes of an export, through the same three steps as the console."""
    selection = export_select(workspace=world.workspace, request=ExportRequest(**request))
    contents = export_collect(selection=selection)
    return selection.file_name, b"".join(
        export_stream(selection=selection, contents=contents, user=world.dev)
    )


# --- opening packages --------------------------------------------------------------------------------


def zip_entries(data: bytes) -> dict[str, bytes]:
    """Every entry of a zip, by path, uncompressed; also checks that the zip is sound."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert len(names) == len(set(names)), "duplicate entries"
        return {name: archive.read(name) for name in names}


def zip_json(data: bytes) -> dict[str, Any]:
    """Every entry parsed as JSON, by path."""
    return {name: json.loads(raw) for name, raw in zip_entries(data).items()}


def manifest_of(data: bytes) -> dict[str, Any]:
    return json.loads(zip_entries(data)["manifest.json"])


def assert_manifest_matches(data: bytes) -> dict[str, Any]:
    """The manifest lists every other entry exactly once with its true sha256 and size."""
    import hashlib

    entries = zip_entries(data)
    manifest = json.loads(entries.pop("manifest.json"))
    listed = {row["path"]: row for row in manifest["entries"]}
    assert set(listed) == set(entries)
    for path, raw in entries.items():
        assert listed[path]["sha256"] == hashlib.sha256(raw).hexdigest()
        assert listed[path]["size"] == len(raw)
    return manifest


def _base64_cores(raw: bytes, encode: Any) -> list[bytes]:
    """The base64 characters fully determined by ``raw`` wherever it sits in an encoded blob: one form
    per alignment (0, 1 or 2 bytes before it)."""
    cores = []
    for k in range(3):
        encoded = encode(b"\0" * k + raw).rstrip(b"=")
        first, last = -(-8 * k // 6), (8 * (k + len(raw))) // 6
        cores.append(encoded[first:last])
    return cores


def secret_forms(secret: str) -> list[bytes]:
    """A secret as it could hide in bytes: plain, base64 (standard and url-safe, any alignment) and hex."""
    import base64

    raw = secret.encode()
    forms = [raw, raw.hex().encode(), raw.hex().upper().encode()]
    forms += _base64_cores(raw, base64.b64encode) + _base64_cores(raw, base64.urlsafe_b64encode)
    return forms


def assert_no_secret(data: bytes, secrets: tuple[str, ...] | list[str]) -> None:
    """No secret, in any form, in the zip's raw bytes nor in any entry's uncompressed bytes."""
    blobs = [data, *zip_entries(data).values()]
    for secret in secrets:
        for form in secret_forms(secret):
            for blob in blobs:
                assert form not in blob, f"a form of secret {secret!r} leaked"
