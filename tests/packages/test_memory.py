"""The writer streams: exporting thousands of jobs does not hold the package in memory."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator

from factory.packages import JobEntry, ScriptEntry, package_write

from .helpers import manifest_info, minimal_job, script_document

MIB = 1024 * 1024


def jobs(count: int) -> Iterator[JobEntry]:
    """Built one at a time, as a database cursor would hand them over."""
    for index in range(count):
        name = f"job_{index:05d}"
        nodes = [
            {"name": "run", "type": "Shell", "properties": [{"name": "scriptName", "value": "load_trips"}]}
        ]
        yield JobEntry(name, minimal_job(name, nodes=nodes, description="x" * 2000), ["load_trips"])


def peak_while_writing(count: int, layout: str) -> tuple[int, int]:
    tracemalloc.start()
    try:
        written = 0
        for chunk in package_write(
            layout=layout,
            jobs=jobs(count),
            scripts=[ScriptEntry("load_trips", script_document(content="SELECT 1;" * 1000))],
            manifest=manifest_info(),
        ):
            written += len(chunk)  # discard
        return tracemalloc.get_traced_memory()[1], written
    finally:
        tracemalloc.stop()


def test_writing_3000_jobs_keeps_memory_flat() -> None:
    # The batch layout: 6000 entries (each job with its script beside it), the most bookkeeping.
    peak, written = peak_while_writing(3000, "batch")
    # Some 3000 * 2 KB of JSON goes through, yet the peak stays small: only a row per entry is kept.
    assert written > 3000 * 2000 // 200  # compressed
    assert peak < 20 * MIB, f"peak {peak / MIB:.1f} MiB"
    # Ten times the jobs (6000 entries in the batch layout) cost only a few hundred bytes of bookkeeping per entry.
    small_peak, _ = peak_while_writing(300, "batch")
    assert peak < small_peak + 5 * MIB, f"{small_peak / MIB:.1f} -> {peak / MIB:.1f} MiB"


def test_what_every_entry_leaves_for_the_end_waits_on_disk() -> None:
    # The manifest's rows and the zip's central directory wait in temporary files, not in memory: ten times
    # the entries (13,200 rather than 1,320 in the batch layout) cost less than a megabyte more.
    small_peak, _ = peak_while_writing(660, "batch")
    peak, written = peak_while_writing(6600, "batch")
    assert written > 6600 * 2000 // 200
    assert peak < small_peak + 1 * MIB, f"{small_peak / MIB:.1f} -> {peak / MIB:.1f} MiB"


def test_a_record_spool_gives_back_what_it_was_given_in_order() -> None:
    from factory.packages.spool import READ_CHUNK, RecordSpool

    records = [(b"h" * (i % 50), f"name_{i}".encode(), b"") for i in range(20_000)]
    records.insert(7, (b"x" * 3 * READ_CHUNK, b"a long one", b"extra"))  # spans several reads
    with RecordSpool() as spool:
        for record in records:
            spool.append(record)
        assert len(spool) == len(records)
        assert list(spool) == records
        assert list(spool) == records  # read again: the same
