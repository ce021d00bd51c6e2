"""The reader keeps no documents: each is checked once, then parsed again from the zip when asked for."""

from __future__ import annotations

import gc
import io
import json
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from factory.packages import (
    JobEntry,
    Limits,
    Package,
    PackageError,
    ScriptEntry,
    package_read,
    package_write_to,
)
from factory.packages.read import _EntryReader

from .helpers import (
    job_document,
    json_bytes,
    manifest_info,
    minimal_job,
    read,
    script_document,
    write_package,
    zip_of,
)

MIB = 1024 * 1024


def test_documents_read_again_are_the_documents_checked(tmp_path: Path) -> None:
    path = tmp_path / "jobs.zip"
    path.write_bytes(write_package("batch"))
    with package_read(source=path) as package:
        first, again = package.jobs[0].document, package.jobs[0].document
        # A new object on every read: the package keeps none of them.
        assert first == again and first is not again
        assert first["nodes"][0]["name"] == "load_sql"
        assert package.scripts[1].document == script_document("清洗")
        assert package.manifest is not None and package.has_manifest
        assert package.manifest["entries"]


def test_a_package_closed_reads_no_more_documents() -> None:
    package = read(write_package("single"))
    job = package.jobs[0]
    package.close()
    package.close()  # twice is harmless
    with pytest.raises(PackageError) as caught:
        _ = job.document
    assert (caught.value.code, caught.value.entry) == ("zip.unreadable", job.path)


def test_an_entry_outlives_its_package_object() -> None:
    # A caller that keeps an entry (a plan item) keeps the zip open with it.
    package = read(write_package("single"))
    job = package.jobs[0]
    del package
    gc.collect()
    assert job.document["name"] == "doc1"


def _stored_package(path: Path) -> bytes:
    """A package written uncompressed, so that a test can change an entry's bytes in place; the job
    first, far from the end of the file (where what the reader read last may still sit in a buffer)."""
    data = zip_of(
        [
            ("jobs/j1.job", json_bytes(minimal_job("j1", description="aaaa"))),
            ("notes/filler.txt", b"-" * 256 * 1024),
            ("scripts/s1.script", json_bytes(script_document("s1"))),
        ],
        compression=zipfile.ZIP_STORED,
    )
    path.write_bytes(data)
    return data


def test_an_entry_changed_after_reading_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "jobs.zip"
    data = _stored_package(path)
    with package_read(source=path) as package:
        path.write_bytes(data.replace(b'"aaaa"', b'"bbbb"'))
        with pytest.raises(PackageError) as caught:
            _ = package.jobs[0].document
        # The zip's own CRC-32 sees this change first.
        assert (caught.value.code, caught.value.entry) == ("zip.corrupt", "jobs/j1.job")
        assert package.scripts[0].document["name"] == "s1"


def test_a_change_the_crc_does_not_see_is_refused_by_the_digest(tmp_path: Path) -> None:
    # CRC-32 is no digest: contents that collide are easy to make. Such a change is simulated by giving
    # the zip's header the new contents' CRC.
    path = tmp_path / "jobs.zip"
    data = _stored_package(path)
    with package_read(source=path) as package:
        job = package.jobs[0]
        changed = json_bytes(minimal_job("j1", description="bbbb"))
        path.write_bytes(data.replace(b'"aaaa"', b'"bbbb"'))
        assert isinstance(job.reader, _EntryReader)
        job.reader.member.info.CRC = zlib.crc32(changed)
        with pytest.raises(PackageError) as caught:
            _ = job.document
    assert (caught.value.code, caught.value.entry) == ("zip.changed", "jobs/j1.job")
    assert "changed since the package was checked" in str(caught.value)


def test_a_script_repeated_beside_each_job_is_compared_as_a_document() -> None:
    # The same script twice, with other key order and spacing: the same document, so no conflict.
    document = script_document("s")
    data = zip_of(
        [
            ("jobs/a/a.job", json_bytes(minimal_job("a"))),
            ("jobs/a/s.script", json_bytes(document)),
            ("jobs/b/b.job", json_bytes(minimal_job("b"))),
            ("jobs/b/s.script", json.dumps(dict(reversed(document.items()))).encode()),
        ]
    )
    package = read(data)
    assert [s.name for s in package.scripts] == ["s"]
    assert package.scripts[0].document == document
    assert [j.scripts for j in package.jobs] == [["s"], ["s"]]


def test_close_releases_what_the_package_owns(tmp_path: Path) -> None:
    path = tmp_path / "jobs.zip"
    path.write_bytes(write_package("single"))
    owned = open(path, "rb")  # noqa: SIM115 - the package closes it
    package = package_read(source=owned, owns_source=True)
    assert not owned.closed
    package.close()
    assert owned.closed

    # Not owned: the caller's file stays open.
    with open(path, "rb") as mine:
        package_read(source=mine).close()
        assert not mine.closed


def test_a_package_never_closed_is_closed_when_collected(tmp_path: Path) -> None:
    path = tmp_path / "jobs.zip"
    path.write_bytes(write_package("single"))
    owned = open(path, "rb")  # noqa: SIM115 - the package closes it
    package = package_read(source=owned, owns_source=True)
    del package
    gc.collect()
    assert owned.closed


def test_a_refused_package_closes_what_it_was_given(tmp_path: Path) -> None:
    path = tmp_path / "bad.zip"
    path.write_bytes(zip_of([("jobs/a.job", b"{")]))
    owned = open(path, "rb")  # noqa: SIM115 - the reader closes it
    with pytest.raises(PackageError):
        package_read(source=owned, owns_source=True)
    assert owned.closed


def test_an_unseekable_stream_is_read_from_a_copy_the_package_owns() -> None:
    data = write_package("batch")

    class Stream(io.RawIOBase):
        def __init__(self) -> None:
            self.inner = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:  # type: ignore[override]
            chunk = self.inner.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    stream = Stream()
    with package_read(source=stream) as package:
        stream.inner = io.BytesIO()  # the stream is spent: documents come from the copy
        assert package.jobs[1].document["name"] == "作业_1"
    assert not stream.closed


def _many_jobs(path: Path, count: int) -> int:
    """A package of ``count`` jobs of some 20 KB each; returns the bytes of JSON it holds."""
    jobs = [
        JobEntry(
            f"job_{index:05d}", job_document(f"job_{index:05d}", description="x" * 20_000), ["load_trips"]
        )
        for index in range(count)
    ]
    with open(path, "wb") as out:
        package_write_to(
            fileobj=out,
            layout="single",
            jobs=jobs,
            scripts=[ScriptEntry("load_trips", script_document())],
            manifest=manifest_info(),
        )
    with zipfile.ZipFile(path) as archive:
        return sum(info.file_size for info in archive.infolist())


def test_a_package_of_many_documents_keeps_none_of_them(tmp_path: Path) -> None:
    path = tmp_path / "jobs.zip"
    unpacked = _many_jobs(path, 1500)
    assert unpacked > 30 * MIB
    gc.collect()
    tracemalloc.start()
    try:
        package = package_read(source=path)
        retained, peak = tracemalloc.get_traced_memory()
        # Read one at a time, each document is let go before the next: the peak is a few documents and a
        # row per entry, the package itself about a kilobyte per entry.
        assert peak < 8 * MIB, f"peak {peak / MIB:.1f} MiB for {unpacked / MIB:.0f} MiB of JSON"
        assert retained < 3 * MIB, f"retained {retained / MIB:.1f} MiB"
        assert isinstance(package, Package) and len(package.jobs) == 1500
        tracemalloc.reset_peak()
        for job in package.jobs:
            assert job.document["description"] == "x" * 20_000
        assert tracemalloc.get_traced_memory()[1] < retained + 4 * MIB
        package.close()
    finally:
        tracemalloc.stop()


def test_reading_documents_again_does_not_spend_the_size_budget(tmp_path: Path) -> None:
    data = write_package("single")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        total = sum(info.file_size for info in archive.infolist())
    with read(data, Limits(max_unpacked_bytes=total)) as package:
        for _ in range(3):
            assert [job.document["name"] for job in package.jobs] == ["doc1", "作业_1"]
