"""Packages to import: valid ones (``package_bytes``), DataArts' own (no manifest) and hostile ones.

Each hostile generator returns ``(bytes, expected code, text the task message must contain)`` so that
one parametrized test can check that the import task fails with the reader's message and writes nothing.
"""

from __future__ import annotations

import json
import stat
import zipfile
from typing import Any

from factory.packages import (
    ConnectionEntry,
    JobEntry,
    ManifestInfo,
    ResourceEntry,
    ScriptEntry,
    package_write,
)
from tests.packages.helpers import json_bytes, minimal_job, zip_of


def node(name: str, type_: str, properties: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": type_,
        "location": {"x": 10, "y": 20},
        "preNodeName": [],
        "properties": [{"name": k, "value": v} for k, v in (properties or {}).items()],
        **extra,
    }


def job(name: str, nodes: list[dict[str, Any]] | None = None, directory: str = "/etl", **extra: Any) -> dict:
    doc: dict[str, Any] = {
        "name": name,
        "processType": "BATCH",
        "directory": directory,
        "nodes": nodes if nodes is not None else [node("n1", "Dummy")],
        "schedule": {"type": "EXECUTE_ONCE"},
        "params": [],
        "basicConfig": {"owner": "", "priority": 0},
    }
    doc.update(extra)
    return doc


def dws_job(name: str, *, connection: str = "doctest", script: str | None = None, **extra: Any) -> dict:
    """A job with one DWS SQL node on ``connection``, running ``script`` or an inline statement."""
    properties = {"scriptName": script} if script else {"statement": "SELECT 1;"}
    properties |= {"connectionName": connection, "database": "postgres"}
    return job(name, [node("DWS_SQL_1", "DWSSQL", properties)], **extra)


def script(name: str, connection: str = "doctest", type_: str = "DWSSQL", directory: str = "/sql") -> dict:
    return {
        "name": name,
        "type": type_,
        "content": f"SELECT '{name}';",
        "connectionName": connection,
        "database": "postgres",
        "directory": directory,
        "configuration": {},
    }


def resource(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "type": "jar",
        "location": f"obs://dlf-demo/{name}.jar",
        "dependFiles": [],
        "desc": "",
    }


def connection(name: str, type_: str = "DWS") -> dict[str, Any]:
    return {"name": name, "type": type_, "config": {"host": "10.0.0.9", "port": 8000, "userName": "dbadmin"}}


def package_bytes(
    *,
    jobs: list[dict[str, Any]] = (),  # type: ignore[assignment]
    scripts: list[dict[str, Any]] = (),  # type: ignore[assignment]
    resources: list[dict[str, Any]] = (),  # type: ignore[assignment]
    connections: list[dict[str, Any]] = (),  # type: ignore[assignment]
    environment: list[dict[str, Any]] | None = None,
    layout: str = "single",
) -> bytes:
    """A package our export would write: with a manifest, the single layout unless told."""
    return b"".join(
        package_write(
            layout=layout,  # type: ignore[arg-type]
            jobs=[JobEntry(d["name"], d) for d in jobs],
            scripts=[ScriptEntry(d["name"], d) for d in scripts],
            resources=[ResourceEntry(d["name"], d) for d in resources],
            connections=[ConnectionEntry(d["name"], d) for d in connections],
            environment=environment,
            manifest=ManifestInfo(
                scope="with_dependencies",
                job_status="develop",
                workspace="src",
                user="alice",
                exported_at="2026-01-01T00:00:00+00:00",
            ),
        )
    )


def dataarts_batch_package(jobs: list[dict[str, Any]], scripts_by_job: dict[str, list[dict]]) -> bytes:
    """A ``jobs.zip`` as DataArts itself writes it: no manifest, a folder per job, scripts beside it."""
    entries: list[tuple[str | zipfile.ZipInfo, bytes]] = []
    for doc in jobs:
        entries.append(
            (f"jobs/{doc['name']}/{doc['name']}.job", json.dumps(doc, ensure_ascii=False).encode())
        )
        for s in scripts_by_job.get(doc["name"], []):
            entries.append((f"jobs/{doc['name']}/{s['name']}.script", json.dumps(s).encode()))
    return zip_of(entries)


# --- hostile packages --------------------------------------------------------------------------------

GOOD_JOB = json_bytes(minimal_job("j1", [node("a", "Dummy")]))


def _symlink() -> bytes:
    info = zipfile.ZipInfo("jobs/link.job", (1980, 1, 1, 0, 0, 0))
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return zip_of([("jobs/j1.job", GOOD_JOB), (info, b"/etc/passwd")])


def _malformed_json() -> bytes:
    return zip_of(
        [("jobs/j1.job", GOOD_JOB), ("jobs/broken.job", b'{\n  "name": "broken",\n  "nodes": [,]\n}')]
    )


HOSTILE: dict[str, tuple[Any, str, str]] = {
    # name: (builder, code, text the message contains)
    "not_a_zip": (lambda: b"this is a text file, not a zip archive" * 10, "zip.", "zip"),
    "zip_slip": (
        lambda: zip_of([("jobs/j1.job", GOOD_JOB), ("../evil.job", b"{}")]),
        "zip.path_traversal",
        "../evil.job",
    ),
    "absolute_path": (
        lambda: zip_of([("jobs/j1.job", GOOD_JOB), ("/etc/jobs/x.job", b"{}")]),
        "zip.absolute_path",
        "absolute path",
    ),
    "symlink": (_symlink, "zip.symlink", "symbolic link"),
    "entry_bomb": (
        lambda: zip_of([("jobs/j1.job", GOOD_JOB), ("scripts/bomb.script", b" " * (3 * 1024 * 1024))]),
        "zip.bomb_ratio",
        "scripts/bomb.script",
    ),
    "duplicate_names": (
        lambda: zip_of([("jobs/j1.job", GOOD_JOB), ("jobs/j1/j1.job", GOOD_JOB)]),
        "layout.duplicate_name",
        "j1",
    ),
    "malformed_json": (_malformed_json, "json.", "jobs/broken.job: line 3, column"),
    "missing_required_field": (
        lambda: zip_of([("jobs/j1.job", json_bytes({"name": "j1", "processType": "BATCH"}))]),
        "schema.",
        "nodes",
    ),
    "unknown_pre_node": (
        lambda: zip_of(
            [("jobs/j1.job", json_bytes(minimal_job("j1", [node("a", "Dummy", preNodeName=["ghost"])])))]
        ),
        "schema.",
        "ghost",
    ),
    "cycle": (
        lambda: zip_of(
            [
                (
                    "jobs/j1.job",
                    json_bytes(
                        minimal_job(
                            "j1",
                            [node("a", "Dummy", preNodeName=["b"]), node("b", "Dummy", preNodeName=["a"])],
                        )
                    ),
                )
            ]
        ),
        "schema.",
        "cycle",
    ),
}


def too_many_entries(count: int) -> bytes:
    return zip_of([("jobs/j1.job", GOOD_JOB)] + [(f"docs/readme{i}.txt", b"x") for i in range(count)])
