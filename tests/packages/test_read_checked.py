"""Reading again a package read and validated before: ``package_read(checked=True)`` skips the documents'
rules (the caller compared the whole file's sha256), ``package_reopen`` opens the file from the index
``package_index`` kept, reading no document; both give the package ``package_read`` gives, and neither
opens the zip with less care. ``document_loads_checked`` parses what ``document_loads`` accepted, to the
same value."""

from __future__ import annotations

import io
from typing import Any

import pytest

from factory.packages import Package, PackageError, package_read
from factory.packages.jsonio import document_loads, document_loads_checked
from factory.packages.read import package_index, package_reopen

from .helpers import rewrite_entry, write_package, zip_of


def described(package: Package) -> dict[str, Any]:
    return {
        "layout": package.layout,
        "jobs": [(job.name, job.path, job.scripts, job.document) for job in package.jobs],
        "scripts": [(script.name, script.path, script.document) for script in package.scripts],
        "resources": [(entry.name, entry.path, entry.document) for entry in package.resources],
        "connections": [(entry.name, entry.path, entry.document) for entry in package.connections],
        "environment": package.environment,
        "ignored": package.ignored,
        "manifest": package.manifest,
    }


@pytest.mark.parametrize("layout", ["single", "batch"])
def test_a_package_read_checked_or_reopened_is_the_package_read(layout: str) -> None:
    data = write_package(layout)
    with package_read(source=io.BytesIO(data)) as package:
        expected = described(package)
        index = package_index(package)
    assert index is not None
    seen: list[tuple[str, str]] = []
    with package_read(
        source=io.BytesIO(data), checked=True, visit=lambda kind, name, doc: seen.append((kind, name))
    ) as checked:
        assert described(checked) == expected
    # Each job and script once (a script beside every job that uses it in the batch layout, too).
    assert sorted(seen) == sorted(
        [("job", job[0]) for job in expected["jobs"]] + [("script", s[0]) for s in expected["scripts"]]
    )
    with package_reopen(source=io.BytesIO(data), index=index) as reopened:
        assert described(reopened) == expected
        assert reopened.jobs[0].text() == reopened.jobs[0].text()  # the entry's bytes, read again


def test_a_reopened_package_reads_each_entry_against_the_index() -> None:
    """Reopened over another file (which the caller's sha256 would have refused first), an entry that is
    not there or holds other bytes is refused when read, never handed on."""
    data = write_package("single")
    with package_read(source=io.BytesIO(data)) as package:
        index = package_index(package)
        job_path = package.jobs[0].path
    assert index is not None
    other = rewrite_entry(data, job_path, b'{"name": "doc1", "processType": "BATCH", "nodes": []}')
    with package_reopen(source=io.BytesIO(other), index=index) as reopened:
        with pytest.raises(PackageError) as caught:
            _ = reopened.jobs[0].document
        assert caught.value.code == "zip.changed"
        with pytest.raises(PackageError):
            reopened.jobs[0].text()
    with pytest.raises(PackageError) as missing:
        package_reopen(source=io.BytesIO(zip_of([("jobs/other.job", b"{}")])), index=index)
    assert missing.value.code == "zip.changed"


def test_a_reopened_package_opens_the_zip_with_every_check() -> None:
    data = write_package("single")
    with package_read(source=io.BytesIO(data)) as package:
        index = package_index(package)
    assert index is not None
    hostile = zip_of([("../evil.job", b"{}")])
    with pytest.raises(PackageError) as caught:
        package_reopen(source=io.BytesIO(hostile), index=index)
    assert caught.value.code == "zip.path_traversal"
    with pytest.raises(PackageError):
        package_reopen(source=io.BytesIO(data), index={**index, "version": -1})


@pytest.mark.parametrize(
    "text",
    [
        b'{"a": 1, "a": 2}',
        b"[12345678901234567890123, -98765432109876543210, 18446744073709551615]",
        b"[0.1, 1e-7, 1.7976931348623157e308, 5e-324, -0.0, 1E400]",
        b'["\\ud83d\\ude00", "\\u00e9", "tab\\t", "\\ud800"]',
        b'\xef\xbb\xbf{"bom": true}',
        b"[" * 2000 + b"]" * 2000,
        b'{"n": 123456789012345678901.5}',
    ],
)
def test_a_checked_document_parses_to_what_the_check_parsed(text: bytes) -> None:
    try:
        expected = document_loads(text, entry="x.job", text_check=False)
    except PackageError as exc:
        with pytest.raises(PackageError) as caught:
            document_loads_checked(text, entry="x.job")
        assert caught.value.code == exc.code
        return
    parsed = document_loads_checked(text, entry="x.job")
    assert parsed == expected and repr(parsed) == repr(expected)
