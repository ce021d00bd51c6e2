"""The manifest is read a row at a time (``manifest_expected_scan``), never parsed whole: what it accepts it
reads exactly as the parser and ``manifest_expected`` would, and anything else goes to them, so that a
malformed manifest is refused with the same message as before."""

from __future__ import annotations

import hashlib
import io
import json
import tracemalloc
import zipfile
from typing import Any

import pytest

from factory.packages import ScriptEntry, package_read, package_write
from factory.packages.jsonio import BOM, document_dumps
from factory.packages.manifest import manifest_expected, manifest_expected_scan, manifest_text

from .helpers import manifest_info, script_document

DEPTH = 64
SHA = hashlib.sha256(b"x").hexdigest()


def row(path: str, sha256: str = SHA, **extra: Any) -> dict[str, Any]:
    return {"kind": "script", "path": path, "sha256": sha256, "size": 12, **extra}


def scanned(text: str) -> Any:
    return manifest_expected_scan(text, entry="manifest.json", max_depth=DEPTH)


@pytest.mark.parametrize(
    "text",
    [
        document_dumps(
            {"formatVersion": "1", "entries": [row("scripts/a.script"), row("scripts/b.script")]}
        ).decode(),
        json.dumps({"entries": [row("scripts/a.script")], "references": [{"type": "DWS", "name": "d"}]}),
        json.dumps({"references": [], "entries": [], "user": "u", "formatVersion": None}),
        json.dumps({"entries": [row("a", sha256=SHA.upper()), row("b", sha256="not a digest")]}),
        json.dumps({"entries": [row("a", note=None, flag=True, ratio=1.5)]}, indent=7),
        '  {\n\t"entries" :[ {"path":"a","sha256":"' + SHA + '"} ] , "x": {"y": [1, 2]}}\r\n',
        "{}",
        '{"entries": []}',
    ],
)
def test_a_plain_manifest_is_read_as_the_parser_reads_it(text: str) -> None:
    assert scanned(text) == manifest_expected(document=json.loads(text), entry="manifest.json")


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        '{"formatVersion": "2", "entries": []}',
        '{"entries": {}}',
        '{"entries": [{"path": 1, "sha256": "x"}]}',
        '{"entries": [{"path": "a"}]}',
        '{"entries": [{"path": "a", "sha256": "x", "size": [1]}]}',
        '{"references": "x"}',
        '{"entries": [], "entries": []}',
        '{"entries": [{"path": "a", "sha256": "x", "size": NaN}]}',
        '{"entries": [{"path": "a", "sha256": "x"},]}',
        '{"entries": []} trailing',
        '{"entries": [], }',
        '{"entries": [',
        '{"x": ' + "[" * DEPTH + "]" * DEPTH + "}",
        "",
    ],
)
def test_anything_else_is_left_to_the_parser(text: str) -> None:
    assert scanned(text) is None


def test_text_the_database_cannot_store_is_left_to_the_parser() -> None:
    assert manifest_text(b'{"user": "a\\u0000"}') is None
    assert manifest_text(b"\xff{}") is None
    assert manifest_text(BOM + b"{}") == "{}"


def _peak_of_reading(data: bytes) -> int:
    tracemalloc.start()
    try:
        with package_read(source=io.BytesIO(data)) as package:
            assert len(package.scripts) == 5_000
            return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_package_s_manifest_is_not_parsed_whole() -> None:
    """What reading a package's manifest of 5,000 rows adds to the peak of reading the package is a
    fraction of what parsing that manifest whole costs (which the reader did before)."""
    scripts = [ScriptEntry(f"s_{i:05d}", script_document(f"s_{i:05d}")) for i in range(5_000)]
    data = b"".join(package_write(layout="single", jobs=[], scripts=scripts, manifest=manifest_info()))
    without = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(without, "w") as target:
        manifest = source.read("manifest.json")
        for info in source.infolist():
            if info.filename != "manifest.json":
                target.writestr(info, source.read(info))
    tracemalloc.start()
    try:
        parsed = json.loads(manifest)
        parsed_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(parsed["entries"]) == 5_000
    del parsed
    added = _peak_of_reading(data) - _peak_of_reading(without.getvalue())
    assert added < parsed_peak / 2, (added, parsed_peak, len(manifest))
