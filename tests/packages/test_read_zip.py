"""The reader's zip rules, each with a hostile archive built here: refused with a precise error."""

from __future__ import annotations

import json
import stat
import struct
import zipfile

import pytest

from factory.packages import Limits, PackageError, package_read

from .helpers import (
    assert_refused,
    json_bytes,
    minimal_job,
    patch_sizes,
    read,
    refused,
    write_package,
    zip_of,
)

GOOD_JOB = json_bytes(minimal_job())
MIB = 1024 * 1024


@pytest.mark.parametrize(
    ("name", "code", "text"),
    [
        ("../evil.job", "zip.path_traversal", "leads outside the package"),
        ("jobs/../../evil.job", "zip.path_traversal", "leads outside the package"),
        ("..\\evil.job", "zip.path_traversal", "leads outside the package"),
        ("/abs/jobs/x.job", "zip.absolute_path", "absolute path"),
        ("\\abs\\x.job", "zip.absolute_path", "absolute path"),
        ("C:/x.job", "zip.absolute_path", "absolute path"),
        ("jobs\\b.job", "zip.invalid_name", "backslash"),
        ("jobs/a\x01.job", "zip.invalid_name", "control characters"),
    ],
)
def test_unsafe_entry_names(name: str, code: str, text: str) -> None:
    data = zip_of([("jobs/j1.job", GOOD_JOB), (name, b"{}")])
    error = refused(data)
    assert error.code == code
    assert error.entry == name.replace("\x01", "\\x01")
    assert text in str(error)


def test_nul_in_a_name_is_caught_although_zipfile_truncates_it() -> None:
    data = zip_of([("jobs/j1.job", GOOD_JOB), ("jobs/a.jobZ.sh", b"{}")]).replace(b"a.jobZ.sh", b"a.job\0.sh")
    error = refused(data)
    assert (error.code, error.entry) == ("zip.invalid_name", "jobs/a.job\\x00.sh")


def test_symlink_entry() -> None:
    info = zipfile.ZipInfo("jobs/link.job", (1980, 1, 1, 0, 0, 0))
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    assert_refused(
        zip_of([("jobs/j1.job", GOOD_JOB), (info, b"/etc/passwd")]),
        code="zip.symlink",
        entry="jobs/link.job",
        text="symbolic link",
    )


def test_deflate_bomb_refused_by_declared_size() -> None:
    data = zip_of([("jobs/j1.job", GOOD_JOB), ("scripts/bomb.script", b"\0" * (50 * MIB))])
    assert len(data) < MIB
    assert_refused(
        data,
        code="zip.too_large",
        entry="scripts/bomb.script",
        text="at most 10485760 are allowed",
        limits=Limits(max_entry_bytes=10 * MIB),
    )


def test_deflate_bomb_refused_by_ratio() -> None:
    assert_refused(
        zip_of([("jobs/j1.job", GOOD_JOB), ("scripts/bomb.script", b" " * (2 * MIB))]),
        code="zip.bomb_ratio",
        entry="scripts/bomb.script",
        text="a zip bomb?",
    )


def test_small_entries_may_compress_well() -> None:
    padded = json.dumps(minimal_job(description=" " * 500_000)).encode()
    assert read(zip_of([("jobs/j1.job", padded)])).jobs[0].name == "j1"


def test_headers_that_understate_the_size_are_not_trusted() -> None:
    data = zip_of([("jobs/j1.job", json.dumps(minimal_job(description="x" * 5000)).encode())])
    lying = patch_sizes(data, b"jobs/j1.job", uncompressed=100)
    assert_refused(lying, code="zip.corrupt", entry="jobs/j1.job", text="not a readable zip archive")


def test_headers_that_overstate_the_size_are_not_trusted() -> None:
    data = zip_of([("jobs/j1.job", GOOD_JOB)])
    lying = patch_sizes(data, b"jobs/j1.job", uncompressed=len(GOOD_JOB) + 1000)
    assert refused(lying).code == "zip.corrupt"


def test_total_unpacked_size() -> None:
    data = zip_of([("jobs/j1.job", GOOD_JOB)] + [(f"scripts/s{i}.script", b"x" * 1000) for i in range(5)])
    error = refused(data, Limits(max_unpacked_bytes=3000))
    assert error.code == "zip.too_large"
    assert "add up to more than 3000 bytes" in str(error)


def test_packed_size() -> None:
    error = refused(write_package(), Limits(max_packed_bytes=1000))
    assert (error.code, error.entry) == ("zip.too_large", None)


def test_too_many_entries() -> None:
    data = zip_of([("jobs/j1.job", GOOD_JOB)] + [(f"junk/{i}.txt", b"") for i in range(10)])
    assert_refused(
        data,
        code="zip.too_many_entries",
        entry=None,
        text="at most 10 are allowed",
        limits=Limits(max_entries=10),
    )
    assert read(data, Limits(max_entries=11)).ignored[0] == "junk/0.txt"


def test_duplicate_entries() -> None:
    data = zip_of([("jobs/j1.job", GOOD_JOB), ("jobs/j1.job", GOOD_JOB)])
    assert_refused(data, code="zip.duplicate_entry", entry="jobs/j1.job", text="appears twice")
    normalised = zip_of([("jobs/j1.job", GOOD_JOB), ("jobs/./j1.job", GOOD_JOB)])
    assert refused(normalised).code == "zip.duplicate_entry"


def test_name_without_utf8_flag_must_be_ascii() -> None:
    data = zip_of([("jobs/j1.job", GOOD_JOB), ("jobs/XX.job", GOOD_JOB)])
    raw = data.replace(b"jobs/XX.job", b"jobs/\x82\xa0.job")  # Shift-JIS bytes, no UTF-8 flag
    error = refused(raw)
    assert error.code == "zip.non_utf8_name"
    assert "not marked as UTF-8" in str(error)


def test_name_flagged_utf8_must_decode() -> None:
    data = zip_of([("jobs/j1.job", GOOD_JOB), ("jobs/é.job", GOOD_JOB)])
    raw = data.replace("jobs/é.job".encode(), b"jobs/\xff\xfe.job")
    assert_refused(
        raw,
        code="zip.non_utf8_name",
        entry="jobs/\\xff\\xfe.job",
        text="jobs/\\xff\\xfe.job: entry name is marked as UTF-8 but is not",
    )


def test_a_flagged_name_that_is_not_utf8_is_shown_printable() -> None:
    data = zip_of([("jobs/j1.job", GOOD_JOB), ("jobs/éé.job", GOOD_JOB)])
    raw = data.replace("jobs/éé.job".encode(), b"jobs/\x01\xe9\xc3\xa9.job")  # control, Latin-1, UTF-8
    error = refused(raw)
    assert (error.code, error.entry) == ("zip.non_utf8_name", "jobs/\\x01\\xe9é.job")
    assert str(error).isprintable()


def test_nested_archives() -> None:
    inner = zip_of([("jobs/j1.job", GOOD_JOB)])
    assert_refused(
        zip_of([("jobs/j1.job", GOOD_JOB), ("resources/inner.zip", inner)]),
        code="zip.nested_archive",
        entry="resources/inner.zip",
        text="nested zip",
    )
    assert_refused(
        zip_of([("jobs/j1.job", inner)]), code="zip.nested_archive", entry="jobs/j1.job", text="nested"
    )


def test_encrypted_entry() -> None:
    data = bytearray(zip_of([("jobs/j1.job", GOOD_JOB)]))
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 0x1
    assert refused(bytes(data)).code == "zip.encrypted"


def test_unsupported_compression() -> None:
    data = bytearray(zip_of([("jobs/j1.job", GOOD_JOB)]))
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<H", data, central + 10, 98)  # PPMd
    assert refused(bytes(data)).code == "zip.unsupported_compression"


def test_overlapping_entries_the_better_zip_bomb() -> None:
    data = bytearray(zip_of([("jobs/a.job", GOOD_JOB), ("jobs/b.job", GOOD_JOB)]))
    second = data.index(b"PK\x01\x02", data.index(b"PK\x01\x02") + 4)
    struct.pack_into("<I", data, second + 42, 0)  # point b's header at a's data
    assert refused(bytes(data)).code == "zip.overlapping_entries"


@pytest.mark.parametrize("cut", [1, 10, 100, 1000])
def test_truncated_zip(cut: int) -> None:
    data = write_package()
    assert refused(data[:-cut]).code == "zip.corrupt"


@pytest.mark.parametrize("data", [b"", b"hello", b"PK\x03\x04" + b"\0" * 40, bytes(range(256)) * 40])
def test_not_a_zip(data: bytes) -> None:
    error = refused(data)
    assert error.code == "zip.corrupt"
    assert "zip archive" in str(error)


def test_unreadable_path(tmp_path) -> None:
    with pytest.raises(PackageError) as caught:
        package_read(source=tmp_path / "missing.zip")
    assert caught.value.code == "zip.unreadable"


def _entry_data_flipped(data: bytes, name: str, *, at: int) -> bytes:
    """One byte of the named entry's stored data inverted, every header intact."""
    out = bytearray(data)
    local = out.index(name.encode()) - 30  # the first occurrence of the name is its local header's
    name_length, extra_length = struct.unpack_from("<HH", out, local + 26)
    out[local + 30 + name_length + extra_length + at] ^= 0xFF
    return bytes(out)


LONG_JOB = json_bytes(minimal_job("j2", [{"name": f"n{i}", "type": "Dummy"} for i in range(40)]))


@pytest.mark.parametrize(
    ("compression", "at"),
    [
        (zipfile.ZIP_LZMA, 12),  # the LZMA stream
        (zipfile.ZIP_LZMA, 4),  # the LZMA properties (lc/lp/pb byte)
        (zipfile.ZIP_LZMA, 2),  # zipfile's LZMA header: the properties' size
        (zipfile.ZIP_BZIP2, 0),  # the bzip2 signature
        (zipfile.ZIP_BZIP2, 40),  # the bzip2 stream
        (zipfile.ZIP_DEFLATED, 12),
    ],
)
def test_damaged_compressed_data_is_zip_corrupt_naming_the_entry(compression: int, at: int) -> None:
    data = zip_of([("jobs/j1.job", GOOD_JOB), ("jobs/j2.job", LONG_JOB)], compression=compression)
    assert_refused(
        _entry_data_flipped(data, "jobs/j2.job", at=at),
        code="zip.corrupt",
        entry="jobs/j2.job",
        text="is not a readable zip archive",
    )
