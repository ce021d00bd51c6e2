"""The reader's document, layout and manifest rules: each refusal names the entry and the field."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from factory.packages import JobEntry, Limits, PackageError
from factory.packages.jsonio import document_loads

from .helpers import (
    assert_refused,
    job_document,
    job_zip,
    json_bytes,
    minimal_job,
    read,
    refused,
    rewrite_entry,
    script_document,
    write_package,
    zip_of,
)

GOOD_JOB = json_bytes(minimal_job())


def test_malformed_json_names_line_and_column() -> None:
    error = refused(zip_of([("jobs/j1.job", b'{\n  "name": "j1",\n  "nodes": [,]\n}')]))
    assert error.code == "json.malformed"
    assert (error.entry, error.line, error.column) == ("jobs/j1.job", 3, 13)
    assert str(error) == "jobs/j1.job: line 3, column 13: malformed JSON: Expecting value"


@pytest.mark.parametrize(
    ("content", "text"),
    [
        (b"\xff\xfe{}", "is not UTF-8 text (byte 0xff at offset 0)"),
        (b"[" * 100_000, "nested too deeply"),
        (b'{"name": NaN}', "NaN is not valid JSON"),
        (b'{"n": ' + b"9" * 5000 + b"}", "malformed JSON"),
    ],
)
def test_undecodable_json(content: bytes, text: str) -> None:
    assert_refused(zip_of([("jobs/j1.job", content)]), code="json.malformed", entry="jobs/j1.job", text=text)


@pytest.mark.parametrize(
    ("document", "code", "text"),
    [
        ([], "schema.wrong_type", "jobs/j1.job: must be an object, not a list"),
        (
            {"name": "j1", "nodes": []},
            "schema.missing_field",
            "jobs/j1.job: processType: this field is required",
        ),
        (minimal_job(nodes="x"), "schema.wrong_type", "jobs/j1.job: nodes: must be a list, not a string"),
        (
            minimal_job("bad name"),
            "schema.invalid_name",
            "jobs/j1.job: name: job name 'bad name' contains ' '",
        ),
        (
            minimal_job(nodes=[{"name": "a", "type": "Shell"}, {"name": "a", "type": "Shell"}]),
            "schema.duplicate_node",
            "jobs/j1.job: nodes[1].name: node name 'a' is already used by nodes[0].name",
        ),
        (
            minimal_job(
                nodes=[{"name": "a", "type": "Shell"}, {"name": "b", "type": "Shell", "preNodeName": ["x"]}]
            ),
            "schema.unknown_pre_node",
            "jobs/j1.job: nodes[1].preNodeName[0]: 'x' is not a node of this job",
        ),
        (
            minimal_job(
                nodes=[
                    {"name": "a", "type": "Shell", "preNodeName": ["b"]},
                    {"name": "b", "type": "Shell", "preNodeName": ["a"]},
                ]
            ),
            "schema.cycle",
            "jobs/j1.job: nodes: the nodes form a cycle: a -> b -> a",
        ),
    ],
)
def test_invalid_job_documents(document: object, code: str, text: str) -> None:
    error = refused(job_zip(document))
    assert (error.code, error.entry) == (code, "jobs/j1.job")
    assert str(error).startswith(text)


def test_too_many_nodes() -> None:
    nodes = [{"name": f"n{i}", "type": "Shell"} for i in range(5)]
    assert_refused(
        job_zip(minimal_job(nodes=nodes)),
        code="schema.too_many_nodes",
        entry="jobs/j1.job",
        text="the job has 5 nodes; at most 4 are allowed",
        limits=Limits(max_nodes_per_job=4),
    )


def test_too_large_script_content() -> None:
    data = zip_of([("scripts/s.script", json_bytes(script_document("s", "x" * 5000)))])
    assert_refused(
        data,
        code="schema.too_large",
        entry="scripts/s.script",
        text="scripts/s.script: content: the script is 5000 bytes long; at most 4096 are allowed",
        limits=Limits(max_script_content_bytes=4096),
    )


def test_other_documents_are_validated_with_their_entry() -> None:
    data = zip_of([("jobs/j1.job", GOOD_JOB), ("resources/r.resource", b'{"name": "r", "type": "egg"}')])
    assert_refused(data, code="schema.invalid_value", entry="resources/r.resource", text="type: 'egg'")
    secret = json_bytes({"name": "c", "type": "DWS", "config": {"password": "pw"}})
    data = zip_of([("jobs/j1.job", GOOD_JOB), ("connections/c.conn", secret)])
    assert_refused(data, code="schema.secret_present", entry="connections/c.conn", text="config.password")
    data = zip_of([("jobs/j1.job", GOOD_JOB), ("environment/variables.json", b"{}")])
    assert_refused(data, code="schema.wrong_type", entry="environment/variables.json", text="must be a list")


def test_empty_package() -> None:
    assert_refused(b"PK\x05\x06" + b"\0" * 18, code="layout.empty", entry=None, text="holds no jobs")
    assert_refused(zip_of([("jobs/", b"")]), code="layout.empty", entry=None, text="holds no jobs")
    error = refused(zip_of([("README.md", b"hi"), ("connections/c.conn", b"{}")]))
    assert error.code == "layout.empty"
    assert "README.md" in str(error)


def test_document_without_a_name() -> None:
    document = minimal_job()
    del document["name"]
    assert_refused(
        job_zip(document, path="jobs/daily.job"),
        code="layout.name_mismatch",
        entry="jobs/daily.job",
        text="the document has no name (the file is named 'daily')",
    )


def test_two_versions_of_one_script() -> None:
    data = zip_of(
        [
            ("jobs/a/a.job", json_bytes(minimal_job("a"))),
            ("jobs/a/s.script", json_bytes(script_document("s", "SELECT 1"))),
            ("jobs/b/b.job", json_bytes(minimal_job("b"))),
            ("jobs/b/s.script", json_bytes(script_document("s", "SELECT 2"))),
        ]
    )
    assert_refused(
        data, code="layout.conflict", entry="jobs/b/s.script", text="differs from the one in jobs/a/s.script"
    )


def test_two_files_defining_one_job() -> None:
    data = zip_of(
        [("jobs/a.job", json_bytes(minimal_job("a"))), ("jobs/b.job", json_bytes(minimal_job("a")))]
    )
    assert_refused(
        data, code="layout.duplicate_name", entry="jobs/b.job", text="job 'a' is also defined in jobs/a.job"
    )


def test_checksum_mismatch() -> None:
    tampered = json_bytes(job_document("doc1", processType="REAL_TIME"))
    data = rewrite_entry(write_package(), "jobs/doc1.job", tampered)
    assert_refused(
        data,
        code="manifest.checksum",
        entry="jobs/doc1.job",
        text="jobs/doc1.job: content does not match its sha256 in manifest.json",
    )


def test_checksum_is_checked_before_the_document_is_parsed() -> None:
    data = rewrite_entry(write_package(), "jobs/doc1.job", b"not json")
    assert refused(data).code == "manifest.checksum"


def test_listed_entry_missing() -> None:
    source = zipfile.ZipFile(io.BytesIO(write_package()))
    kept = [
        (i.filename, source.read(i)) for i in source.infolist() if i.filename != "resources/udf_jar.resource"
    ]
    assert_refused(
        zip_of(kept),
        code="manifest.missing_entry",
        entry="resources/udf_jar.resource",
        text="is listed in manifest.json but missing",
    )


@pytest.mark.parametrize(
    ("manifest", "code"),
    [
        (b"[]", "manifest.invalid"),
        (b'{"formatVersion": "2"}', "manifest.unsupported_version"),
        (b'{"entries": {}}', "manifest.invalid"),
        (b'{"entries": [{"path": 1}]}', "manifest.invalid"),
        (b'{"references": "x"}', "manifest.invalid"),
        (b"{", "json.malformed"),
    ],
)
def test_malformed_manifest(manifest: bytes, code: str) -> None:
    error = refused(zip_of([("jobs/j1.job", GOOD_JOB), ("manifest.json", manifest)]))
    assert (error.code, error.entry) == (code, "manifest.json")


def test_unlisted_entries_are_tolerated() -> None:
    source = zipfile.ZipFile(io.BytesIO(write_package()))
    entries = [(i.filename, source.read(i)) for i in source.infolist()]
    entries.append(("scripts/added.script", json_bytes(script_document("added"))))
    assert "added" in [script.name for script in read(zip_of(entries)).scripts]


# --- text PostgreSQL cannot store: U+0000 and unpaired surrogates -------------------------------------


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        (
            '{"name": "j1", "processType": "BATCH", "nodes": [], "params": [{"name": "p", "value": "a\\u0000b"}]}',
            "params[0].value",
            "contains a NUL character (U+0000), which cannot be stored",
        ),
        (
            '{"name": "j1", "processType": "BATCH", "nodes": [], "params": [{"name": "p", "value": "a\\ud800b"}]}',
            "params[0].value",
            "contains an unpaired surrogate (U+D800), which cannot be stored",
        ),
        (  # a low surrogate without its high half, in an unknown key nobody validates
            '{"name": "j1", "processType": "BATCH", "nodes": [{"name": "a", "type": "Dummy", "note": ["x", "\\uDC00"]}]}',
            "nodes[0].note[1]",
            "contains an unpaired surrogate (U+DC00), which cannot be stored",
        ),
        (  # in a key: the path shows it escaped, never raw
            '{"name": "j1", "processType": "BATCH", "nodes": [], "x\\u0000y": 1}',
            "x\\x00y",
            "the key contains a NUL character (U+0000), which cannot be stored",
        ),
        (
            '{"name": "j1", "processType": "BATCH", "nodes": [], "k": {"\\ud83d": true}}',
            "k.\\ud83d",
            "the key contains an unpaired surrogate (U+D83D), which cannot be stored",
        ),
    ],
)
def test_text_the_database_cannot_store_is_malformed(text: str, field: str, message: str) -> None:
    error = refused(zip_of([("jobs/j1.job", text.encode())]))
    assert (error.code, error.entry, error.field, error.message) == (
        "json.malformed",
        "jobs/j1.job",
        field,
        message,
    )
    assert "\x00" not in str(error) and str(error).isprintable()
    assert str(error) == f"jobs/j1.job: {field}: {message}"


def test_the_first_unstorable_string_in_document_order_is_named() -> None:
    text = b'{"a": [{"b": "ok"}, {"c": "\\u0000"}], "b": "\\ud800", "name": "j1", "nodes": [], "processType": "BATCH"}'
    assert refused(zip_of([("jobs/j1.job", text)])).field == "a[1].c"


@pytest.mark.parametrize(
    "text",
    [
        '"\\ud83d\\ude00"',  # a surrogate pair is one character (U+1F600), stored as any other
        '"\\\\u0000"',  # an escaped backslash then "u0000": six ordinary characters
        '"\\\\ud800 and \\u00e9"',
        '"\\u0001 and \\uFFFF"',
    ],
)
def test_escapes_that_can_be_stored_are_accepted(text: str) -> None:
    raw = json_bytes(minimal_job())[:-3] + b', "note": ' + text.encode() + b"}\n"
    assert read(zip_of([("jobs/j1.job", raw)])).jobs[0].document["note"] == json.loads(text)


@pytest.mark.parametrize("value", ["a\x00b", "\ud800", "\udfff tail"])
def test_the_writer_refuses_what_the_reader_would(value: str) -> None:
    with pytest.raises(PackageError) as caught:
        write_package(jobs=[JobEntry("doc1", minimal_job("doc1", params=[{"name": "p", "value": value}]))])
    assert (caught.value.code, caught.value.entry, caught.value.field) == (
        "json.malformed",
        "jobs/doc1.job",
        "params[0].value",
    )


def test_deeply_nested_text_is_checked_without_recursion() -> None:
    """The text check walks iteratively: even with the depth limit raised (its default, 64, refuses
    this document before the text is looked at), 900 levels cost no recursion."""
    text = (
        b'{"name": "j1", "processType": "BATCH", "nodes": [], "deep": '
        + b"[" * 900
        + b'"\\u0000"'
        + b"]" * 900
        + b"}"
    )
    error = refused(zip_of([("jobs/j1.job", text)]), Limits(max_json_depth=1000))
    assert error.code == "json.malformed" and error.field == "deep" + "[0]" * 900


def test_a_rule_that_knows_the_field_speaks_first() -> None:
    """A NUL in a job's name is the name rule's to report; a NUL anywhere else is unstorable text."""
    error = refused(zip_of([("jobs/j1.job", json_bytes(minimal_job("j\x00")))]))
    assert (error.code, error.entry, error.field) == ("schema.invalid_name", "jobs/j1.job", "name")
    assert "contains U+0000" in str(error)


def test_unstorable_text_in_the_manifest_or_the_environment_is_refused() -> None:
    source = zipfile.ZipFile(io.BytesIO(write_package()))
    manifest = json.loads(source.read("manifest.json"))
    manifest["user"] = "al\ud800ice"
    entries = [
        (i.filename, json_bytes(manifest) if i.filename == "manifest.json" else source.read(i))
        for i in source.infolist()
    ]
    error = refused(zip_of(entries))
    assert (error.code, error.entry, error.field) == ("json.malformed", "manifest.json", "user")

    environment = json_bytes([{"name": "env", "value": "dev", "description": "a\x00"}])
    error = refused(zip_of([("jobs/j1.job", GOOD_JOB), ("environment/variables.json", environment)]))
    assert (error.code, error.entry, error.field) == (
        "json.malformed",
        "environment/variables.json",
        "[0].description",
    )


def test_document_loads_refuses_unstorable_text_unless_told_the_caller_checks() -> None:
    data = b'{"a": ["\\u0000"]}'
    with pytest.raises(PackageError) as caught:
        document_loads(data, entry="x.job")
    assert (caught.value.code, caught.value.entry, caught.value.field) == ("json.malformed", "x.job", "a[0]")
    assert document_loads(data, entry="x.job", text_check=False) == {"a": ["\x00"]}
    with pytest.raises(PackageError) as caught:
        document_loads(b'"\\udfff"', entry="x.job")
    assert str(caught.value) == "x.job: contains an unpaired surrogate (U+DFFF), which cannot be stored"
