"""SafeZip reads the central directory itself, a record at a time: every form of record ``zipfile`` reads
(ZIP64, data prepended to the zip, cp437 names, directories) is read to the same sizes and offsets, and
every damage ``zipfile`` refuses is refused as ``zip.corrupt`` in ``zipfile``'s own words."""

from __future__ import annotations

import io
import stat
import struct
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from factory.packages import Limits, PackageError
from factory.packages.safezip import SafeZip

from .helpers import zip_of

CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # a central-directory record's fixed part
END = struct.Struct("<4s4H2LH")  # the end record
ZIP64_END = struct.Struct("<4sQ2H2L4Q")
ZIP64_LOCATOR = struct.Struct("<4sLQL")
EXTRACT_VERSION, FLAGS, COMPRESS_SIZE, FILE_SIZE, HEADER_OFFSET = 3, 5, 10, 11, 18
CONTENTS = {f"jobs/j{i}.job": f'{{"name": "j{i}", "pad": "{"x" * 300 * i}"}}'.encode() for i in range(4)}
Change = Callable[[int, list[Any], bytes], tuple[list[Any], bytes]]


def plain() -> bytes:
    return zip_of(list(CONTENTS.items()))


def opened(data: bytes, limits: Limits | None = None) -> SafeZip:
    return SafeZip(fileobj=io.BytesIO(data), limits=limits or Limits())


def refused(data: bytes, limits: Limits | None = None) -> PackageError:
    with pytest.raises(PackageError) as caught:
        opened(data, limits)
    return caught.value


def as_safezip_reads(data: bytes) -> dict[str, tuple[int, int, int, bytes]]:
    """Each member's header offset, sizes and contents, as SafeZip reads them."""
    archive = opened(data)
    return {m.path: (m.header_offset, m.compress_size, m.file_size, archive.read(m)) for m in archive.members}


def as_zipfile_reads(data: bytes) -> dict[str, tuple[int, int, int, bytes]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {
        i.filename: (i.header_offset, i.compress_size, i.file_size, archive.read(i))
        for i in archive.infolist()
        if not i.is_dir()
    }


def zipfile_error(data: bytes) -> str:
    """What ``zipfile`` says when it opens ``data``."""
    with pytest.raises((zipfile.BadZipFile, NotImplementedError)) as caught:
        zipfile.ZipFile(io.BytesIO(data))
    return str(caught.value)


def records_changed(data: bytes, change: Change) -> bytes:
    """``data`` (a zip without an archive comment) with each central-directory record's fields and extra
    field replaced by ``change(index, fields, extra)``; the lengths and the end record follow."""
    end = END.unpack(data[-END.size :])
    count, offset = end[4], end[6]
    records, position = [], offset
    for index in range(count):
        fields = list(CENTRAL.unpack_from(data, position))
        name_at = position + CENTRAL.size
        extra_at = name_at + fields[12]
        comment_at = extra_at + fields[13]
        name, extra = data[name_at:extra_at], data[extra_at:comment_at]
        comment = data[comment_at : comment_at + fields[14]]
        position = comment_at + fields[14]
        fields, extra = change(index, fields, extra)
        fields[12:15] = len(name), len(extra), len(comment)
        records.append(CENTRAL.pack(*fields) + name + extra + comment)
    directory = b"".join(records)
    return data[:offset] + directory + END.pack(*end[:5], len(directory), offset, 0)


def zip64_fields(index: int, fields: list[Any], extra: bytes) -> tuple[list[Any], bytes]:
    """A record as writers make it past 4 GiB: sizes and offset 0xFFFFFFFF, the values in a ZIP64 extra
    field (in zipfile's order: size, compressed size, offset)."""
    values = struct.pack("<QQQ", fields[FILE_SIZE], fields[COMPRESS_SIZE], fields[HEADER_OFFSET])
    fields[FILE_SIZE] = fields[COMPRESS_SIZE] = fields[HEADER_OFFSET] = 0xFFFF_FFFF
    fields[EXTRACT_VERSION] = 45
    return fields, extra + struct.pack("<HH", 0x0001, len(values)) + values


def zip64(data: bytes) -> bytes:
    """The archive in the ZIP64 form: ZIP64 extra fields, a ZIP64 end record and its locator, and an
    end record that defers to them."""
    data = records_changed(data, zip64_fields)
    end = END.unpack(data[-END.size :])
    count, size, offset = end[4], end[5], end[6]
    at = len(data) - END.size
    zip64_end = ZIP64_END.pack(b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, size, offset)
    locator = ZIP64_LOCATOR.pack(b"PK\x06\x07", 0, at, 1)
    return (
        data[:at] + zip64_end + locator + END.pack(b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, *[0xFFFF_FFFF] * 2, 0)
    )


def test_zip64_records_are_read_to_the_sizes_and_offsets_zipfile_reads() -> None:
    data = zip64(plain())
    assert zipfile.ZipFile(io.BytesIO(data)).infolist()[0].extra.startswith(b"\x01\x00")
    assert as_safezip_reads(data) == as_zipfile_reads(data)
    assert {path: contents for path, (*_, contents) in as_safezip_reads(data).items()} == CONTENTS


def test_entries_written_with_zip64_local_headers_are_read() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for path, contents in CONTENTS.items():
            with archive.open(path, "w", force_zip64=True) as stream:
                stream.write(contents)
    data = buffer.getvalue()
    assert as_safezip_reads(data) == as_zipfile_reads(data)
    assert {path: contents for path, (*_, contents) in as_safezip_reads(data).items()} == CONTENTS


@pytest.mark.parametrize("form", [plain, lambda: zip64(plain())], ids=["zip", "zip64"])
def test_data_prepended_to_the_zip_moves_every_offset_as_zipfile_moves_it(form: Callable[[], bytes]) -> None:
    stub = b'#!/bin/sh\nexec unzip "$0"\n' + bytes(1000)
    data = stub + form()
    read = as_safezip_reads(data)
    assert read == as_zipfile_reads(data)
    assert min(offset for offset, *_ in read.values()) == len(stub)
    assert {path: contents for path, (*_, contents) in read.items()} == CONTENTS


def test_a_name_without_the_utf8_flag_is_decoded_as_cp437_as_zipfile_decodes_it() -> None:
    data = zip_of([("jobs/j1.job", b"{}"), ("jobs/X.job", b"{}")]).replace(b"jobs/X.job", b"jobs/\x81.job")
    assert zipfile.ZipFile(io.BytesIO(data)).infolist()[1].orig_filename == "jobs/\u00fc.job"
    error = refused(data)
    assert (error.code, error.entry) == ("zip.non_utf8_name", "jobs/\u00fc.job")


def test_directories_are_not_members() -> None:
    folder = zipfile.ZipInfo("jobs/", (1980, 1, 1, 0, 0, 0))
    unmarked = zipfile.ZipInfo("scripts", (1980, 1, 1, 0, 0, 0))  # a directory by its mode alone
    unmarked.external_attr = (stat.S_IFDIR | 0o755) << 16
    data = zip_of([(folder, b""), (unmarked, b""), ("jobs/j1.job", b"{}")])
    assert [member.path for member in opened(data).members] == ["jobs/j1.job"]


def trailing_bytes(data: bytes) -> bytes:
    """Ten bytes more in the directory than its last record: too few for another record's header."""
    end = END.unpack(data[-END.size :])
    at = len(data) - END.size
    return data[:at] + bytes(10) + END.pack(*end[:5], end[5] + 10, end[6], 0)


def bad_magic(data: bytes) -> bytes:
    at = data.rindex(b"PK\x01\x02")
    return data[:at] + b"PK\x01\x09" + data[at + 4 :]


def corrupt_extra(index: int, fields: list[Any], extra: bytes) -> tuple[list[Any], bytes]:
    return fields, struct.pack("<HH", 0x5455, 50) + bytes(5)


def zip64_field_missing(index: int, fields: list[Any], extra: bytes) -> tuple[list[Any], bytes]:
    fields[FILE_SIZE] = 0xFFFF_FFFF
    return fields, struct.pack("<HH", 0x0001, 0)


def later_version(index: int, fields: list[Any], extra: bytes) -> tuple[list[Any], bytes]:
    fields[EXTRACT_VERSION] = 64
    return fields, extra


def directory_before_the_file(data: bytes) -> bytes:
    end = END.unpack(data[-END.size :])
    return data[: -END.size] + END.pack(*end[:5], len(data), end[6], 0)


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (trailing_bytes, "Truncated central directory"),
        (bad_magic, "Bad magic number for central directory"),
        (lambda data: records_changed(data, corrupt_extra), "Corrupt extra field 5455 (size=50)"),
        (
            lambda data: records_changed(data, zip64_field_missing),
            "Corrupt zip64 extra field. File size not found.",
        ),
        (lambda data: records_changed(data, later_version), "zip file version 6.4"),
        (directory_before_the_file, "Bad offset for central directory"),
    ],
    ids=["truncated", "magic", "extra", "zip64-extra", "version", "offset"],
)
def test_a_damaged_directory_is_refused_in_zipfiles_words(
    damage: Callable[[bytes], bytes], words: str
) -> None:
    data = damage(plain())
    assert zipfile_error(data) == words
    error = refused(data)
    assert error.code == "zip.corrupt"
    assert f"is not a readable zip archive ({words})" in str(error)


def test_a_record_cut_short_by_the_end_of_the_directory_is_refused() -> None:
    # zipfile would take the cut name as it is, and fail only when the entry is read.
    data = bytearray(plain())
    last = data.rindex(b"PK\x01\x02")
    struct.pack_into("<H", data, last + 28, 200)
    error = refused(bytes(data))
    assert error.code == "zip.corrupt"
    assert "Truncated central directory" in str(error)


def test_records_beyond_the_count_of_the_end_record_are_counted() -> None:
    data = plain()
    end = END.unpack(data[-END.size :])
    understated = data[: -END.size] + END.pack(end[0], 0, 0, 1, 1, *end[5:])
    assert len(opened(understated).members) == len(CONTENTS)
    error = refused(understated, Limits(max_entries=3))
    assert (error.code, str(error)) == ("zip.too_many_entries", "has more than 3 entries")
