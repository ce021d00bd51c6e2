"""``package_reopen(lazy=True)``: the package the index describes, whose zip is opened (with every check of
``package_read``) only when an entry is first read, so that a step reading no entry never parses the zip's
directory. What it reads is what the eager reopen reads; what the eager one refuses at once, the lazy one
refuses at the first read, with the same error."""

from __future__ import annotations

import io
from typing import Any

import pytest

from factory.packages import PackageError, package_read
from factory.packages import read as read_module
from factory.packages.read import package_index, package_reopen

from .helpers import rewrite_entry, write_package, zip_of
from .test_read_checked import described


def _index(data: bytes) -> dict[str, Any]:
    with package_read(source=io.BytesIO(data)) as package:
        index = package_index(package)
    assert index is not None
    return index


@pytest.fixture
def opened(monkeypatch) -> list[object]:
    """The zips opened (``_archive_open`` calls)."""
    calls: list[object] = []
    original = read_module._archive_open

    def counted(source, **kwargs):
        calls.append(source)
        return original(source, **kwargs)

    monkeypatch.setattr(read_module, "_archive_open", counted)
    return calls


@pytest.mark.parametrize("layout", ["single", "batch"])
def test_a_lazy_reopen_opens_the_zip_at_the_first_read_and_reads_what_the_eager_one_reads(layout, opened):
    data = write_package(layout)
    index = _index(data)
    with package_reopen(source=io.BytesIO(data), index=index) as eager:
        expected = described(eager)
    opened.clear()
    with package_reopen(source=io.BytesIO(data), index=index, lazy=True) as lazy:
        assert [job.name for job in lazy.jobs] == [row[0] for row in expected["jobs"]]
        assert opened == []  # names, paths and digests come from the index
        assert described(lazy) == expected
        assert len(opened) == 1  # once, for every entry
        assert lazy.jobs[0].text() == lazy.jobs[0].text()


def test_a_lazy_reopen_refuses_at_the_first_read_what_the_eager_one_refuses_at_once():
    data = write_package("single")
    index = _index(data)
    job_path = next(row[1] for row in index["jobs"])

    hostile = package_reopen(source=io.BytesIO(zip_of([("../evil.job", b"{}")])), index=index, lazy=True)
    with hostile, pytest.raises(PackageError) as caught:
        _ = hostile.jobs[0].document
    assert caught.value.code == "zip.path_traversal"

    missing = package_reopen(source=io.BytesIO(zip_of([("jobs/other.job", b"{}")])), index=index, lazy=True)
    with missing, pytest.raises(PackageError) as caught:
        missing.jobs[0].text()
    assert caught.value.code == "zip.changed"

    other = rewrite_entry(data, job_path, b'{"name": "doc1", "processType": "BATCH", "nodes": []}')
    with package_reopen(source=io.BytesIO(other), index=index, lazy=True) as changed:
        with pytest.raises(PackageError) as caught:
            _ = changed.jobs[0].document
        assert caught.value.code == "zip.changed"


def test_a_lazy_reopen_never_read_closes_the_file_it_owns(opened):
    data = write_package("single")
    index = _index(data)
    opened.clear()
    source = io.BytesIO(data)
    package = package_reopen(source=source, index=index, owns_source=True, lazy=True)
    package.close()
    assert source.closed and opened == []
    with pytest.raises(PackageError) as caught:
        _ = package.jobs[0].document
    assert caught.value.code == "zip.unreadable"
