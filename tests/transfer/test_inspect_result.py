"""The inspection the worker records is the one ``package_inspect`` computes: its rows are written as JSON
text (orjson) as the package is read, and the task row's ``result`` from that text, never from a dict of
the whole inspection; what is stored and what the API reads back must not differ by a value."""

from __future__ import annotations

import json
from typing import Any

import pytest

from factory.development.models import Job, ScheduleStatus
from factory.development.services import job_create, script_create
from factory.packages import package_read
from factory.transfer.imports import package_inspect
from factory.transfer.imports.inspect import RowSpool, inspection_json
from factory.workspaces.models import LockPolicy
from tests.builders import (
    node,
    package_bytes,
    package_connection,
    package_dws_job,
    package_job,
    package_resource,
    package_script,
)
from tests.transfer.importing import start

pytestmark = pytest.mark.django_db


def _package() -> bytes:
    params = [
        {"name": "day", "value": "1", "type": "variable"},
        {"name": "city", "value": "Zürich ☃", "type": "variable"},
        {"name": "password", "value": "carried", "type": "variable"},
    ]
    return package_bytes(
        jobs=[
            package_dws_job("doc1", script="dws_script", params=params),
            package_job("daily"),
            package_job("spark", [node("s", "DLISpark", {"clusterName": "q_old", "jobName": "x"})]),
            package_job("odd", [node("m", "NoSuchNodeType", {})]),
        ],
        scripts=[package_script("dws_script"), package_script("s_new", directory="/sql/ü")],
        resources=[package_resource("udf")],
        connections=[package_connection("doctest")],
        environment=[{"name": "region", "value": "eu"}],
    )


def test_the_recorded_inspection_is_package_inspect_s_value_for_value(target, media, tmp_path) -> None:
    target.workspace.lock_policy = LockPolicy.HARD
    target.workspace.save()
    job_create(
        workspace=target.workspace, user=target.bob, document=package_dws_job("doc1", connection="dws2")
    )
    daily = job_create(workspace=target.workspace, user=target.dev, document=package_job("daily"))
    Job.objects.filter(pk=daily.pk).update(schedule_status=ScheduleStatus.SCHEDULING)
    script_create(workspace=target.workspace, user=target.bob, document=package_script("dws_script", "dws2"))
    data = _package()

    task = start(target.workspace, target.dev, data)
    stored = task.result["inspection"]

    path = tmp_path / "jobs.zip"
    path.write_bytes(data)
    with package_read(source=path) as package:
        computed: dict[str, Any] = package_inspect(
            package=package, workspace=target.workspace, user=target.dev
        )
    # What the worker adds about the file it read.
    computed["package"].update(
        {key: stored["package"][key] for key in ("fileName", "source", "sha256", "size")}
    )
    assert stored == json.loads(json.dumps(computed))
    jobs = {row["name"]: row for row in stored["jobs"]}
    assert jobs["doc1"]["exists"] and jobs["doc1"]["blockedReason"] == "locked by bob"
    assert (
        jobs["daily"]["scheduled"]
        and jobs["daily"]["blockedReason"] == "job daily is scheduled; stop it first"
    )
    assert not jobs["spark"]["exists"]
    params = {param["name"]: param for param in jobs["doc1"]["params"]}
    assert params["city"]["value"] == "Zürich ☃"
    assert params["password"] == {"name": "password", "value": "", "type": "variable", "masked": True}
    scripts = {row["name"]: row for row in stored["scripts"]}
    assert scripts["dws_script"]["exists"] and scripts["dws_script"]["lockHolder"] == "bob"
    assert not scripts["s_new"]["exists"]
    assert stored["summary"]["conflicts"] == 3 and stored["summary"]["blocked"] == 3
    assert stored["warnings"] and stored["summary"]["warnings"] == len(stored["warnings"])


def test_rows_spooled_are_the_rows_kept_as_dicts(target, media, tmp_path) -> None:
    job_create(
        workspace=target.workspace, user=target.bob, document=package_dws_job("doc1", connection="dws2")
    )
    path = tmp_path / "jobs.zip"
    path.write_bytes(_package())
    spool = RowSpool()
    with package_read(source=path) as package:
        as_dicts = package_inspect(package=package, workspace=target.workspace, user=target.dev)
        spooled = package_inspect(package=package, workspace=target.workspace, user=target.dev, spool=spool)
    assert spooled["jobs"] == [] and spooled["scripts"] == []
    for kind in ("jobs", "scripts"):
        assert [json.loads(row) for row in spool.rows(kind)] == json.loads(json.dumps(as_dicts[kind]))
        spooled[kind] = as_dicts[kind]
    assert spooled == as_dicts


def test_a_value_orjson_cannot_write_goes_through_json() -> None:
    inspection = {"jobs": [], "environment": [{"name": "e", "value": 2**80}]}
    assert json.loads(inspection_json(inspection)) == {"inspection": inspection}
    spool = RowSpool()
    row = {"name": "j", "params": [{"name": "n", "value": 2**70}], "city": "Zürich"}
    spool.add("jobs", row)
    assert [json.loads(text) for text in spool.rows("jobs")] == [row]
    assert list(spool.rows("scripts")) == []


def test_many_rows_come_back_in_order_from_a_spool() -> None:
    spool = RowSpool()
    rows = [{"name": f"script_{i:05d}", "directory": "/d/" + "x" * (i % 300)} for i in range(20_000)]
    for row in rows:
        spool.add("scripts", row)
    assert spool.counts["scripts"] == len(rows)
    assert [json.loads(text) for text in spool.rows("scripts")] == rows
