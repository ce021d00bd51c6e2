"""Job, script and resource definitions as a DataArts user would send them."""

from __future__ import annotations

from typing import Any


def job_document(name: str, *, connection: str = "doctest", script: str = "dws_script", **extra: Any) -> dict:
    """A small BATCH job with one DWS SQL node using ``script`` and ``connection``; ``extra`` merged in."""
    document = {
        "name": name,
        "processType": "BATCH",
        "directory": "/",
        "nodes": [
            {
                "name": "DWS_SQL_1",
                "type": "DWSSQL",
                "location": {"x": "10.0", "y": "20.0"},
                "preNodeName": [],
                "properties": [
                    {"name": "scriptName", "value": script},
                    {"name": "connectionName", "value": connection},
                    {"name": "database", "value": "postgres"},
                ],
            }
        ],
        "schedule": {"type": "EXECUTE_ONCE"},
        "params": [],
        "basicConfig": {"owner": "", "priority": 0},
    }
    document.update(extra)
    return document


def script_document(name: str, **extra: Any) -> dict:
    document = {
        "name": name,
        "type": "DWSSQL",
        "content": "SELECT 1;",
        "connectionName": "doctest",
        "database": "postgres",
        "directory": "/",
        "configuration": {},
        "description": "",
    }
    document.update(extra)
    return document


def resource_document(name: str, **extra: Any) -> dict:
    document = {
        "name": name,
        "type": "jar",
        "location": f"obs://dlf-demo/resources/{name}.jar",
        "dependFiles": [],
        "desc": "",
        "directory": "/",
    }
    document.update(extra)
    return document
