"""The package reader answers every damaged package with a ``Package`` or a ``PackageError``, never with
another exception, and never with a message carrying raw control characters.

``tests/packages/test_fuzz.py`` feeds it arbitrary bytes and random byte edits. Here the damage is
structured, aimed where zip parsers go wrong: one field of a local header, a central-directory record
or the end record set to a boundary value (0, 1, 0xFFFF, 0xFFFFFFFF, off by one, another record's);
compression methods and flag bits changed; central-directory records duplicated (with and without the
end record's counts adjusted), swapped, or pointed at another entry's local header; local headers
duplicated; truncation at and around every structural boundary; junk before the archive and after it;
a lying archive comment length. The bases are valid packages: ours (single and batch layouts, with a
manifest) and DataArts-style ones without a manifest, deflated, stored, bzip2 and LZMA.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factory.packages import Limits, Package, PackageError, package_read
from tests.packages.helpers import json_bytes, minimal_job, script_document, write_package, zip_of

SMALL = Limits(max_entry_bytes=256 * 1024, max_unpacked_bytes=1024 * 1024, max_entries=200)
MUTATIONS = settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES_READER", "400")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _dataarts(compression: int) -> bytes:
    """A DataArts batch export (no manifest), every entry compressed with ``compression``."""
    nodes = [
        {"name": "a", "type": "DWSSQL", "preNodeName": []},
        {"name": "b", "type": "Dummy", "preNodeName": ["a"]},
    ]
    return zip_of(
        [
            ("jobs/j1/j1.job", json_bytes(minimal_job("j1", nodes))),
            ("jobs/j1/s1.script", json_bytes(script_document("s1", "SELECT 1;" * 30))),
            ("jobs/j2/j2.job", json_bytes(minimal_job("j2", [{"name": "x", "type": "Shell"}]))),
        ],
        compression=compression,
    )


BASES = {
    "ours_single": write_package("single"),
    "ours_batch": write_package("batch"),
    "dataarts_deflated": _dataarts(zipfile.ZIP_DEFLATED),
    "dataarts_stored": _dataarts(zipfile.ZIP_STORED),
    "dataarts_bzip2": _dataarts(zipfile.ZIP_BZIP2),
    "dataarts_lzma": _dataarts(zipfile.ZIP_LZMA),
}

# --- where the structures are ------------------------------------------------------------------------

LOCAL_FIELDS = {  # name: (offset in the 30-byte local header, struct format)
    "version": (4, "<H"), "flags": (6, "<H"), "method": (8, "<H"), "time": (10, "<H"), "date": (12, "<H"),
    "crc": (14, "<I"), "compressed": (18, "<I"), "uncompressed": (22, "<I"), "name_length": (26, "<H"),
    "extra_length": (28, "<H"),
}  # fmt: skip
CENTRAL_FIELDS = {  # in the 46-byte central-directory record
    "made_by": (4, "<H"), "version": (6, "<H"), "flags": (8, "<H"), "method": (10, "<H"), "time": (12, "<H"),
    "date": (14, "<H"), "crc": (16, "<I"), "compressed": (20, "<I"), "uncompressed": (24, "<I"),
    "name_length": (28, "<H"), "extra_length": (30, "<H"), "comment_length": (32, "<H"), "disk": (34, "<H"),
    "internal_attr": (36, "<H"), "external_attr": (38, "<I"), "local_offset": (42, "<I"),
}  # fmt: skip
END_FIELDS = {  # in the 22-byte end of central directory record
    "disk": (4, "<H"), "cd_disk": (6, "<H"), "entries_here": (8, "<H"), "entries": (10, "<H"),
    "cd_size": (12, "<I"), "cd_offset": (16, "<I"), "comment_length": (20, "<H"),
}  # fmt: skip


@dataclass(frozen=True)
class ZipMap:
    """Positions of a well-formed zip's records: local headers, central records, the end record."""

    locals: list[int]
    centrals: list[tuple[int, int]]  # (position, length)
    end: int

    @classmethod
    def of(cls, data: bytes) -> ZipMap:
        end = data.rindex(b"PK\x05\x06")
        count, cd_size, cd_offset = struct.unpack_from("<HII", data, end + 10)
        # Bytes before the archive (a "prepend" injury) shift every record; zipfile finds them the same way,
        # so a package it still reads has its records where this says.
        shift = end - cd_size - cd_offset
        centrals, locals_, position = [], [], cd_offset + shift
        for _ in range(count):
            name, extra, comment = struct.unpack_from("<HHH", data, position + 28)
            length = 46 + name + extra + comment
            centrals.append((position, length))
            locals_.append(struct.unpack_from("<I", data, position + 42)[0] + shift)
            position += length
        return cls(locals=locals_, centrals=centrals, end=end)

    def boundaries(self) -> list[int]:
        points = [*self.locals, *(p for p, _ in self.centrals), self.end]
        return sorted({q for p in points for q in (p, p + 4, p + 26, p + 30, p + 46)})


def _interesting(current: int, other: int, size: int) -> st.SearchStrategy[int]:
    top = (1 << (8 * size)) - 1
    return st.sampled_from(
        sorted(
            {0, 1, 2, 8, 12, 14, 99, 0x800, 0x801, 0x7FFF, 0xFFFF, top, top - 1, current, other}
            | {max(current - 1, 0), min(current + 1, top)}
        )  # fmt: skip
    ) | st.integers(0, top)


def _put(data: bytearray, position: int, fmt: str, value: int) -> None:
    if 0 <= position and position + struct.calcsize(fmt) <= len(data):
        struct.pack_into(fmt, data, position, value & ((1 << (8 * struct.calcsize(fmt))) - 1))


@st.composite
def _field_edit(draw: st.DrawFn, data: bytearray, layout: ZipMap) -> str:
    where = draw(st.sampled_from(["local", "central", "end"]))
    if where == "end":
        base, fields = layout.end, END_FIELDS
    else:
        index = draw(st.integers(0, len(layout.locals) - 1))
        base = layout.locals[index] if where == "local" else layout.centrals[index][0]
        fields = LOCAL_FIELDS if where == "local" else CENTRAL_FIELDS
    name = draw(st.sampled_from(sorted(fields)))
    offset, fmt = fields[name]
    size = struct.calcsize(fmt)
    current = struct.unpack_from(fmt, data, base + offset)[0]
    other_base = (
        layout.locals[0] if where == "local" else (layout.centrals[0][0] if where == "central" else base)
    )
    other = struct.unpack_from(fmt, data, other_base + offset)[0]
    value = draw(_interesting(current, other, size))
    _put(data, base + offset, fmt, value)
    return f"{where}.{name}={value:#x}"


def _end_adjust(data: bytearray, end: int, *, entries: int, cd_size: int) -> None:
    count, size = struct.unpack_from("<HI", data, end + 10)[0], struct.unpack_from("<I", data, end + 12)[0]
    struct.pack_into("<HH", data, end + 8, (count + entries) & 0xFFFF, (count + entries) & 0xFFFF)
    struct.pack_into("<I", data, end + 12, (size + cd_size) & 0xFFFFFFFF)


@st.composite
def damaged(draw: st.DrawFn) -> tuple[str, bytes, list[str]]:
    """A valid package with 1-3 structural injuries, and what was done (for the failure report)."""
    base_name = draw(st.sampled_from(sorted(BASES)))
    data = bytearray(BASES[base_name])
    done: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        layout = ZipMap.of(bytes(data)) if _well_formed(bytes(data)) else None
        kind = draw(
            st.sampled_from(
                [
                    "field",
                    "field",
                    "field",
                    "dup_central",
                    "dup_local",
                    "swap_central",
                    "point_central",
                    "truncate",
                    "prepend",
                    "append",
                    "flip_header",
                    "flip_data",
                ]
            )  # fmt: skip
            if layout
            else st.sampled_from(["truncate_anywhere", "prepend", "append"])
        )
        if kind == "field":
            done.append(draw(_field_edit(data, layout)))
        elif kind == "dup_central":
            i = draw(st.integers(0, len(layout.centrals) - 1))
            position, length = layout.centrals[i]
            record = bytes(data[position : position + length])
            data[position + length : position + length] = record
            end = layout.end + length
            if draw(st.booleans()):
                _end_adjust(data, end, entries=1, cd_size=length)
            done.append(f"dup_central {i}")
        elif kind == "dup_local":
            i = draw(st.integers(0, len(layout.locals) - 1))
            start = layout.locals[i]
            stop = layout.locals[i + 1] if i + 1 < len(layout.locals) else layout.centrals[0][0]
            chunk = bytes(data[start:stop])
            cd_start = layout.centrals[0][0]
            data[cd_start:cd_start] = chunk  # a second copy of the entry before the central directory
            shift = len(chunk)
            end = layout.end + shift
            struct.pack_into(
                "<I", data, end + 16, (struct.unpack_from("<I", data, end + 16)[0] + shift) & 0xFFFFFFFF
            )
            position, length = layout.centrals[i]
            record = bytearray(data[position + shift : position + shift + length])
            struct.pack_into("<I", record, 42, cd_start)
            data[end:end] = bytes(record)  # its own central record, last
            _end_adjust(data, end + length, entries=1, cd_size=length)
            done.append(f"dup_local {i}")
        elif kind == "swap_central" and len(layout.centrals) > 1:
            i, j = draw(
                st.lists(st.integers(0, len(layout.centrals) - 1), min_size=2, max_size=2, unique=True)
            )
            (pi, li), (pj, lj) = sorted([layout.centrals[i], layout.centrals[j]])
            first, second = bytes(data[pi : pi + li]), bytes(data[pj : pj + lj])
            data[pj : pj + lj] = first
            data[pi : pi + li] = second
            done.append(f"swap_central {i} {j}")
        elif kind == "point_central":
            i = draw(st.integers(0, len(layout.centrals) - 1))
            target = draw(st.sampled_from(layout.locals))
            _put(data, layout.centrals[i][0] + 42, "<I", target + draw(st.integers(-2, 2)))
            done.append(f"point_central {i}")
        elif kind == "truncate":
            cut = draw(st.sampled_from(layout.boundaries())) + draw(st.integers(-3, 3))
            data = data[: max(cut, 0)]
            done.append(f"truncate {cut}")
        elif kind == "truncate_anywhere":
            data = data[: draw(st.integers(0, len(data)))]
            done.append("truncate_anywhere")
        elif kind == "prepend":
            junk = draw(
                st.sampled_from([b"MZ" + b"\0" * 62, b"PK\x03\x04", b"PK\x05\x06" + b"\0" * 18])
                | st.binary(max_size=40)
            )
            data[0:0] = junk
            done.append(f"prepend {len(junk)}")
        elif kind == "append":
            tail = draw(
                st.sampled_from([b"PK\x01\x02" + b"\0" * 42, b"PK\x05\x06" + b"\xff" * 18, b"PK\x06\x06"])
                | st.binary(max_size=40)
            )
            data += tail
            done.append(f"append {len(tail)}")
        elif kind == "flip_data":
            i = draw(st.integers(0, len(layout.locals) - 1))
            name_length, extra_length, compressed = (
                *struct.unpack_from("<HH", data, layout.locals[i] + 26),
                struct.unpack_from("<I", data, layout.locals[i] + 18)[0],
            )
            start = layout.locals[i] + 30 + name_length + extra_length
            if compressed:
                position = start + draw(st.integers(0, compressed - 1))
                if position < len(data):
                    data[position] ^= draw(st.integers(1, 255))
            done.append(f"flip_data {i}")
        elif kind == "flip_header":
            position = draw(st.sampled_from(layout.boundaries()))
            for k in range(draw(st.integers(1, 4))):
                if 0 <= position + k < len(data):
                    data[position + k] ^= draw(st.integers(1, 255))
            done.append(f"flip_header {position}")
    return base_name, bytes(data), done


def _well_formed(data: bytes) -> bool:
    try:
        layout = ZipMap.of(data)
        # Records inside the data: an injured length (a central comment running into the end record) makes
        # a map the structural injuries cannot build on; only the byte-level ones apply to such data.
        inside = all(p + n <= layout.end for p, n in layout.centrals)
        return inside and bool(layout.locals) and all(data[p : p + 4] == b"PK\x03\x04" for p in layout.locals)
    except (ValueError, struct.error):
        return False


def outcome(data: bytes) -> Package | PackageError:
    """The reader's answer; any exception but PackageError fails the test (with its traceback)."""
    try:
        return package_read(source=io.BytesIO(data), limits=SMALL)
    except PackageError as error:
        assert isinstance(error.code, str) and error.code.count(".") == 1, repr(error)
        shown = str(error)
        assert not any(ord(ch) < 32 and ch not in "\n\t" for ch in shown), f"control characters in {shown!r}"
        assert error.to_dict()["message"] == shown
        return error


@MUTATIONS
@given(case=damaged())
def test_structured_mutations_of_valid_packages(case: tuple[str, bytes, list[str]]) -> None:
    _, data, _ = case
    outcome(data)


def test_bases_are_valid_and_their_map_is_right() -> None:
    for name, data in BASES.items():
        assert isinstance(outcome(data), Package), name
        layout = ZipMap.of(data)
        assert len(layout.locals) == len(zipfile.ZipFile(io.BytesIO(data)).infolist()), name


def _method_set(data: bytes, method: int) -> bytes:
    """Every entry's compression method (local and central) set to ``method``: its data unchanged."""
    out = bytearray(data)
    layout = ZipMap.of(data)
    for position in layout.locals:
        struct.pack_into("<H", out, position + 8, method)
    for position, _ in layout.centrals:
        struct.pack_into("<H", out, position + 10, method)
    return bytes(out)


METHODS = {"dataarts_stored": 0, "dataarts_deflated": 8, "dataarts_bzip2": 12, "dataarts_lzma": 14}


@pytest.mark.parametrize(
    ("base", "method"),
    [
        (base, method)
        for base, own in METHODS.items()
        for method in METHODS.values()
        if method not in (own, 0)
    ],
)
def test_data_read_with_the_wrong_decompressor(base: str, method: int) -> None:
    """Deflate, bzip2 or LZMA declared over data that is not: zip.corrupt naming the entry."""
    answer = outcome(_method_set(BASES[base], method))
    assert isinstance(answer, PackageError) and (answer.code, answer.entry) == (
        "zip.corrupt",
        "jobs/j1/j1.job",
    )


def _data_flipped(data: bytes, *, entry: int = 0, at: int = 12) -> bytes:
    """One byte of an entry's compressed data inverted (headers intact)."""
    out = bytearray(data)
    local = ZipMap.of(data).locals[entry]
    name_length, extra_length = struct.unpack_from("<HH", out, local + 26)
    out[local + 30 + name_length + extra_length + at] ^= 0xFF
    return bytes(out)


@pytest.mark.parametrize("base", sorted(METHODS))
def test_damaged_entry_data(base: str) -> None:
    answer = outcome(_data_flipped(BASES[base]))
    assert isinstance(answer, PackageError) and (answer.code, answer.entry) == (
        "zip.corrupt",
        "jobs/j1/j1.job",
    )


def test_damaged_lzma_entry_data_is_zip_corrupt() -> None:
    try:
        answer = package_read(source=io.BytesIO(_data_flipped(BASES["dataarts_lzma"])), limits=SMALL)
    except PackageError as error:
        answer = error
    assert isinstance(answer, PackageError) and (answer.code, answer.entry) == (
        "zip.corrupt",
        "jobs/j1/j1.job",
    )
