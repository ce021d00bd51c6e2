"""A handful of small hostile packages for the in-process import tests: each as ``(builder, expected code,
text the task message must contain)``, so that one parametrized test can check that the import task fails
with the reader's message and writes nothing. The full corpus (``generate.py``) builds on them."""

from __future__ import annotations

import stat
import zipfile
from typing import Any

from tests.builders import node
from tests.packages.helpers import json_bytes, minimal_job, zip_of

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
