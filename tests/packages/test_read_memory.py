"""Reading keeps little per entry: a package open for an import's whole apply holds, per entry, its names,
its place in the zip and the sha256 of its bytes, not ``zipfile``'s ``ZipInfo`` nor any document."""

from __future__ import annotations

import gc
import io
import tracemalloc
import zipfile

from factory.packages import JobEntry, ScriptEntry, package_read, package_write
from factory.packages.limits import DEFAULT_LIMITS
from factory.packages.safezip import SafeZip

from .helpers import manifest_info, minimal_job, script_document


def package_of(jobs: int) -> bytes:
    """The batch layout: each job with two scripts beside it (three entries a job)."""
    entries = [
        JobEntry(f"job_{i:05d}", minimal_job(f"job_{i:05d}"), [f"s_{i:05d}_a", f"s_{i:05d}_b"])
        for i in range(jobs)
    ]
    scripts = [
        ScriptEntry(f"s_{i:05d}_{x}", script_document(f"s_{i:05d}_{x}")) for i in range(jobs) for x in "ab"
    ]
    return b"".join(package_write(layout="batch", jobs=entries, scripts=scripts, manifest=manifest_info()))


def kept_while_open(data: bytes) -> tuple[int, int]:
    """Bytes still allocated once the package is read (it stays open), and the number of its entries."""
    gc.collect()
    tracemalloc.start()
    try:
        package = package_read(source=io.BytesIO(data))
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0]
        entries = len(package.jobs) + len(package.scripts)
        package.close()
        return kept, entries
    finally:
        tracemalloc.stop()


def test_an_open_package_keeps_a_few_hundred_bytes_per_entry() -> None:
    small, small_entries = kept_while_open(package_of(100))
    large, large_entries = kept_while_open(package_of(1100))
    per_entry = (large - small) / (large_entries - small_entries)
    # Names (the entry's, its path), the packed header, the reader and the digest: some 500 bytes.
    # zipfile's ZipInfo, its date tuple and its name table alone were some 600 more.
    assert per_entry < 650, f"{per_entry:.0f} bytes per entry"


def test_reading_an_entry_again_keeps_nothing_more() -> None:
    data = package_of(300)
    gc.collect()
    tracemalloc.start()
    try:
        package = package_read(source=io.BytesIO(data))
        for job in package.jobs:
            assert job.document["name"] == job.name
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for job in package.jobs:
            assert job.document["name"] == job.name
        for script in package.scripts:
            assert script.document["name"] == script.name
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
        package.close()
    finally:
        tracemalloc.stop()
    assert after - before < 64 * 1024, (
        f"{(after - before) / 1024:.0f} KiB more after reading every entry again"
    )


def test_opening_a_zip_of_many_entries_peaks_near_what_its_members_keep() -> None:
    # zipfile's own parse of the central directory held a ZipInfo per entry, all at once, before the
    # checks made each a compact Member: the peak was some 3.7 times what the members keep (8.0 MB for
    # 2.1 MB at 10,000 entries). Read record by record, it is some 1.3 times (2.7 MB).
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(10_000):
            archive.writestr(f"jobs/j_{i:05d}.job", b"{}")
    fileobj = io.BytesIO(buffer.getvalue())
    del buffer
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        opened = SafeZip(fileobj=fileobj, limits=DEFAULT_LIMITS)
        gc.collect()
        kept, peak = (size - before for size in tracemalloc.get_traced_memory())
        members = len(opened.members)
        opened.close()
    finally:
        tracemalloc.stop()
    assert members == 10_000
    assert peak < 2 * kept, (
        f"peak {peak / 2**20:.1f} MiB while opening; the members keep {kept / 2**20:.1f} MiB"
    )
