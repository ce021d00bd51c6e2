"""Whatever bytes arrive, the reader answers with a Package or a PackageError, never anything else."""

from __future__ import annotations

import json
import os
import zipfile

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from factory.packages import Limits, Package, PackageError, job_document_validate

from .helpers import json_bytes, minimal_job, read, write_package, zip_of

SMALL = Limits(max_entry_bytes=256 * 1024, max_unpacked_bytes=1024 * 1024, max_entries=200)
VALID_SINGLE = write_package("single")
VALID_BATCH = write_package("batch")
# PACKAGE_FUZZ_EXAMPLES=20000 for a deeper run than the suite's default.
FUZZ = settings(
    max_examples=int(os.environ.get("PACKAGE_FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def outcome(data: bytes) -> Package | None:
    try:
        return read(data, SMALL)
    except PackageError as exc:
        assert exc.code and isinstance(exc.code, str)
        str(exc)  # renders
        exc.to_dict()
        return None


@FUZZ
@given(st.binary(max_size=4096))
@example(b"PK\x05\x06" + b"\xff" * 18)
@example(b"PK\x03\x04" + b"\xff" * 60)
def test_arbitrary_bytes(data: bytes) -> None:
    outcome(data)


@FUZZ
@given(
    base=st.sampled_from([VALID_SINGLE, VALID_BATCH]),
    edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=8),
    cut=st.one_of(st.none(), st.floats(0, 1)),
)
def test_mutated_valid_packages(base: bytes, edits: list[tuple[float, int]], cut: float | None) -> None:
    data = bytearray(base)
    for position, value in edits:
        data[int(position * len(data))] = value
    if cut is not None:
        data = data[: int(cut * len(data))]
    outcome(bytes(data))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=30,
)
job_keys = st.sampled_from(
    ["name", "processType", "nodes", "schedule", "params", "directory", "maskedParams", "type", "preNodeName"]
)
job_like = st.dictionaries(job_keys, json_values, max_size=6)
node_like = st.dictionaries(
    st.sampled_from(["name", "type", "preNodeName", "conditions", "properties", "location", "retryTimes"]),
    json_values | st.sampled_from(["a", "b", ["a"], ["b"], "Shell"]),
    max_size=6,
)


@FUZZ
@given(
    document=json_values
    | job_like
    | st.builds(lambda nodes: minimal_job(nodes=nodes), st.lists(node_like, max_size=4))
)
def test_arbitrary_json_documents(document: object) -> None:
    data = zip_of(
        [
            ("jobs/j/j.job", json.dumps(document).encode()),
            ("jobs/j/s.script", json.dumps(document).encode()),
            ("resources/r.resource", json.dumps(document).encode()),
            ("connections/c.conn", json.dumps(document).encode()),
            ("environment/variables.json", json.dumps(document).encode()),
            ("manifest.json", json.dumps(document).encode()),
        ]
    )
    outcome(data)
    try:
        job_document_validate(document=document)
    except PackageError:
        pass


@FUZZ
@given(names=st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=5))
def test_arbitrary_entry_names(names: list[str]) -> None:
    entries = [(zipfile.ZipInfo(name), json_bytes(minimal_job())) for name in names]
    try:
        data = zip_of(entries)
    except (ValueError, UnicodeEncodeError):  # names the standard library itself cannot write
        return
    outcome(data)
