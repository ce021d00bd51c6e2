"""Documents and zip builders shared by the package tests."""

from __future__ import annotations

import copy
import io
import stat
import struct
import warnings
import zipfile
from typing import Any

import pytest

from factory.packages import (
    ConnectionEntry,
    JobEntry,
    ManifestInfo,
    Package,
    PackageError,
    ResourceEntry,
    ScriptEntry,
    package_read,
    package_write,
)
from factory.packages.jsonio import document_dumps
from factory.packages.limits import Limits

EXPORTED_AT = "2025-06-01T08:00:00+00:00"


def job_document(name: str = "doc1", **extra: Any) -> dict[str, Any]:
    """A job shaped like a real DataArts export, with fields no document lists."""
    document: dict[str, Any] = {
        "name": name,
        "processType": "BATCH",
        "directory": "/etl/daily",
        "cleanOverdueDays": 60,
        "maskedParams": ["apiKey"],
        "resouces": [],
        "basicConfig": {"owner": "alice", "priority": 0, "customFields": {}, "tags": []},
        "schedule": {"type": "CRON", "cron": {"expression": "0 0 2 * * ?", "expressionTimeZone": "GMT+8"}},
        "params": [
            {"name": "bizdate", "value": "${yyyyMMdd}", "type": "variable"},
            {"name": "apiKey", "value": "k-123", "type": "variable"},
            {"name": "token", "value": "t-456", "masked": True},
        ],
        "nodes": [
            {
                "name": "load_sql",
                "type": "DWSSQL",
                "location": {"x": "-45.5", "y": "-134.5"},
                "preNodeName": [],
                "failPolicy": "FAIL_CHILD",
                "maxExecutionTime": 360,
                "pollingInterval": "20",
                "retryTimes": 0,
                "retryInterval": 120,
                "execTimeOutRetry": "false",
                "properties": [
                    {"name": "scriptName", "value": "load_trips", "value_is_sensitive": False},
                    {"name": "connectionName", "value": "dws_main"},
                    {"name": "dbPassword", "value": "hunter2", "value_is_sensitive": True},
                ],
            },
            {
                "name": "notify",
                "type": "SMN",
                "location": {"x": 120, "y": 0},
                "preNodeName": ["load_sql"],
                "conditions": [{"preNodeName": "load_sql", "expression": "#{true}"}],
                "properties": [{"name": "topic", "value": "etl-done"}],
            },
        ],
    }
    document.update(extra)
    return document


def script_document(name: str = "load_trips", content: str = "SELECT * FROM trips;") -> dict[str, Any]:
    return {
        "name": name,
        "type": "DWSSQL",
        "content": content,
        "connectionName": "dws_main",
        "database": "postgres",
        "configuration": {},
        "directory": "/etl",
        "templateVersion": "1.0",
    }


def resource_document(name: str = "udf_jar") -> dict[str, Any]:
    return {
        "name": name,
        "type": "jar",
        "location": "obs://bucket/udf.jar",
        "dependFiles": [],
        "desc": "UDFs",
    }


def connection_document(name: str = "dws_main") -> dict[str, Any]:
    return {"name": name, "type": "DWS", "config": {"ip": "10.0.0.1", "port": "8000", "password": ""}}


def manifest_info(**overrides: Any) -> ManifestInfo:
    values: dict[str, Any] = {
        "scope": "with_dependencies",
        "job_status": "develop",
        "workspace": "ws-dev",
        "user": "alice",
        "exported_at": EXPORTED_AT,
        "references": [
            {"type": "DWS_CONNECTION", "name": "dws_main"},
            {"type": "DLI_QUEUE", "name": "default"},
        ],
    }
    values.update(overrides)
    return ManifestInfo(**values)


def write_package(layout: str = "single", **overrides: Any) -> bytes:
    """A complete package: two jobs sharing a script, a second script, a resource, a connection."""
    arguments: dict[str, Any] = {
        "layout": layout,
        "jobs": [
            JobEntry("doc1", job_document("doc1"), ["load_trips"]),
            JobEntry("作业_1", job_document("作业_1"), ["load_trips", "清洗"]),
        ],
        "scripts": [
            ScriptEntry("load_trips", script_document()),
            ScriptEntry("清洗", script_document("清洗")),
        ],
        "resources": [ResourceEntry("udf_jar", resource_document())],
        "connections": [ConnectionEntry("dws_main", connection_document())],
        "environment": [{"name": "env", "value": "dev", "description": "stage"}],
        "manifest": manifest_info(),
    }
    arguments.update(overrides)
    return b"".join(package_write(**arguments))


def read(data: bytes, limits: Limits | None = None) -> Package:
    return package_read(source=io.BytesIO(data), limits=limits or Limits())


def zip_of(
    entries: list[tuple[str | zipfile.ZipInfo, bytes]], *, compression: int = zipfile.ZIP_DEFLATED
) -> bytes:
    """A zip written by the standard library, entry names taken literally (no sanitising)."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name" is what some tests want
        with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
            for name, data in entries:
                info = (
                    name
                    if isinstance(name, zipfile.ZipInfo)
                    else zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
                )
                info.compress_type = compression
                if not info.external_attr:
                    info.external_attr = (stat.S_IFREG | 0o644) << 16
                archive.writestr(info, data)
    return buffer.getvalue()


def json_bytes(document: Any) -> bytes:
    return document_dumps(document)


def minimal_job(name: str = "j1", nodes: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    document: dict[str, Any] = {"name": name, "processType": "BATCH", "nodes": nodes or []}
    document.update(extra)
    return document


def job_zip(document: Any, *, path: str = "jobs/j1.job") -> bytes:
    return zip_of([(path, json_bytes(document))])


def rewrite_entry(data: bytes, path: str, new_bytes: bytes) -> bytes:
    """The same package with one entry's content replaced (and the manifest left as it was)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    entries = [
        (info.filename, new_bytes if info.filename == path else source.read(info))
        for info in source.infolist()
    ]
    return zip_of(entries)


def patch_sizes(data: bytes, name: bytes, *, uncompressed: int) -> bytes:
    """Rewrite an entry's declared uncompressed size in both its local and central headers."""
    out = bytearray(data)
    local = out.index(b"PK\x03\x04" + b"\x14\x00")  # first local header
    while True:
        name_length = struct.unpack("<H", out[local + 26 : local + 28])[0]
        if bytes(out[local + 30 : local + 30 + name_length]) == name:
            struct.pack_into("<I", out, local + 22, uncompressed)
            break
        local = out.index(b"PK\x03\x04", local + 4)
    central = out.index(b"PK\x01\x02")
    while True:
        name_length = struct.unpack("<H", out[central + 28 : central + 30])[0]
        if bytes(out[central + 46 : central + 46 + name_length]) == name:
            struct.pack_into("<I", out, central + 24, uncompressed)
            return bytes(out)
        central = out.index(b"PK\x01\x02", central + 4)


def deep_copy(document: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(document)


def refused(data: bytes, limits: Limits | None = None) -> PackageError:
    with pytest.raises(PackageError) as caught:
        read(data, limits)
    return caught.value


def assert_refused(
    data: bytes, *, code: str, entry: str | None, text: str, limits: Limits | None = None
) -> None:
    """The reader refuses ``data`` with ``code``, naming ``entry``, and says ``text``."""
    error = refused(data, limits)
    assert error.code == code, str(error)
    assert error.entry == entry
    assert text in str(error)
