"""What one document may cost the reader: its size (from the zip header, before it is read), the count of
its JSON values and its nesting depth (scanned before it is parsed), each refusal naming the entry and the
rule. Before these limits a 16 MiB job cost some 400 MiB to parse and a 900-deep one passed the reader
and failed later on recursion."""

from __future__ import annotations

import io
import json
import random
import tracemalloc
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from factory.packages import Limits, PackageError, package_write
from factory.packages.entries import JobEntry
from factory.packages.jsonio import document_depth_check, document_shape_check
from factory.packages.limits import MANIFEST_BYTES_PER_ENTRY

from .helpers import manifest_info, minimal_job, read, refused, rewrite_entry, zip_of

MIB = 1024 * 1024


def peak_of(action: Callable[[], Any]) -> tuple[Any, int]:
    """What ``action`` returned or raised, and the most memory Python held meanwhile."""
    tracemalloc.start()
    try:
        try:
            outcome: Any = action()
        except PackageError as exc:
            outcome = exc
        return outcome, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def stored_zip(entries: list[tuple[str, bytes]]) -> bytes:
    """Entries stored uncompressed: big documents without tripping the zip-bomb ratio."""
    return zip_of(entries, compression=zipfile.ZIP_STORED)


def test_a_job_over_8_mib_is_refused_from_its_header_without_being_read() -> None:
    # A 16 MiB list of small objects: parsed, it cost some 400 MiB.
    text = b'{"name": "big", "processType": "BATCH", "nodes": [], "x": [' + b'{"a":1},' * (2 * MIB) + b"{}]}"
    size, data = len(text), stored_zip([("jobs/big.job", text)])
    del text

    error, peak = peak_of(lambda: read(data))

    assert isinstance(error, PackageError)
    assert (error.code, error.entry) == ("zip.too_large", "jobs/big.job")
    assert str(error) == (
        f"jobs/big.job: is {size} bytes uncompressed; a job document may be at most {8 * MIB} bytes"
    )
    assert peak < 2 * MIB, f"peak {peak / MIB:.1f} MiB: the entry was read"


@pytest.mark.parametrize("kind_path", ["scripts/s.script", "resources/r.resource", "connections/c.conn"])
def test_every_kind_of_document_has_the_size_limit(kind_path: str) -> None:
    data = zip_of([("jobs/j1.job", json.dumps(minimal_job("j1")).encode()), (kind_path, b" " * 5000 + b"{}")])
    error = refused(data, Limits(max_document_bytes=4096))
    assert (error.code, error.entry) == ("zip.too_large", kind_path)
    assert "may be at most 4096 bytes" in error.message


def test_a_job_of_a_million_small_values_is_refused_before_it_is_parsed() -> None:
    rng = random.Random(7)
    samples = ",".join(rng.choice("01") for _ in range(1_000_001))
    text = ('{"name": "many", "processType": "BATCH", "nodes": [], "samples": [' + samples + "]}").encode()
    data = zip_of([("jobs/many.job", text)])

    error, peak = peak_of(lambda: read(data))

    assert isinstance(error, PackageError)
    assert (error.code, error.entry) == ("json.too_many_values", "jobs/many.job")
    assert "holds more than 1000000 JSON values" in str(error) and "at most 1000000 are allowed" in str(error)
    # The bytes (2 MB) and the scan, never the 8 MB list a parse would have built.
    assert peak < 3 * len(text), f"peak {peak / MIB:.1f} MiB: the document was parsed"


def test_a_well_formed_job_900_levels_deep_is_refused_naming_the_entry() -> None:
    text = b'{"name": "deep", "processType": "BATCH", "nodes": [], "x": ' + b"[" * 900 + b"]" * 900 + b"}"
    error = refused(zip_of([("jobs/deep.job", text)]))
    assert (error.code, error.entry) == ("json.malformed", "jobs/deep.job")
    assert str(error) == (
        "jobs/deep.job: is nested too deeply: arrays and objects more than 64 levels deep; at most 64 are allowed"
    )


@pytest.mark.parametrize("large", [False, True], ids=["parsed-then-walked", "scanned-before-parse"])
def test_depth_and_count_at_the_limit_pass_and_one_more_is_refused(large: bool) -> None:
    """Both paths (short text is parsed, then its depth walked; long text is scanned first) draw the
    line at the same place."""
    padding = "p" * (300 if large else 0)
    at_limit = {"name": "j1", "processType": "BATCH", "nodes": [], "pad": padding, "x": [[[[]]]]}  # 5 deep
    limits = Limits(max_json_depth=5, max_json_values=100)
    assert read(zip_of([("jobs/j1.job", json.dumps(at_limit).encode())]), limits).jobs[0].name == "j1"
    deeper = {**at_limit, "x": [[[[[]]]]]}
    error = refused(zip_of([("jobs/j1.job", json.dumps(deeper).encode())]), limits)
    assert error.code == "json.malformed" and "more than 5 levels deep" in error.message

    counted = {"name": "j1", "processType": "BATCH", "nodes": [], "pad": padding, "x": [0] * 94}  # 100 values
    assert read(zip_of([("jobs/j1.job", json.dumps(counted).encode())]), limits).jobs[0].name == "j1"
    one_more = {**counted, "x": [0] * 95}
    error = refused(zip_of([("jobs/j1.job", json.dumps(one_more).encode())]), limits)
    assert error.code == "json.too_many_values" and "more than 100 JSON values" in error.message


@pytest.mark.parametrize(
    "value",
    [
        [],
        {},
        [[]],
        {"a": [1, {"b": []}], "c": '[{,}]\\"]['},
        [" ", {"k,": "v[", "e": {}}, [[], [0, None, True, 1.5e3]]],
    ],
)
def test_the_scan_counts_exactly_what_the_parser_builds(value: Any) -> None:
    def count(item: Any) -> tuple[int, int]:
        children = list(item.values()) if isinstance(item, dict) else item if isinstance(item, list) else []
        inner = [count(child) for child in children]
        depth = 1 + max((d for _, d in inner), default=0) if isinstance(item, dict | list) else 0
        return 1 + sum(n for n, _ in inner), depth

    values, depth = count(value)
    for text in (json.dumps(value), json.dumps(value, indent=2)):
        data = text.encode()
        document_shape_check(data, max_values=values, max_depth=depth, entry="e")
        document_depth_check(value, max_depth=depth, entry="e")
        if values > 1:
            with pytest.raises(PackageError, match="JSON values"):
                document_shape_check(data, max_values=values - 1, max_depth=depth, entry="e")
        if depth:
            with pytest.raises(PackageError, match="nested too deeply"):
                document_shape_check(data, max_values=values, max_depth=depth - 1, entry="e")
            with pytest.raises(PackageError, match="nested too deeply"):
                document_depth_check(value, max_depth=depth - 1, entry="e")


def test_the_manifest_may_grow_with_the_entries_it_lists() -> None:
    """The manifest has a row per entry: it may exceed the document limit by a row's allowance for each
    document of the package, and no more."""
    jobs = [JobEntry(f"job_{i:03d}", minimal_job(f"job_{i:03d}")) for i in range(40)]
    data = b"".join(package_write(layout="single", jobs=jobs, scripts=[], manifest=manifest_info()))
    manifest = zipfile.ZipFile(io.BytesIO(data)).read("manifest.json")
    limits = Limits(max_document_bytes=4096)
    assert len(manifest) > limits.max_document_bytes  # over the document limit, within its allowance

    package = read(data, limits)
    assert package.has_manifest and len(package.jobs) == 40

    allowance = limits.max_document_bytes + 41 * MANIFEST_BYTES_PER_ENTRY  # 40 jobs and the manifest
    document = json.loads(manifest)
    unpadded = len(json.dumps(document | {"note": ""}).encode())
    padded = json.dumps(document | {"note": "x" * (allowance + 1 - unpadded)}).encode()
    assert len(padded) == allowance + 1
    error = refused(rewrite_entry(data, "manifest.json", padded), limits)
    assert (error.code, error.entry) == ("zip.too_large", "manifest.json")
    assert f"the manifest may be at most {allowance} bytes" in error.message
