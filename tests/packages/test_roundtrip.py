"""Writing a package and reading it back gives the same objects, in both of DataArts' layouts."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest

from factory.packages import (
    JobEntry,
    PackageError,
    ScriptEntry,
    job_document_redact,
    package_file_name,
    package_write,
    package_write_to,
)
from factory.packages.jsonio import document_dumps

from .helpers import (
    EXPORTED_AT,
    job_document,
    manifest_info,
    read,
    resource_document,
    script_document,
    write_package,
    zip_of,
)


def names(data: bytes) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(data)).namelist()


def test_single_layout_is_dataarts_flat_layout_with_manifest_last() -> None:
    assert names(write_package("single")) == [
        "jobs/doc1.job",
        "jobs/作业_1.job",
        "scripts/load_trips.script",
        "scripts/清洗.script",
        "resources/udf_jar.resource",
        "connections/dws_main.conn",
        "environment/variables.json",
        "manifest.json",
    ]


def test_batch_layout_puts_each_jobs_scripts_beside_it() -> None:
    assert names(write_package("batch")) == [
        "jobs/doc1/doc1.job",
        "jobs/doc1/load_trips.script",
        "jobs/作业_1/作业_1.job",
        "jobs/作业_1/load_trips.script",
        "jobs/作业_1/清洗.script",
        "resources/udf_jar.resource",
        "connections/dws_main.conn",
        "environment/variables.json",
        "manifest.json",
    ]


@pytest.mark.parametrize("layout", ["single", "batch"])
def test_round_trip_keeps_documents_and_unknown_keys(layout: str) -> None:
    package = read(write_package(layout))

    assert package.layout == layout
    assert [job.name for job in package.jobs] == ["doc1", "作业_1"]
    # Jobs come back redacted, otherwise unchanged, unknown keys included.
    assert package.jobs[1].document == job_document_redact(document=job_document("作业_1"))
    assert package.jobs[0].document["cleanOverdueDays"] == 60
    assert package.jobs[0].document["resouces"] == []
    assert package.jobs[0].document["nodes"][0]["execTimeOutRetry"] == "false"
    assert [script.name for script in package.scripts] == ["load_trips", "清洗"]
    assert package.scripts[1].document == script_document("清洗")
    assert package.scripts[0].document["templateVersion"] == "1.0"
    assert package.resources[0].document == resource_document()
    assert package.connections[0].name == "dws_main"
    assert package.environment == [{"name": "env", "value": "dev", "description": "stage"}]
    assert package.ignored == []
    assert package.references == [
        {"type": "DLI_QUEUE", "name": "default"},
        {"type": "DWS_CONNECTION", "name": "dws_main"},
    ]
    expected_scripts = {"single": [[], []], "batch": [["load_trips"], ["load_trips", "清洗"]]}[layout]
    assert [job.scripts for job in package.jobs] == expected_scripts


def test_secrets_are_emptied_in_the_written_package() -> None:
    raw = zipfile.ZipFile(io.BytesIO(write_package("single"))).read("jobs/doc1.job").decode()
    assert "hunter2" not in raw
    assert "k-123" not in raw
    assert "t-456" not in raw
    assert '"value_is_sensitive": true' in raw


def test_documents_are_sorted_indented_utf8_json() -> None:
    raw = zipfile.ZipFile(io.BytesIO(write_package("single"))).read("scripts/清洗.script")
    text = raw.decode("utf-8")
    assert text.endswith("}\n")
    assert '"name": "清洗"' in text  # not \u escaped
    assert text == json.dumps(json.loads(text), sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def test_writing_twice_gives_identical_bytes() -> None:
    assert write_package("batch") == write_package("batch")


def test_a_different_export_time_changes_only_the_manifest() -> None:
    first = zipfile.ZipFile(io.BytesIO(write_package("single")))
    second = zipfile.ZipFile(
        io.BytesIO(write_package("single", manifest=manifest_info(exported_at="2030-01-01")))
    )
    differing = [name for name in first.namelist() if first.read(name) != second.read(name)]
    assert differing == ["manifest.json"]


def test_entries_have_fixed_time_and_mode() -> None:
    for info in zipfile.ZipFile(io.BytesIO(write_package("single"))).infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.external_attr >> 16 == 0o100644
        assert info.flag_bits & 0x800  # UTF-8 names


def test_manifest_lists_every_entry_with_its_sha256() -> None:
    archive = zipfile.ZipFile(io.BytesIO(write_package("batch")))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["formatVersion"] == "1"
    assert manifest["scope"] == "with_dependencies"
    assert manifest["jobStatus"] == "develop"
    assert manifest["workspace"] == "ws-dev"
    assert manifest["exportedBy"] == "alice"
    assert manifest["exportedAt"] == EXPORTED_AT
    assert manifest["layout"] == "batch"
    listed = [row["path"] for row in manifest["entries"]]
    assert listed == archive.namelist()[:-1]
    for row in manifest["entries"]:
        content = archive.read(row["path"])
        assert row["sha256"] == hashlib.sha256(content).hexdigest()
        assert row["size"] == len(content)
    assert {row["kind"] for row in manifest["entries"]} == {
        "job",
        "script",
        "resource",
        "connection",
        "environment",
    }


def test_manifest_is_encoded_like_every_other_document() -> None:
    for data in (
        write_package("batch"),
        write_package("single", jobs=[], scripts=[], manifest=manifest_info()),
    ):
        raw = zipfile.ZipFile(io.BytesIO(data)).read("manifest.json")
        assert raw == document_dumps(json.loads(raw))


def test_package_file_names_follow_dataarts() -> None:
    assert package_file_name(layout="single", job_name="作业_1") == "DLF_作业_1.zip"
    assert package_file_name(layout="batch") == "jobs.zip"
    with pytest.raises(ValueError):
        package_file_name(layout="single", job_name="../x")


def test_write_to_file_object_returns_the_byte_count() -> None:
    buffer = io.BytesIO()
    count = package_write_to(
        fileobj=buffer, layout="single", jobs=[JobEntry("doc1", job_document())], manifest=manifest_info()
    )
    assert count == len(buffer.getvalue()) > 0
    assert [job.name for job in read(buffer.getvalue()).jobs] == ["doc1"]


@pytest.mark.parametrize("name", ["a/b", "..", "a\\b", "tab\there", ""])
def test_unsafe_names_are_a_programming_error(name: str) -> None:
    with pytest.raises(ValueError):
        b"".join(
            package_write(layout="single", jobs=[JobEntry(name, {"name": name})], manifest=manifest_info())
        )


def test_duplicate_and_unordered_streams_are_refused() -> None:
    jobs = [JobEntry("a", job_document("a")), JobEntry("a", job_document("a"))]
    with pytest.raises(ValueError, match="given twice"):
        b"".join(package_write(layout="single", jobs=jobs, manifest=manifest_info()))
    unordered = iter([JobEntry("b", job_document("b")), JobEntry("a", job_document("a"))])
    with pytest.raises(ValueError, match="name order"):
        b"".join(package_write(layout="single", jobs=unordered, manifest=manifest_info()))


def test_lists_are_sorted_by_the_writer() -> None:
    jobs = [JobEntry("b", job_document("b")), JobEntry("a", job_document("a"))]
    data = b"".join(package_write(layout="single", jobs=jobs, manifest=manifest_info()))
    assert names(data)[:2] == ["jobs/a.job", "jobs/b.job"]


def test_entry_name_must_match_the_document() -> None:
    with pytest.raises(ValueError, match="document named 'other'"):
        b"".join(
            package_write(
                layout="single", jobs=[JobEntry("a", job_document("other"))], manifest=manifest_info()
            )
        )


def test_an_invalid_document_is_not_written() -> None:
    broken = job_document("a", processType="HOURLY")
    with pytest.raises(PackageError) as caught:
        b"".join(package_write(layout="single", jobs=[JobEntry("a", broken)], manifest=manifest_info()))
    assert caught.value.code == "schema.invalid_value"
    assert str(caught.value) == "jobs/a.job: processType: 'HOURLY' is not one of BATCH, REAL_TIME"


def test_batch_layout_keeps_unused_scripts_and_skips_missing_ones() -> None:
    data = b"".join(
        package_write(
            layout="batch",
            jobs=[JobEntry("a", job_document("a"), ["load_trips", "gone"])],
            scripts=[
                ScriptEntry("load_trips", script_document()),
                ScriptEntry("spare", script_document("spare")),
            ],
            manifest=manifest_info(scope="jobs_only"),
        )
    )
    assert names(data) == [
        "jobs/a/a.job",
        "jobs/a/load_trips.script",
        "scripts/spare.script",
        "manifest.json",
    ]
    package = read(data)
    assert package.layout == "batch"
    assert [script.name for script in package.scripts] == ["load_trips", "spare"]


def test_a_dataarts_package_without_manifest_in_a_rezipped_folder_is_read() -> None:
    data = zip_of(
        [
            ("export/", b""),
            ("export/jobs/job_batch/job_batch.job", json.dumps(job_document("job_batch")).encode()),
            ("export/jobs/job_batch/load_trips.script", json.dumps(script_document()).encode()),
            ("export/jobs/flat.job", b"\xef\xbb\xbf" + json.dumps(job_document("flat")).encode()),
            ("__MACOSX/export/jobs/._flat.job", b"\x00\x05\x16\x07"),
            ("export/.DS_Store", b"\x00\x00"),
            ("export/README.txt", b"hello"),
        ]
    )
    package = read(data)
    assert package.manifest is None
    assert package.references == []
    assert package.layout == "mixed"
    assert [(job.name, job.scripts) for job in package.jobs] == [("flat", []), ("job_batch", ["load_trips"])]
    assert package.jobs[1].path == "export/jobs/job_batch/job_batch.job"
    assert package.ignored == ["__MACOSX/export/jobs/._flat.job", "export/.DS_Store", "export/README.txt"]


def test_the_documents_name_wins_over_the_file_name() -> None:
    package = read(zip_of([("jobs/renamed.job", json.dumps(job_document("real_name")).encode())]))
    assert [(job.name, job.path) for job in package.jobs] == [("real_name", "jobs/renamed.job")]


def test_the_same_script_in_two_job_folders_is_read_once() -> None:
    package = read(write_package("batch"))
    assert [script.path for script in package.scripts] == [
        "jobs/doc1/load_trips.script",
        "jobs/作业_1/清洗.script",
    ]


def test_source_may_be_a_path_or_an_unseekable_stream(tmp_path) -> None:
    data = write_package("single")
    path = tmp_path / "DLF_doc1.zip"
    path.write_bytes(data)
    from factory.packages import package_read

    assert len(package_read(source=path).jobs) == 2
    assert len(package_read(source=str(path)).jobs) == 2

    class Stream(io.RawIOBase):
        def __init__(self) -> None:
            self.inner = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def readinto(self, buffer) -> int:  # type: ignore[override]
            chunk = self.inner.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    assert len(package_read(source=Stream()).jobs) == 2
