"""Job, script and resource definitions as a DataArts user sends them through the v1 API: the documents of
``tests/builders.py`` with the canvas coordinates as strings (the SDK's ``Location`` holds strings) and a
resource's directory."""

from __future__ import annotations

from typing import Any

from tests import builders
from tests.builders import script_document

__all__ = ["job_document", "resource_document", "script_document"]


def job_document(name: str, *, connection: str = "doctest", script: str = "dws_script", **extra: Any) -> dict:
    """A small BATCH job with one DWS SQL node using ``script`` and ``connection``; ``extra`` merged in."""
    document = builders.job_document(name, connection=connection, script=script)
    document["nodes"][0]["location"] = {"x": "10.0", "y": "20.0"}
    document.update(extra)
    return document


def resource_document(name: str, **extra: Any) -> dict:
    return builders.resource_document(name, **{"directory": "/", **extra})
