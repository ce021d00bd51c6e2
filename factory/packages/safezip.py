"""Reading a zip that may be hostile: member by member, never trusting its headers.

Nothing is extracted to disk. Every entry name is checked before anything is read (zip-slip, absolute
paths, symlinks, undecodable names, duplicates); sizes are checked as declared and again as actually
decompressed, with a hard cap, so a lying header or a deflate bomb stops early. Every failure of the
zip machinery on bad bytes becomes a :class:`PackageError`.

The central directory is read here, record by record, each record checked and kept as a compact
:class:`Member`; ``zipfile`` only reads an entry's data. Its own parse would hold a ``ZipInfo`` of a few
hundred bytes for every entry at once, some 230 MB for a package of 250,000 entries.
"""

from __future__ import annotations

import lzma
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, NamedTuple

from factory.packages.errors import PackageError
from factory.packages.limits import Limits

ZIP_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,  # also bz2's and lzma's "compressed data ended before the end-of-stream marker"
    OSError,  # includes bz2's "Invalid data stream"
    NotImplementedError,
    ValueError,  # includes UnicodeDecodeError
    lzma.LZMAError,  # damaged LZMA data or properties (a subclass of Exception only)
    RuntimeError,  # zipfile's "File is encrypted" and similar
    struct.error,
    OverflowError,
)
"""What the standard library raises on damaged archives; all of it means ``zip.corrupt`` to us."""
SUPPORTED_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
READ_CHUNK = 64 * 1024
MAX_NAME_BYTES = 4096
CENTRAL_HEADER = struct.Struct("<4s4B4HL2L5H2L")  # zipfile's ``structCentralDir``
CENTRAL_HEADER_SIZE = CENTRAL_HEADER.size
CENTRAL_SIGNATURE = b"PK\x01\x02"
ZIP64_END_SIGNATURE = b"PK\x06\x06"
ZIP64_END_SIZE = 56
ZIP64_LOCATOR_SIZE = 20
ZIP64_EXTRA = 0x0001
EXTRA_HEADER = struct.Struct("<HH")
UINT64 = struct.Struct("<Q")
MAX_EXTRACT_VERSION = 63  # zipfile's: a record needing a later version is refused, as zipfile does
DIRECTORY_BLOCK = 64 * 1024
DRIVE_LETTER = re.compile(r"^[A-Za-z]:")
CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f]")
UTF8_FLAG = 0x800
ENCRYPTED_FLAG = 0x1


def printable(name: str) -> str:
    """An entry name safe to show in a message or a log: control characters escaped."""
    if name.isprintable():
        return name  # the same string: a package of 100,000 entries keeps each name once
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in name)


class Record(NamedTuple):
    """One record of the central directory, as far as the checks and reading the entry need it: what
    ``zipfile`` would have put in a ``ZipInfo``, ZIP64 sizes and the offset of prepended data applied."""

    stored: str  # the name as stored, decoded (``ZipInfo.orig_filename``: not cut at a NUL byte)
    flag_bits: int
    compress_type: int
    crc: int
    compress_size: int
    file_size: int
    header_offset: int
    external_attr: int


class Member:
    """A regular file of the archive: its normalised ``path``, the name as shown (``original``, printable)
    and what reading it needs of its header, packed in a few dozen bytes.

    A package of a hundred thousand entries keeps one of these per entry for as long as it is open:
    ``zipfile``'s own ``ZipInfo`` (a few hundred bytes, with times, extras and comments never used here)
    is made only briefly, for each read."""

    __slots__ = ("_header", "_info", "_stored", "original", "path")
    _HEADER = struct.Struct("<QQQIHH")  # header offset, compressed size, size, CRC, method, flags

    def __init__(self, *, path: str, original: str, record: Record) -> None:
        self.path = path
        self.original = original
        # The name exactly as stored (the local header must repeat it); most often ``original`` itself.
        self._stored = original if record.stored == original else record.stored
        self._header = self._HEADER.pack(
            record.header_offset,
            record.compress_size,
            record.file_size,
            record.crc,
            record.compress_type,
            record.flag_bits,
        )
        self._info: zipfile.ZipInfo | None = None

    def __repr__(self) -> str:
        return f"Member(path={self.path!r})"

    @property
    def header_offset(self) -> int:
        return int(self._HEADER.unpack(self._header)[0])

    @property
    def compress_size(self) -> int:
        return int(self._HEADER.unpack(self._header)[1])

    @property
    def file_size(self) -> int:
        return int(self._HEADER.unpack(self._header)[2])

    @property
    def stored_name(self) -> str:
        """The entry's name as the archive stores it."""
        return self._stored

    @property
    def info(self) -> zipfile.ZipInfo:
        """The entry's ``ZipInfo``, made on first use and kept (reads then go by it, changes included)."""
        if self._info is None:
            self._info = self._zipinfo()
        return self._info

    def zipinfo(self) -> zipfile.ZipInfo:
        """What ``zipfile`` reads the entry by: :attr:`info` once made, else a new, short-lived one."""
        return self._info if self._info is not None else self._zipinfo()

    def _zipinfo(self) -> zipfile.ZipInfo:
        offset, packed, size, crc, method, flags = self._HEADER.unpack(self._header)
        info = zipfile.ZipInfo(self._stored)
        info.header_offset, info.compress_size, info.file_size = offset, packed, size
        info.CRC, info.compress_type, info.flag_bits = crc, method, flags
        return info


class _EntryZip(zipfile.ZipFile):
    """A ``ZipFile`` that reads entries by the ``ZipInfo`` it is given and never parses the directory.

    ``zipfile`` reads the whole central directory when it opens an archive, into a list of ``ZipInfo``;
    :class:`SafeZip` has read it already, a record at a time."""

    def __init__(self, fileobj: IO[bytes], *, start_dir: int) -> None:
        super().__init__(fileobj)
        self.start_dir = start_dir

    def _RealGetContents(self) -> None:  # zipfile's name: its ``__init__`` calls this to read the directory
        """Nothing to read: :class:`SafeZip` has read and checked the directory."""


def _corrupt(exc: BaseException, *, entry: str | None = None) -> PackageError:
    detail = str(exc) or type(exc).__name__
    return PackageError(f"is not a readable zip archive ({detail})", code="zip.corrupt", entry=entry)


# Finds the end record, and the ZIP64 one after it, even behind an archive comment. Private to zipfile but
# stable since Python 2; typeshed leaves it out.
_end_record_find: Callable[[IO[bytes]], list[Any] | None] = zipfile._EndRecData  # type: ignore[attr-defined]


def _directory_locate(fileobj: IO[bytes], *, limits: Limits) -> tuple[int, int, int]:
    """Where the central directory starts, its size, and by how much every offset in it is short: the
    size of whatever was prepended to the zip (a self-extractor's stub), as ``zipfile`` computes it."""
    end_record = _end_record_find(fileobj)
    if end_record is None:
        raise PackageError("is not a zip archive", code="zip.corrupt")
    signature, total, size, offset, location = (end_record[i] for i in (0, 4, 5, 6, 9))
    if total > limits.max_entries:
        raise PackageError(
            f"has {total} entries; at most {limits.max_entries} are allowed", code="zip.too_many_entries"
        )
    concat = location - size - offset
    if signature == ZIP64_END_SIGNATURE:
        concat -= ZIP64_END_SIZE + ZIP64_LOCATOR_SIZE
    if offset + concat < 0:
        raise zipfile.BadZipFile("Bad offset for central directory")
    return offset + concat, size, concat


class _Region:
    """Consecutive reads from one region of a file, served from a block read ahead: the directory of a
    large package is tens of megabytes, never held whole."""

    def __init__(self, fileobj: IO[bytes], *, start: int, size: int) -> None:
        fileobj.seek(start)
        self._fileobj, self._unread = fileobj, size
        self._block, self._at = b"", 0

    def read(self, count: int) -> bytes:
        """The next ``count`` bytes; fewer at the end of the region or of the file."""
        if self._at + count > len(self._block) and self._unread > 0:
            wanted = min(self._unread, max(count, DIRECTORY_BLOCK))
            pieces = [self._block[self._at :]]
            while wanted > 0:
                piece = self._fileobj.read(wanted)
                if not piece:
                    self._unread = 0
                    break
                pieces.append(piece)
                wanted -= len(piece)
                self._unread -= len(piece)
            self._block, self._at = b"".join(pieces), 0
        data = self._block[self._at : self._at + count]
        self._at += len(data)
        return data


def _records(fileobj: IO[bytes], *, limits: Limits) -> tuple[int, Iterator[Record]]:
    """Where the central directory starts, and its records, read one at a time as they are wanted."""
    start, size, concat = _directory_locate(fileobj, limits=limits)
    return start, _records_read(
        _Region(fileobj, start=start, size=size), size=size, concat=concat, limits=limits
    )


def _records_read(region: _Region, *, size: int, concat: int, limits: Limits) -> Iterator[Record]:
    """The records of ``size`` bytes of central directory, checked as ``zipfile`` checks them."""
    count, position = 0, 0
    while position < size:
        count += 1
        if count > limits.max_entries:
            raise PackageError(f"has more than {limits.max_entries} entries", code="zip.too_many_entries")
        record, length = _record_read(region, concat=concat)
        position += length
        yield record


def _record_read(region: _Region, *, concat: int) -> tuple[Record, int]:
    """One record of the central directory and its length in bytes (zipfile's ``_RealGetContents``)."""
    header = region.read(CENTRAL_HEADER_SIZE)
    if len(header) != CENTRAL_HEADER_SIZE:
        raise zipfile.BadZipFile("Truncated central directory")
    fields = CENTRAL_HEADER.unpack(header)
    if fields[0] != CENTRAL_SIGNATURE:
        raise zipfile.BadZipFile("Bad magic number for central directory")
    extract_version, flags, method, crc, compress_size, file_size = fields[3], *fields[5:7], *fields[9:12]
    name_length, extra_length, comment_length, external_attr, header_offset = *fields[12:15], *fields[17:19]
    if name_length > MAX_NAME_BYTES:
        raise PackageError(
            f"has an entry name of {name_length} bytes; at most {MAX_NAME_BYTES} are allowed",
            code="zip.invalid_name",
        )
    name = region.read(name_length)
    extra = region.read(extra_length)
    if len(name) != name_length or len(extra) != extra_length:
        raise zipfile.BadZipFile("Truncated central directory")
    region.read(comment_length)  # never used; a short one is what zipfile allows too
    stored = _flagged_name_decode(name) if flags & UTF8_FLAG else name.decode("cp437")
    if extract_version > MAX_EXTRACT_VERSION:
        raise NotImplementedError(f"zip file version {extract_version / 10:.1f}")
    file_size, compress_size, header_offset = _zip64_extra_decode(
        extra, file_size=file_size, compress_size=compress_size, header_offset=header_offset
    )
    record = Record(
        stored, flags, method, crc, compress_size, file_size, header_offset + concat, external_attr
    )
    return record, CENTRAL_HEADER_SIZE + name_length + extra_length + comment_length


def _zip64_extra_decode(
    extra: bytes, *, file_size: int, compress_size: int, header_offset: int
) -> tuple[int, int, int]:
    """The sizes and offset that do not fit in 32 bits, from the ZIP64 extra field (``ZipInfo._decodeExtra``)."""
    while len(extra) >= EXTRA_HEADER.size:
        kind, length = EXTRA_HEADER.unpack_from(extra)
        if length + EXTRA_HEADER.size > len(extra):
            raise zipfile.BadZipFile(f"Corrupt extra field {kind:04x} (size={length})")
        if kind == ZIP64_EXTRA:
            data = extra[EXTRA_HEADER.size : EXTRA_HEADER.size + length]
            field = ""
            try:
                if file_size in (0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF):
                    field = "File size"
                    (file_size,), data = UINT64.unpack(data[:8]), data[8:]
                if compress_size == 0xFFFF_FFFF:
                    field = "Compress size"
                    (compress_size,), data = UINT64.unpack(data[:8]), data[8:]
                if header_offset == 0xFFFF_FFFF:
                    field = "Header offset"
                    (header_offset,) = UINT64.unpack(data[:8])
            except struct.error:
                raise zipfile.BadZipFile(f"Corrupt zip64 extra field. {field} not found.") from None
        extra = extra[EXTRA_HEADER.size + length :]
    return file_size, compress_size, header_offset


def _flagged_name_decode(name: bytes) -> str:
    """A name flagged UTF-8 must be UTF-8. ``zipfile`` would fail on it while opening the archive,
    without saying which entry; here the message names it, undecodable bytes shown as ``\\xff``."""
    try:
        return name.decode("utf-8")
    except UnicodeDecodeError:
        raise PackageError(
            "entry name is marked as UTF-8 but is not",
            code="zip.non_utf8_name",
            entry=printable(name.decode("utf-8", "backslashreplace")),
        ) from None


def _name_check(record: Record) -> str | None:
    """The normalised path of a file entry, ``None`` for a directory; refuse unsafe names."""
    original = record.stored  # zipfile's ``filename`` is cut at a NUL byte; check what was stored
    entry = printable(original)
    if CONTROL_CHARACTER.search(original):
        raise PackageError("entry name contains control characters", code="zip.invalid_name", entry=entry)
    if not record.flag_bits & UTF8_FLAG and not original.isascii():
        raise PackageError(
            "entry name is not marked as UTF-8 (re-create the zip with a tool that writes UTF-8 names)",
            code="zip.non_utf8_name",
            entry=entry,
        )
    if original.startswith(("/", "\\")) or DRIVE_LETTER.match(original):
        raise PackageError("entry has an absolute path", code="zip.absolute_path", entry=entry)
    if ".." in re.split(r"[/\\]", original):
        raise PackageError(
            "entry path leads outside the package ('..')", code="zip.path_traversal", entry=entry
        )
    if "\\" in original:
        raise PackageError("entry name contains a backslash", code="zip.invalid_name", entry=entry)
    mode = record.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise PackageError("entry is a symbolic link", code="zip.symlink", entry=entry)
    if record.flag_bits & ENCRYPTED_FLAG:
        raise PackageError("entry is encrypted", code="zip.encrypted", entry=entry)
    segments = [segment for segment in original.split("/") if segment not in ("", ".")]
    if original.endswith("/") or stat.S_ISDIR(mode):
        return None
    if not segments:
        raise PackageError("entry has an empty name", code="zip.invalid_name", entry=entry)
    path = "/".join(segments)
    return original if path == original else path


class SafeZip:
    """An open archive whose members have passed the name and declared-size checks.

    Holds the remaining decompression budget, so that many entries together cannot exceed
    ``max_unpacked_bytes`` even when their headers lie.
    """

    def __init__(self, *, fileobj: IO[bytes], limits: Limits) -> None:
        self.limits = limits
        try:
            start_dir, records = _records(fileobj, limits=limits)
            self.members = self._members_check(records, end_of_data=start_dir)
            self._zip = _EntryZip(fileobj, start_dir=start_dir)
        except PackageError:
            raise
        except ZIP_ERRORS as exc:  # struct.error included: a header field beyond what any zip can hold
            raise _corrupt(exc) from None
        self._budget = limits.max_unpacked_bytes

    def _members_check(self, records: Iterator[Record], *, end_of_data: int) -> list[Member]:
        limits = self.limits
        members: dict[str, Member] = {}
        declared = 0
        for record in records:
            path = _name_check(record)
            entry = printable(record.stored)
            if path is None:
                continue
            if path in members:
                raise PackageError(
                    "entry appears twice in the archive", code="zip.duplicate_entry", entry=entry
                )
            if path.lower().endswith(".zip"):
                raise PackageError("entry is a nested zip archive", code="zip.nested_archive", entry=entry)
            if record.compress_type not in SUPPORTED_COMPRESSION:
                raise PackageError(
                    f"entry uses compression method {record.compress_type}, which is not supported",
                    code="zip.unsupported_compression",
                    entry=entry,
                )
            if record.file_size > limits.max_entry_bytes:
                raise PackageError(
                    f"entry is {record.file_size} bytes uncompressed; at most {limits.max_entry_bytes} are allowed",
                    code="zip.too_large",
                    entry=entry,
                )
            declared += record.file_size
            if declared > limits.max_unpacked_bytes:
                raise PackageError(
                    f"the entries add up to more than {limits.max_unpacked_bytes} bytes uncompressed",
                    code="zip.too_large",
                    entry=entry,
                )
            self._ratio_check(uncompressed=record.file_size, compressed=record.compress_size, entry=entry)
            members[path] = Member(path=path, original=entry, record=record)
        self._overlap_check(members.values(), end_of_data=end_of_data)
        return sorted(members.values(), key=lambda member: member.path)

    def _ratio_check(self, *, uncompressed: int, compressed: int, entry: str) -> None:
        limits = self.limits
        if uncompressed > limits.ratio_threshold_bytes and uncompressed > limits.max_ratio * max(
            compressed, 1
        ):
            raise PackageError(
                f"entry expands {uncompressed // max(compressed, 1)} times; at most {limits.max_ratio} "
                "is allowed (a zip bomb?)",
                code="zip.bomb_ratio",
                entry=entry,
            )

    def _overlap_check(self, members: Iterable[Member], *, end_of_data: int) -> None:
        """Refuse entries whose data overlap: the trick behind 'better zip bombs' (one deflate stream
        referenced by thousands of headers), which per-entry ratios do not catch."""
        ordered = sorted(members, key=lambda member: member.header_offset)
        for index, current in enumerate(ordered):
            data_end = (
                current.header_offset + 30 + len(current.stored_name.encode("utf-8")) + current.compress_size
            )
            limit = ordered[index + 1].header_offset if index + 1 < len(ordered) else end_of_data
            if data_end > limit:
                raise PackageError(
                    "entry overlaps another entry's data",
                    code="zip.overlapping_entries",
                    entry=current.original,
                )

    def read(self, member: Member, *, again: bool = False) -> bytes:
        """The entry's bytes, decompressed under a cap: never more than declared or than the limits.

        ``again``: an entry read before, whose size already counts against ``max_unpacked_bytes``, so
        that reading the documents of a package again does not exhaust the budget.
        """
        info, entry = member.zipinfo(), member.original
        cap = min(info.file_size, self.limits.max_entry_bytes, info.file_size if again else self._budget)
        chunks: list[bytes] = []
        total = 0
        try:
            with self._zip.open(info) as stream:
                while True:
                    chunk = stream.read(min(READ_CHUNK, cap - total + 1))
                    if not chunk:
                        break
                    total += len(chunk)
                    if total > cap:
                        raise PackageError(
                            "entry holds more data than its header declares or the limits allow",
                            code="zip.too_large",
                            entry=entry,
                        )
                    self._ratio_check(uncompressed=total, compressed=info.compress_size, entry=entry)
                    chunks.append(chunk)
        except PackageError:
            raise
        except ZIP_ERRORS as exc:
            raise _corrupt(exc, entry=entry) from None
        if total != info.file_size:
            raise PackageError("entry is truncated", code="zip.corrupt", entry=entry)
        if not again:
            self._budget -= total
        return b"".join(chunks)

    def close(self) -> None:
        self._zip.close()
