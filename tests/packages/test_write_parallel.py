"""Deflating in a helper process gives the same bytes as deflating in line, and leaves nothing behind."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from factory.packages import (
    JobEntry,
    PackageError,
    ScriptEntry,
    job_document_redact,
    job_entry_prepare,
    package_write,
)
from factory.packages import write as write_module
from factory.packages.deflater import Deflater, DeflaterStopped
from factory.packages.jsonio import document_dumps

from .helpers import job_document, manifest_info, read, script_document, write_package


def many_jobs(count: int) -> list[JobEntry]:
    return [JobEntry(f"job_{i:04d}", job_document(f"job_{i:04d}"), ["load_trips"]) for i in range(count)]


def test_a_helper_process_gives_the_same_bytes_as_deflating_in_line() -> None:
    jobs = many_jobs(300)
    scripts = [ScriptEntry("load_trips", script_document())]
    inline = b"".join(package_write(layout="batch", jobs=jobs, scripts=scripts, manifest=manifest_info()))
    parallel = b"".join(
        package_write(
            layout="batch", jobs=jobs, scripts=scripts, manifest=manifest_info(), deflate_processes=1
        )
    )
    assert parallel == inline
    package = read(parallel)
    assert [job.name for job in package.jobs] == [job.name for job in jobs]


@pytest.mark.parametrize("layout", ["single", "batch"])
def test_small_groups_spread_over_many_tasks_still_give_the_same_bytes(monkeypatch, layout: str) -> None:
    monkeypatch.setattr(write_module, "GROUP_MEMBERS", 3)
    assert write_package(layout, deflate_processes=1) == write_package(layout)


@pytest.fixture
def helpers(monkeypatch) -> list[Deflater]:
    """Every helper process the writer starts."""
    started: list[Deflater] = []

    class Recorded(Deflater):
        def __init__(self, **kwargs) -> None:
            super().__init__(**kwargs)
            started.append(self)

    monkeypatch.setattr(write_module, "Deflater", Recorded)
    return started


def test_an_invalid_document_met_ahead_stops_the_stream_and_the_helper_process(helpers) -> None:
    jobs = many_jobs(50)
    broken = job_document("job_9999")
    broken["processType"] = "NOT_A_TYPE"
    jobs.append(JobEntry("job_9999", broken))
    with pytest.raises(PackageError) as caught:
        b"".join(package_write(layout="single", jobs=jobs, manifest=manifest_info(), deflate_processes=1))
    assert caught.value.entry == "jobs/job_9999.job"
    assert caught.value.field == "processType"
    assert len(helpers) == 1 and helpers[0]._process.poll() == 0  # ended, and reaped


def test_an_abandoned_stream_stops_its_helper_process(helpers) -> None:
    chunks = package_write(
        layout="single", jobs=many_jobs(2000), manifest=manifest_info(), deflate_processes=1
    )
    next(chunks)
    assert len(helpers) == 1 and helpers[0]._process.poll() is None  # running while the stream is
    chunks.close()
    assert helpers[0]._process.poll() == 0


def test_a_helper_that_dies_is_reported_not_waited_for() -> None:
    with Deflater(level=9) as deflater:
        deflater.send([b"x" * 1000])
        assert deflater.receive() == [write_module._deflated(b"x" * 1000)]
        deflater._process.kill()
        deflater._process.wait()
        with pytest.raises(DeflaterStopped, match="stopped"):
            deflater.send([b"y" * 100_000])
            deflater.receive()


def test_documents_are_written_as_the_json_module_would_write_them() -> None:
    document = {"b": [1, 2.5, -0.0, None, True], "a": {"中文": '値\n\t"\\', "empty": {}, "list": []}}
    expected = json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
    assert document_dumps(document) == expected.encode("utf-8")


@pytest.mark.parametrize(
    "value",
    [2**64 + 1, "lone \ud800 surrogate"],
    ids=["integer beyond 64 bits", "lone surrogate"],
)
def test_values_orjson_refuses_are_still_written(value: object) -> None:
    data = document_dumps({"v": value})
    assert json.loads(data.decode("utf-8", "surrogatepass")) == {"v": value}


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_nan_and_infinity_are_refused_not_written_as_null(value: float) -> None:
    with pytest.raises(ValueError):
        document_dumps({"v": [1, {"x": value}]})


def test_zip_members_are_deflated_at_level_9() -> None:
    archive = zipfile.ZipFile(io.BytesIO(write_package("batch", deflate_processes=1)))
    assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_DEFLATED}


@pytest.mark.parametrize("layout", ["single", "batch"])
def test_prepared_jobs_give_the_same_package_as_documents(layout: str) -> None:
    jobs = [JobEntry("doc1", job_document("doc1"), ["load_trips"]), JobEntry("doc2", job_document("doc2"))]
    scripts = [ScriptEntry("load_trips", script_document())]
    prepared = [
        job_entry_prepare(layout=layout, name=job.name, document=job.document, scripts=job.scripts)
        for job in jobs
    ]
    as_documents = b"".join(
        package_write(layout=layout, jobs=jobs, scripts=scripts, manifest=manifest_info())
    )
    as_prepared = b"".join(
        package_write(layout=layout, jobs=prepared, scripts=scripts, manifest=manifest_info())
    )
    assert as_prepared == as_documents


def test_preparing_a_job_redacts_and_checks_it() -> None:
    document = job_document("doc1")
    prepared = job_entry_prepare(layout="single", name="doc1", document=document)
    assert json.loads(prepared.data) == json.loads(document_dumps(job_document_redact(document=document)))
    assert prepared.data != document_dumps(document), "the fixture holds secrets, which are emptied"
    with pytest.raises(ValueError, match="document named 'doc1'"):
        job_entry_prepare(layout="single", name="other", document=document)
    broken = {**document, "processType": "NOT_A_TYPE"}
    with pytest.raises(PackageError) as caught:
        job_entry_prepare(layout="batch", name="doc1", document=broken)
    assert caught.value.entry == "jobs/doc1/doc1.job" and caught.value.field == "processType"


@pytest.mark.parametrize("layout", ["single", "batch"])
def test_prepared_and_deflated_entries_give_the_same_package(layout: str) -> None:
    from factory.packages import PreparedScript, script_entry_prepare
    from factory.packages.write import deflate

    jobs = [
        JobEntry("doc1", job_document("doc1"), ["load_trips", "清洗"]),
        JobEntry("doc2", job_document("doc2")),
    ]
    scripts = [ScriptEntry("load_trips", script_document()), ScriptEntry("清洗", script_document("清洗"))]
    expected = b"".join(package_write(layout=layout, jobs=jobs, scripts=scripts, manifest=manifest_info()))

    prepared_jobs = []
    for job in jobs:
        prepared = job_entry_prepare(layout=layout, name=job.name, document=job.document, scripts=job.scripts)
        prepared_jobs.append(
            type(prepared)(prepared.name, prepared.data, prepared.scripts, deflate(prepared.data))
        )
    prepared_scripts = [
        PreparedScript.of(
            s.name, data := script_entry_prepare(name=s.name, document=s.document), deflate(data)
        )
        for s in scripts
    ]
    for processes in (0, 1):
        written = package_write(
            layout=layout,
            jobs=prepared_jobs,
            scripts=prepared_scripts,
            manifest=manifest_info(),
            deflate_processes=processes,
        )
        assert b"".join(written) == expected
