"""The inspection reads each document of the package once, keeps none of them, and closes the package."""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from typing import Any

import pytest

from factory.packages.read import _Archive
from factory.transfer.imports import common as imports_common
from factory.transfer.imports import import_dry_run
from factory.transfer.models import TaskStatus
from tests.builders import (
    package_bytes,
    package_connection,
    package_dws_job,
    package_resource,
    package_script,
)
from tests.packages.helpers import json_bytes, rewrite_entry
from tests.transfer.importing import start

pytestmark = pytest.mark.django_db
SECRET_SQL = "SELECT 'only in the document';"


@pytest.fixture
def reads(monkeypatch) -> Counter[str]:
    """How often each entry's document is read from the package after the package was checked."""
    counted: Counter[str] = Counter()
    document = _Archive.document

    def counting(self: _Archive, member: Any, sha256: bytes) -> Any:
        counted[member.original] += 1
        return document(self, member, sha256)

    monkeypatch.setattr(_Archive, "document", counting)
    return counted


@pytest.fixture
def temporary_files(monkeypatch) -> list[Any]:
    """Every temporary copy of a package the import makes."""
    made: list[Any] = []
    make = tempfile.TemporaryFile

    def recording(*args: Any, **kwargs: Any) -> Any:
        made.append(make(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(imports_common.tempfile, "TemporaryFile", recording)
    return made


def package() -> bytes:
    sql = {**package_script("load", "dws2"), "content": SECRET_SQL}
    return package_bytes(
        jobs=[package_dws_job(f"job_{index}", connection="dws2", script="load") for index in range(3)],
        scripts=[sql, package_script("other", "missing_conn")],
        resources=[package_resource("udf")],
        connections=[package_connection("new_conn")],
        environment=[{"name": "ENV_A", "value": "a"}],
    )


def test_the_inspection_reads_each_document_once(target, media, reads, temporary_files):
    task = start(target.workspace, target.dev, package())

    inspection = task.result["inspection"]
    assert inspection["summary"]["jobs"] == 3, task.message
    assert dict(reads) == {
        "jobs/job_0.job": 1,
        "jobs/job_1.job": 1,
        "jobs/job_2.job": 1,
        "scripts/load.script": 1,
        "scripts/other.script": 1,
        "resources/udf.resource": 1,
        "connections/new_conn.conn": 1,
    }
    # The package was closed, its temporary copy with it.
    assert len(temporary_files) == 1 and temporary_files[0].closed


def test_the_inspection_holds_names_references_and_parameters_not_documents(target, media):
    task = start(target.workspace, target.dev, package())

    inspection = task.result["inspection"]
    stored = json.dumps(task.result)
    assert SECRET_SQL not in stored and '"nodes"' not in stored and '"content"' not in stored
    assert inspection["jobs"][0].keys() == {
        "name",
        "path",
        "directory",
        "processType",
        "nodeCount",
        "params",
        "scripts",
        "exists",
        "lockHolder",
        "scheduled",
        "blockedReason",
    }
    assert inspection["jobs"][0]["nodeCount"] == 1
    assert inspection["scripts"][0] == {
        "name": "load",
        "path": "scripts/load.script",
        "type": "DWSSQL",
        "directory": "/sql",
        "connectionName": "dws2",
        "exists": False,
        "lockHolder": None,
        "blockedReason": None,
    }
    assert inspection["references"]["script"] == ["load"]
    assert [group["kind"] for group in inspection["missing"]] == ["connection"]
    assert [ref["name"] for ref in inspection["missing"][0]["references"]] == ["missing_conn"]


def test_a_dry_run_closes_the_package(target, tmp_path, reads, temporary_files):
    path = tmp_path / "jobs.zip"
    path.write_bytes(package())

    inspection = import_dry_run(workspace=target.workspace, user=target.dev, file_path=str(path))

    assert inspection["summary"]["jobs"] == 3
    assert max(reads.values()) == 1
    assert len(temporary_files) == 1 and temporary_files[0].closed


def test_a_refused_package_leaves_no_temporary_copy_open(target, media, temporary_files):
    data = rewrite_entry(package(), "scripts/other.script", json_bytes(package_script("other", "dws2")))
    task = start(target.workspace, target.dev, data)

    assert task.status == TaskStatus.FAILED and "does not match its sha256" in task.message
    assert len(temporary_files) == 1 and temporary_files[0].closed
