"""The hostile package corpus: bad .zip files the importer must refuse at inspect, each with the refusal
it must give (the reader's error code, the entry it names, a fragment of the rule it states).

    python -m tests.hostile.generate OUTDIR      # writes OUTDIR/<case>.zip and OUTDIR/cases.json

The packages are generated, never committed. Sizes stay modest so that the suite stays fast: where a
limit would need a big file, the case lowers the limit through the ``PACKAGE_MAX_*`` settings the
importer reads (``settings``); two cases run at the real defaults on purpose (100,001 entries, a 200 MB
script, which deflates to some 200 KB and is produced streamed, never held uncompressed).

The builders the other tests use are reused by import (``tests.hostile.packages``,
``tests.transfer.importing``, ``tests.packages.helpers``); what they do not cover is built here, most of it with :func:`raw_zip`, a tiny zip writer that writes
exactly the bytes asked for (names as bytes, lying sizes and counts, odd flags), which ``zipfile`` won't.
"""

from __future__ import annotations

import functools
import io
import json
import random
import stat
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tests.builders import node, package_bytes, package_connection, package_job, package_script
from tests.hostile.packages import GOOD_JOB, HOSTILE
from tests.packages.helpers import json_bytes, minimal_job, patch_sizes, zip_of

MIB = 1024 * 1024
DEFAULT_MAX_ENTRIES = 100_000
DEFAULT_MAX_ENTRY_BYTES = 64 * MIB
DEFAULT_MAX_DOCUMENT_BYTES = 8 * MIB
DEFAULT_MAX_JSON_VALUES = 1_000_000
DEFAULT_MAX_JSON_DEPTH = 64


@dataclass(frozen=True)
class HostileCase:
    """One hostile package and the refusal it must get at inspect.

    ``expected_entry`` is the zip entry the message must name (as the reader prints it), ``None`` for a
    problem of the whole archive (not a zip, truncated, too many entries). ``settings`` are the
    ``PACKAGE_MAX_*`` overrides the case needs (empty: the real defaults). ``known_bug`` says why the
    refusal is not yet what it must be (the tests mark the case ``xfail(strict=True)`` with it);
    ``bug_hides_refusal`` is False when the package is refused all the same and only the message is
    wrong (then the tests that do not read the message need no xfail).
    """

    name: str
    data: bytes
    expected_code: str
    expected_entry: str | None
    message_fragment: str
    settings: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    known_bug: str | None = None
    bug_hides_refusal: bool = True

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "size": len(self.data),
            "expected_code": self.expected_code,
            "expected_entry": self.expected_entry,
            "message_fragment": self.message_fragment,
            "settings": dict(self.settings),
            "known_bug": self.known_bug,
            "bug_hides_refusal": self.bug_hides_refusal,
        }


# --- a zip writer that writes what it is told ---------------------------------------------------------

STORED, DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED
REGULAR = (stat.S_IFREG | 0o644) << 16
UTF8_FLAG = 0x800
DOS_DATE_1980 = (0 << 9) | (1 << 5) | 1  # 1980-01-01


@dataclass(frozen=True)
class RawEntry:
    """One entry exactly as written. ``declared_size``/``crc`` override the true values (a lying header);
    ``local_name`` differs from the central directory's name when set."""

    name: bytes
    data: bytes = b""
    method: int = STORED
    flags: int = 0
    external_attr: int = REGULAR
    declared_size: int | None = None
    crc: int | None = None
    local_name: bytes | None = None


def _deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def raw_zip(entries: Iterable[RawEntry], *, declared_count: int | None = None) -> bytes:
    """A zip of ``entries`` (zip64 end records when there are more than 65,535 of them).

    ``declared_count`` overrides the entry count of the end records (a lying central directory).
    """
    out = io.BytesIO()
    central: list[bytes] = []
    for entry in entries:
        payload = _deflate(entry.data) if entry.method == DEFLATED else entry.data
        crc = zlib.crc32(entry.data) if entry.crc is None else entry.crc
        size = len(entry.data) if entry.declared_size is None else entry.declared_size
        offset = out.tell()
        local_name = entry.name if entry.local_name is None else entry.local_name
        out.write(
            struct.pack(
                zipfile.structFileHeader,
                zipfile.stringFileHeader,
                20,
                0,
                entry.flags,
                entry.method,
                0,
                DOS_DATE_1980,
                crc,
                len(payload),
                size,
                len(local_name),
                0,
            )  # fmt: skip
        )
        out.write(local_name)
        out.write(payload)
        central.append(
            struct.pack(
                zipfile.structCentralDir,
                zipfile.stringCentralDir,
                20,
                3,
                20,
                0,
                entry.flags,
                entry.method,
                0,
                DOS_DATE_1980,
                crc,
                len(payload),
                size,
                len(entry.name),
                0,
                0,
                0,
                0,
                entry.external_attr,
                offset,
            )  # fmt: skip
            + entry.name
        )
    start = out.tell()
    for record in central:
        out.write(record)
    size_cd = out.tell() - start
    count = len(central) if declared_count is None else declared_count
    if count > 0xFFFF:
        zip64_at = out.tell()
        out.write(
            struct.pack(
                zipfile.structEndArchive64,
                zipfile.stringEndArchive64,
                44,
                45,
                45,
                0,
                0,
                count,
                count,
                size_cd,
                start,
            )  # fmt: skip
        )
        out.write(
            struct.pack(zipfile.structEndArchive64Locator, zipfile.stringEndArchive64Locator, 0, zip64_at, 1)
        )
        count = 0xFFFF
    out.write(
        struct.pack(zipfile.structEndArchive, zipfile.stringEndArchive, 0, 0, count, count, size_cd, start, 0)
    )
    return out.getvalue()


def _doc(document: Any) -> bytes:
    return json_bytes(document)


def _compact(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def _with_job(*entries: tuple[str | zipfile.ZipInfo, bytes]) -> bytes:
    """A package holding a good job and ``entries``: the bad part is never the only thing in it."""
    return zip_of([("jobs/j1.job", GOOD_JOB), *entries])


def _one_job(document: Any, *, path: str = "jobs/j1.job") -> bytes:
    return zip_of([(path, _doc(document))])


def _valid_package() -> bytes:
    """What our export writes: two jobs, a script, a manifest (the base of the damaged-zip cases)."""
    return package_bytes(
        jobs=[
            package_job("j1"),
            package_job("j2", nodes=[node("a", "Dummy"), node("b", "Dummy", preNodeName=["a"])]),
        ],
        scripts=[package_script("s1")],
    )


# --- builders of the cases that need more than a line ---------------------------------------------------


def _symlink_directory() -> bytes:
    info = zipfile.ZipInfo("scripts", (1980, 1, 1, 0, 0, 0))
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return _with_job((info, b"/etc"))


def _deflate_bomb_lying_header() -> bytes:
    """8 MiB of zeros whose headers claim 100 bytes: neither the declared size nor its ratio look bad."""
    data = _with_job(("scripts/bomb.script", b"\0" * (8 * MIB)))
    return patch_sizes(data, b"scripts/bomb.script", uncompressed=100)


def _overlapping_entries() -> bytes:
    """The 'better zip bomb': two central-directory records pointing at the same local header."""
    data = bytearray(zip_of([("jobs/a.job", _doc(minimal_job("a"))), ("jobs/b.job", _doc(minimal_job("b")))]))
    second = data.index(b"PK\x01\x02", data.index(b"PK\x01\x02") + 4)
    struct.pack_into("<I", data, second + 42, 0)
    return bytes(data)


def _many_entries(count: int, *, declared_count: int | None = None) -> bytes:
    good = [RawEntry(b"jobs/j1.job", GOOD_JOB)]
    junk = (RawEntry(f"docs/{i:06d}.txt".encode()) for i in range(count - 1))
    return raw_zip([*good, *junk], declared_count=declared_count)


def _non_utf8_unflagged() -> bytes:
    return raw_zip([RawEntry(b"jobs/j1.job", GOOD_JOB), RawEntry(b"jobs/\x82\xa0.job", GOOD_JOB)])


def _non_utf8_flagged() -> bytes:
    return raw_zip(
        [RawEntry(b"jobs/j1.job", GOOD_JOB), RawEntry(b"jobs/\xff\xfe.job", GOOD_JOB, flags=UTF8_FLAG)]
    )


def _corrupt_entry_data() -> bytes:
    """Deflated bytes of one entry overwritten in the middle: headers intact, data not."""
    document = _doc(minimal_job("j2", [node(f"n{i}", "Dummy") for i in range(40)]))
    data = bytearray(
        raw_zip([RawEntry(b"jobs/j1.job", GOOD_JOB), RawEntry(b"jobs/j2.job", document, DEFLATED)])
    )
    local = data.index(b"PK\x03\x04", 4)
    payload = local + 30 + len(b"jobs/j2.job")
    for offset in range(payload + 20, payload + 60):
        data[offset] ^= 0xA5
    return bytes(data)


def _corrupt_central_directory() -> bytes:
    data = bytearray(_valid_package())
    central = data.index(b"PK\x01\x02")
    data[central : central + 4] = b"XK\x01\x02"
    return bytes(data)


def _header_name_mismatch() -> bytes:
    """The central directory says jobs/j2.job, the local header ../../evil.job (parser differentials)."""
    return raw_zip(
        [RawEntry(b"jobs/j1.job", GOOD_JOB), RawEntry(b"jobs/j2.job", GOOD_JOB, local_name=b"../../x.job")]
    )


def _encrypted() -> bytes:
    return raw_zip([RawEntry(b"jobs/j1.job", GOOD_JOB), RawEntry(b"jobs/j2.job", GOOD_JOB, flags=0x1)])


def _unsupported_compression() -> bytes:
    return raw_zip([RawEntry(b"jobs/j1.job", GOOD_JOB), RawEntry(b"jobs/j2.job", GOOD_JOB, method=98)])


def _manifest_checksum() -> bytes:
    """Our own export, with one job edited after the fact (the manifest's sha256 no longer matches)."""
    source = zipfile.ZipFile(io.BytesIO(_valid_package()))
    entries = []
    for info in source.infolist():
        raw = source.read(info)
        if info.filename == "jobs/j2.job":
            raw = raw.replace(b'"Dummy"', b'"Shell"', 1)
        entries.append((info.filename, raw))
    return zip_of(entries)


def _manifest_missing_entry() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(_valid_package()))
    return zip_of(
        [(i.filename, source.read(i)) for i in source.infolist() if i.filename != "scripts/s1.script"]
    )


def _manifest(document: Any) -> bytes:
    return _with_job(("manifest.json", _doc(document)))


def _script_200mb() -> bytes:
    """A script whose content is 200 MB of 'a': deflated and written streamed (some 200 KB on disk)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("jobs/j1.job", (1980, 1, 1, 0, 0, 0)), GOOD_JOB)
        info = zipfile.ZipInfo("scripts/big.script", (1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as stream:
            stream.write(b'{"name": "big", "type": "Shell", "content": "')
            chunk = b"a" * MIB
            for _ in range(200):
                stream.write(chunk)
            stream.write(b'"}\n')
    return buffer.getvalue()


def _script_content_over_limit() -> bytes:
    """4.4 million characters of hex digits: over the 4 MiB content limit, yet no zip bomb (ratio ~2)."""
    content = random.Random(20260101).randbytes(2_200_000).hex()
    document = {"name": "huge", "type": "Shell", "content": content}
    return _with_job(("scripts/huge.script", _compact(document)))


def _nodes(count: int, *, ring: bool = False) -> list[dict[str, Any]]:
    names = [f"n{i:05d}" for i in range(count)]
    nodes = []
    for i, name in enumerate(names):
        pre = [names[i - 1]] if i or ring else []
        nodes.append({"name": name, "type": "Dummy", "preNodeName": pre})
    return nodes


def _job_bytes(document: Any, path: str = "jobs/j1.job") -> bytes:
    return zip_of([(path, _compact(document))])


def _deeply_nested() -> bytes:
    return _with_job(
        ("jobs/deep.job", b'{"name": "deep", "processType": "BATCH", "nodes": ' + b"[" * 100_000)
    )


def _nested_900() -> bytes:
    """Well-formed JSON 900 levels deep in a key no rule reads: the parser accepts it (its limit is near
    1000), the code that walks documents afterwards would not."""
    deep = b"[" * 900 + b"]" * 900
    return _with_job(
        ("jobs/deep900.job", b'{"name": "deep900", "processType": "BATCH", "nodes": [], "x": ' + deep + b"}")
    )


def _document_over_8mib() -> bytes:
    """A job of 9 MiB (a note of 'a's with a digit every 40 characters): over the document limit, yet
    no zip bomb (ratio ~35), refused from its header before it is read."""
    rng = random.Random(20260102)
    note = "a" * 39 + ("a" * 39).join(rng.choices("0123456789", k=9 * MIB // 40))
    return _with_job(
        ("jobs/big.job", _compact({"name": "big", "processType": "BATCH", "nodes": [], "note": note}))
    )


def _document_over_a_million_values() -> bytes:
    """A job of 2 MB holding 1,000,001 numbers (0s and 1s, no zip bomb): parsing it would cost some
    40 MB; refused by the scan before it is parsed."""
    rng = random.Random(20260103)
    samples = [rng.choice((0, 1)) for _ in range(1_000_000)]
    document = {"name": "many", "processType": "BATCH", "nodes": [], "samples": samples}
    return _with_job(("jobs/many.job", _compact(document)))


# --- the corpus -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    build: Callable[[], bytes]
    code: str
    entry: str | None
    fragment: str
    settings: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    known_bug: str | None = None
    bug_hides_refusal: bool = True


SPECS: dict[str, _Spec] = {
    # --- paths that leave the package ----------------------------------------------------------------
    "zip_slip": _Spec(
        HOSTILE["zip_slip"][0], "zip.path_traversal", "../evil.job", "leads outside the package"
    ),
    "zip_slip_deep": _Spec(
        lambda: _with_job(("jobs/../../../etc/cron.d/evil.job", b"{}")),
        "zip.path_traversal",
        "jobs/../../../etc/cron.d/evil.job",
        "leads outside the package ('..')",
    ),
    "zip_slip_backslash": _Spec(
        lambda: _with_job(("..\\..\\evil.job", b"{}")), "zip.path_traversal", "..\\..\\evil.job", "'..'"
    ),
    "absolute_path": _Spec(
        HOSTILE["absolute_path"][0], "zip.absolute_path", "/etc/jobs/x.job", "absolute path"
    ),
    "absolute_backslash_path": _Spec(
        lambda: _with_job(("\\Windows\\Temp\\x.job", b"{}")),
        "zip.absolute_path",
        "\\Windows\\Temp\\x.job",
        "absolute path",
    ),
    "drive_letter_path": _Spec(
        lambda: _with_job(("C:/Users/Public/x.job", b"{}")),
        "zip.absolute_path",
        "C:/Users/Public/x.job",
        "absolute path",
    ),
    "drive_letter_relative": _Spec(
        lambda: _with_job(("d:jobs\\x.job", b"{}")), "zip.absolute_path", "d:jobs\\x.job", "absolute path"
    ),
    "symlink": _Spec(HOSTILE["symlink"][0], "zip.symlink", "jobs/link.job", "symbolic link"),
    "symlink_directory": _Spec(_symlink_directory, "zip.symlink", "scripts", "symbolic link"),
    "control_character_name": _Spec(
        lambda: _with_job(("jobs/a\x1b[2J.job", GOOD_JOB)),
        "zip.invalid_name",
        "jobs/a\\x1b[2J.job",
        "control characters",
    ),
    "backslash_name": _Spec(
        lambda: _with_job(("jobs\\j2.job", GOOD_JOB)), "zip.invalid_name", "jobs\\j2.job", "backslash"
    ),
    "local_header_name_differs": _Spec(_header_name_mismatch, "zip.corrupt", "jobs/j2.job", "differ"),
    # --- bombs -----------------------------------------------------------------------------------------
    "deflate_bomb_ratio": _Spec(
        lambda: _with_job(("scripts/bomb.script", b"\0" * (4 * MIB))),
        "zip.bomb_ratio",
        "scripts/bomb.script",
        "a zip bomb?",
    ),
    "deflate_bomb_lying_header": _Spec(
        _deflate_bomb_lying_header, "zip.corrupt", "scripts/bomb.script", "Bad CRC-32"
    ),
    "deflate_bomb_total_size": _Spec(
        lambda: _with_job(*((f"scripts/s{i}.script", b" " * 900_000) for i in range(4))),
        "zip.too_large",
        "scripts/s2.script",
        "the entries add up to more than 2000000 bytes uncompressed",
        MappingProxyType({"PACKAGE_MAX_UNPACKED_BYTES": 2_000_000}),
    ),
    "overlapping_entries": _Spec(
        _overlapping_entries, "zip.overlapping_entries", "jobs/a.job", "overlaps another entry"
    ),
    "many_entries": _Spec(
        lambda: _many_entries(60),
        "zip.too_many_entries",
        None,
        "has 60 entries; at most 50 are allowed",
        MappingProxyType({"PACKAGE_MAX_ENTRIES": 50}),
    ),
    "many_entries_lying_count": _Spec(
        lambda: _many_entries(60, declared_count=3),
        "zip.too_many_entries",
        None,
        "has more than 50 entries",
        MappingProxyType({"PACKAGE_MAX_ENTRIES": 50}),
    ),
    "many_entries_at_default_limit": _Spec(
        lambda: _many_entries(DEFAULT_MAX_ENTRIES + 1),
        "zip.too_many_entries",
        None,
        f"has {DEFAULT_MAX_ENTRIES + 1} entries; at most {DEFAULT_MAX_ENTRIES} are allowed",
    ),
    "script_200mb": _Spec(
        _script_200mb,
        "zip.too_large",
        "scripts/big.script",
        f"uncompressed; at most {DEFAULT_MAX_ENTRY_BYTES} are allowed",
    ),
    # --- duplicates, names, nesting --------------------------------------------------------------------
    "duplicate_entry": _Spec(
        lambda: _with_job(("jobs/j1.job", _doc(minimal_job("j1", [node("x", "Shell")])))),
        "zip.duplicate_entry",
        "jobs/j1.job",
        "appears twice",
    ),
    "duplicate_entry_normalised": _Spec(
        lambda: _with_job(("jobs//./j1.job", GOOD_JOB)),
        "zip.duplicate_entry",
        "jobs//./j1.job",
        "appears twice",
    ),
    "duplicate_job_name": _Spec(
        HOSTILE["duplicate_names"][0],
        "layout.duplicate_name",
        "jobs/j1/j1.job",
        "job 'j1' is also defined in jobs/j1.job",
    ),
    "duplicate_script_differs": _Spec(
        lambda: _with_job(
            ("jobs/j1/s.script", _doc(package_script("s"))),
            ("scripts/s.script", _doc({**package_script("s"), "content": "DROP TABLE trips;"})),
        ),
        "layout.conflict",
        "scripts/s.script",
        "a package may hold one version of each script",
    ),
    "non_utf8_name": _Spec(
        _non_utf8_unflagged, "zip.non_utf8_name", "jobs/\u00e9\u00e1.job", "not marked as UTF-8"
    ),
    "non_utf8_name_flagged_utf8": _Spec(
        _non_utf8_flagged,
        "zip.non_utf8_name",
        "jobs/\\xff\\xfe.job",
        "marked as UTF-8 but is not",
    ),
    "zip_in_zip": _Spec(
        lambda: _with_job(("resources/inner.zip", package_bytes(jobs=[package_job("inner")]))),
        "zip.nested_archive",
        "resources/inner.zip",
        "nested zip archive",
    ),
    "zip_in_zip_disguised": _Spec(
        lambda: _with_job(("jobs/j2.job", package_bytes(jobs=[package_job("inner")]))),
        "zip.nested_archive",
        "jobs/j2.job",
        "nested zip archive",
    ),
    "corrupt_lzma_entry": _Spec(
        lambda: raw_zip(
            [
                RawEntry(b"jobs/j1.job", GOOD_JOB),
                RawEntry(
                    b"jobs/j2.job",
                    b"\x09\x00\x05\x00]\x00\x00\x10\x00" + b"junk" * 40,
                    method=14,
                    declared_size=300,
                ),
            ]
        ),
        "zip.corrupt",
        "jobs/j2.job",
        "is not a readable zip archive",
    ),
    "encrypted_entry": _Spec(_encrypted, "zip.encrypted", "jobs/j2.job", "encrypted"),
    "unsupported_compression": _Spec(
        _unsupported_compression, "zip.unsupported_compression", "jobs/j2.job", "compression method 98"
    ),
    # --- truncated and corrupt ---------------------------------------------------------------------------
    "not_a_zip": _Spec(HOSTILE["not_a_zip"][0], "zip.corrupt", None, "is not a zip archive"),
    "empty_file": _Spec(lambda: b"", "zip.corrupt", None, "is not a zip archive"),
    "truncated_half": _Spec(
        lambda: _valid_package()[: len(_valid_package()) // 2], "zip.corrupt", None, "zip archive"
    ),
    "truncated_end_record": _Spec(lambda: _valid_package()[:-10], "zip.corrupt", None, "zip archive"),
    "corrupt_central_directory": _Spec(
        _corrupt_central_directory, "zip.corrupt", None, "is not a readable zip archive"
    ),
    "corrupt_entry_data": _Spec(
        _corrupt_entry_data, "zip.corrupt", "jobs/j2.job", "is not a readable zip archive"
    ),
    "manifest_checksum": _Spec(
        _manifest_checksum, "manifest.checksum", "jobs/j2.job", "does not match its sha256"
    ),
    "manifest_missing_entry": _Spec(
        _manifest_missing_entry,
        "manifest.missing_entry",
        "scripts/s1.script",
        "is listed in manifest.json but missing",
    ),
    "manifest_not_an_object": _Spec(
        lambda: _manifest(["entries"]),
        "manifest.invalid",
        "manifest.json",
        "the manifest must be a JSON object",
    ),
    "manifest_unsupported_version": _Spec(
        lambda: _manifest({"formatVersion": "99", "entries": []}),
        "manifest.unsupported_version",
        "manifest.json",
        "format version '99' is not supported",
    ),
    # --- malformed JSON --------------------------------------------------------------------------------
    "malformed_json": _Spec(
        HOSTILE["malformed_json"][0], "json.malformed", "jobs/broken.job", "line 3, column 13: malformed JSON"
    ),
    "json_not_utf8": _Spec(
        lambda: _with_job(("jobs/j2.job", b'{"name": "j2\xff"}')),
        "json.malformed",
        "jobs/j2.job",
        "is not UTF-8 text",
    ),
    "json_nan": _Spec(
        lambda: _with_job(("jobs/j2.job", b'{"name": "j2", "processType": "BATCH", "nodes": [], "x": NaN}')),
        "json.malformed",
        "jobs/j2.job",
        "NaN is not valid JSON",
    ),
    "json_nested_too_deeply": _Spec(_deeply_nested, "json.malformed", "jobs/deep.job", "nested too deeply"),
    "json_nested_900_deep": _Spec(
        _nested_900,
        "json.malformed",
        "jobs/deep900.job",
        f"is nested too deeply: arrays and objects more than {DEFAULT_MAX_JSON_DEPTH} levels deep",
    ),
    "json_document_over_8mib": _Spec(
        _document_over_8mib,
        "zip.too_large",
        "jobs/big.job",
        f"bytes uncompressed; a job document may be at most {DEFAULT_MAX_DOCUMENT_BYTES} bytes",
    ),
    "json_too_many_values": _Spec(
        _document_over_a_million_values,
        "json.too_many_values",
        "jobs/many.job",
        f"holds more than {DEFAULT_MAX_JSON_VALUES} JSON values",
    ),
    # --- wrong types and missing fields ----------------------------------------------------------------
    "document_not_an_object": _Spec(
        lambda: _with_job(("jobs/j2.job", b"[]")),
        "schema.wrong_type",
        "jobs/j2.job",
        "must be an object, not a list",
    ),
    "wrong_type_nodes": _Spec(
        lambda: _one_job(minimal_job("j1", nodes="all of them")),
        "schema.wrong_type",
        "jobs/j1.job",
        "nodes: must be a list, not a string",
    ),
    "wrong_type_location": _Spec(
        lambda: _one_job(
            minimal_job("j1", [{"name": "a", "type": "Dummy", "location": {"x": "left", "y": 0}}])
        ),
        "schema.wrong_type",
        "jobs/j1.job",
        "nodes[0].location.x: 'left' is not a number",
    ),
    "wrong_type_property_value": _Spec(
        lambda: _one_job(
            minimal_job(
                "j1", [{"name": "a", "type": "Shell", "properties": [{"name": "p", "value": {"$ne": 1}}]}]
            )
        ),
        "schema.wrong_type",
        "jobs/j1.job",
        "nodes[0].properties[0].value: must be a string, number, true/false or null, not an object",
    ),
    "wrong_type_masked": _Spec(
        lambda: _one_job(minimal_job("j1", params=[{"name": "p", "value": "v", "masked": "yes"}])),
        "schema.wrong_type",
        "jobs/j1.job",
        "params[0].masked: must be true or false, not a string",
    ),
    "out_of_range_retry": _Spec(
        lambda: _one_job(minimal_job("j1", [node("a", "Dummy", retryTimes=99)])),
        "schema.out_of_range",
        "jobs/j1.job",
        "nodes[0].retryTimes: 99 is out of range: must be between 0 and 5",
    ),
    "invalid_process_type": _Spec(
        lambda: _one_job({**minimal_job("j1"), "processType": "WEEKLY"}),
        "schema.invalid_value",
        "jobs/j1.job",
        "processType: 'WEEKLY' is not one of BATCH, REAL_TIME",
    ),
    "missing_name": _Spec(
        lambda: _one_job({"processType": "BATCH", "nodes": []}),
        "layout.name_mismatch",
        "jobs/j1.job",
        "the document has no name",
    ),
    "missing_process_type": _Spec(
        lambda: _one_job({"name": "j1", "nodes": []}),
        "schema.missing_field",
        "jobs/j1.job",
        "processType: this field is required",
    ),
    "missing_nodes": _Spec(
        HOSTILE["missing_required_field"][0],
        "schema.missing_field",
        "jobs/j1.job",
        "nodes: this field is required",
    ),
    "missing_node_type": _Spec(
        lambda: _one_job(minimal_job("j1", [{"name": "a"}])),
        "schema.missing_field",
        "jobs/j1.job",
        "nodes[0].type: this field is required",
    ),
    "missing_schedule_type": _Spec(
        lambda: _one_job(minimal_job("j1", schedule={"cron": {}})),
        "schema.missing_field",
        "jobs/j1.job",
        "schedule.type: this field is required",
    ),
    "missing_resource_location": _Spec(
        lambda: _with_job(("resources/r.resource", _doc({"name": "r", "type": "jar"}))),
        "schema.missing_field",
        "resources/r.resource",
        "location: this field is required",
    ),
    # --- DataArts' naming rules -------------------------------------------------------------------------
    "job_name_with_space": _Spec(
        lambda: _one_job(minimal_job("daily load")),
        "schema.invalid_name",
        "jobs/j1.job",
        "job name 'daily load' contains ' '",
    ),
    "job_name_path_traversal": _Spec(
        lambda: _one_job(minimal_job("../../etc/passwd")),
        "schema.invalid_name",
        "jobs/j1.job",
        "contains '/'",
    ),
    "job_name_dots_only": _Spec(
        lambda: _one_job(minimal_job("..")),
        "schema.invalid_name",
        "jobs/j1.job",
        "cannot be made of dots only",
    ),
    "job_name_too_long": _Spec(
        lambda: _one_job(minimal_job("j" * 129)),
        "schema.invalid_name",
        "jobs/j1.job",
        "is 129 characters long; at most 128",
    ),
    "job_name_bidi_override": _Spec(
        lambda: _one_job(minimal_job("invoice\u202egpj.exe")),
        "schema.invalid_name",
        "jobs/j1.job",
        "contains U+202E",
    ),
    "job_name_nul": _Spec(
        lambda: _one_job(minimal_job("j\u0000")), "schema.invalid_name", "jobs/j1.job", "contains U+0000"
    ),
    "node_name_invalid": _Spec(
        lambda: _one_job(minimal_job("j1", [node("a;rm -rf", "Dummy")])),
        "schema.invalid_name",
        "jobs/j1.job",
        "nodes[0].name: node name 'a;rm -rf' contains ';'",
    ),
    "script_name_invalid": _Spec(
        lambda: _with_job(("scripts/s.script", _doc(package_script("s s")))),
        "schema.invalid_name",
        "scripts/s.script",
        "script name 's s' contains ' '",
    ),
    "resource_name_too_long": _Spec(
        lambda: _with_job(
            ("resources/r.resource", _doc({"name": "r" * 33, "type": "jar", "location": "obs://b/r.jar"}))
        ),
        "schema.invalid_name",
        "resources/r.resource",
        "is 33 characters long; at most 32 are allowed",
    ),
    "connection_name_invalid": _Spec(
        lambda: _with_job(("connections/c.conn", _doc(package_connection("dws main")))),
        "schema.invalid_name",
        "connections/c.conn",
        "connection name 'dws main' contains ' '",
    ),
    "parameter_name_invalid": _Spec(
        lambda: _one_job(minimal_job("j1", params=[{"name": "biz.date", "value": "1"}])),
        "schema.invalid_name",
        "jobs/j1.job",
        "params[0].name: parameter name 'biz.date' contains '.'",
    ),
    "environment_variable_name_invalid": _Spec(
        lambda: _with_job(("environment/variables.json", _doc([{"name": "a b", "value": "1"}]))),
        "schema.invalid_name",
        "environment/variables.json",
        "[0].name: variable name 'a b' contains ' '",
    ),
    "directory_without_root": _Spec(
        lambda: _one_job(minimal_job("j1", directory="etl/daily")),
        "schema.invalid_directory",
        "jobs/j1.job",
        "must start with '/'",
    ),
    "directory_too_deep": _Spec(
        lambda: _one_job(minimal_job("j1", directory="/a" * 11)),
        "schema.invalid_directory",
        "jobs/j1.job",
        "is 11 levels deep",
    ),
    "directory_dot_dot": _Spec(
        lambda: _one_job(minimal_job("j1", directory="/etl/../../x")),
        "schema.invalid_directory",
        "jobs/j1.job",
        "directory",
    ),
    # --- graphs and sizes --------------------------------------------------------------------------------
    "node_cycle": _Spec(HOSTILE["cycle"][0], "schema.cycle", "jobs/j1.job", "the nodes form a cycle: "),
    "node_self_loop": _Spec(
        lambda: _one_job(minimal_job("j1", [node("a", "Dummy", preNodeName=["a"])])),
        "schema.cycle",
        "jobs/j1.job",
        "a -> a",
    ),
    "node_cycle_1000": _Spec(
        lambda: _job_bytes(minimal_job("j1", _nodes(1000, ring=True))),
        "schema.cycle",
        "jobs/j1.job",
        "the nodes form a cycle",
    ),
    "pre_node_to_nothing": _Spec(
        HOSTILE["unknown_pre_node"][0],
        "schema.unknown_pre_node",
        "jobs/j1.job",
        "'ghost' is not a node of this job",
    ),
    "condition_to_nothing": _Spec(
        lambda: _one_job(
            minimal_job(
                "j1",
                [
                    node("a", "Dummy"),
                    node(
                        "b",
                        "Dummy",
                        preNodeName=["a"],
                        conditions=[{"preNodeName": "x", "expression": "#{true}"}],
                    ),
                ],
            )
        ),
        "schema.unknown_pre_node",
        "jobs/j1.job",
        "'x' is not a predecessor of this node",
    ),
    "duplicate_node": _Spec(
        lambda: _one_job(minimal_job("j1", [node("a", "Dummy"), node("a", "Shell")])),
        "schema.duplicate_node",
        "jobs/j1.job",
        "node name 'a' is already used by nodes[0].name",
    ),
    "nodes_10000": _Spec(
        lambda: _job_bytes(minimal_job("j1", _nodes(10_000))),
        "schema.too_many_nodes",
        "jobs/j1.job",
        "the job has 10000 nodes; at most 1000 are allowed",
    ),
    "script_content_over_4mib": _Spec(
        _script_content_over_limit,
        "schema.too_large",
        "scripts/huge.script",
        "content: the script is 4400000 bytes long; at most 4194304",
    ),
    "parameter_value_over_1m": _Spec(
        lambda: _job_bytes(minimal_job("j1", params=[{"name": "p", "value": "x" * 1_000_001}])),
        "schema.too_large",
        "jobs/j1.job",
        "params[0].value: is 1000001 characters long; at most 1000000",
    ),
    # --- secrets smuggled in ---------------------------------------------------------------------------
    "connection_with_password": _Spec(
        lambda: _with_job(
            (
                "connections/c.conn",
                _doc({**package_connection("c"), "config": {"host": "h", "password": "hunter2"}}),
            )
        ),
        "schema.secret_present",
        "connections/c.conn",
        "config.password: holds a secret",
    ),
    "connection_with_nested_secret": _Spec(
        lambda: _with_job(
            (
                "connections/c.conn",
                _doc({**package_connection("c"), "config": {"host": "h", "auth": {"password": "hunter2"}}}),
            )
        ),
        "schema.secret_present",
        "connections/c.conn",
        "holds a secret",
    ),
    # --- text the database cannot store ------------------------------------------------------------------
    "nul_character_in_a_value": _Spec(
        lambda: _one_job(minimal_job("j1", params=[{"name": "p", "value": "a\u0000b"}])),
        "json.malformed",
        "jobs/j1.job",
        "U+0000",
    ),
    "nul_character_in_an_unknown_key": _Spec(
        lambda: _one_job(minimal_job("j1", [node("a", "Dummy", note="\u0000")])),
        "json.malformed",
        "jobs/j1.job",
        "U+0000",
    ),
    "lone_surrogate_in_a_value": _Spec(
        lambda: _one_job(minimal_job("j1", params=[{"name": "p", "value": "a\ud800b"}])),
        "json.malformed",
        "jobs/j1.job",
        "U+D800",
    ),
    # --- nothing to import -------------------------------------------------------------------------------
    "only_clutter": _Spec(
        lambda: zip_of([("__MACOSX/._j1.job", b"\0"), ("README.md", b"# jobs"), ("jobs/j1.txt", GOOD_JOB)]),
        "layout.empty",
        None,
        "the package holds no jobs, scripts or resources",
    ),
}
CASE_NAMES: tuple[str, ...] = tuple(SPECS)


@functools.cache
def hostile_case(name: str) -> HostileCase:
    """One case, built once per process (the 200 MB script and the 100,001 entries take a second each)."""
    spec = SPECS[name]
    return HostileCase(
        name=name,
        data=spec.build(),
        expected_code=spec.code,
        expected_entry=spec.entry,
        message_fragment=spec.fragment,
        settings=spec.settings,
        known_bug=spec.known_bug,
        bug_hides_refusal=spec.bug_hides_refusal,
    )


def hostile_packages() -> list[HostileCase]:
    """Every case of the corpus, in a stable order."""
    return [hostile_case(name) for name in CASE_NAMES]


def write_out(outdir: Path) -> list[HostileCase]:
    """``<case>.zip`` for every case and ``cases.json`` saying what each must be refused with."""
    outdir.mkdir(parents=True, exist_ok=True)
    cases = hostile_packages()
    for case in cases:
        (outdir / f"{case.name}.zip").write_bytes(case.data)
    index = [case.describe() for case in cases]
    (outdir / "cases.json").write_text(
        json.dumps(index, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return cases


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.hostile.generate OUTDIR", file=sys.stderr)
        return 2
    cases = write_out(Path(argv[0]))
    total = sum(len(case.data) for case in cases)
    print(f"wrote {len(cases)} hostile packages ({total} bytes) and cases.json to {argv[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
