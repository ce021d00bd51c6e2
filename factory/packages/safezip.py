"""Reading a zip that may be hostile: member by member, never trusting its headers.

Nothing is extracted to disk. Every entry name is checked before anything is read (zip-slip, absolute
paths, symlinks, undecodable names, duplicates); sizes are checked as declared and again as actually
decompressed, with a hard cap, so a lying header or a deflate bomb stops early. Every failure of the
zip machinery on bad bytes becomes a :class:`PackageError`.
"""

from __future__ import annotations

import lzma
import re
import stat
import struct
import zipfile
import zlib
from typing import IO

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
CENTRAL_HEADER_SIZE = 46
DRIVE_LETTER = re.compile(r"^[A-Za-z]:")
CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f]")
UTF8_FLAG = 0x800
ENCRYPTED_FLAG = 0x1


def printable(name: str) -> str:
    """An entry name safe to show in a message or a log: control characters escaped."""
    if name.isprintable():
        return name  # the same string: a package of 100,000 entries keeps each name once
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in name)


class Member:
    """A regular file of the archive: its normalised ``path``, the name as shown (``original``, printable)
    and what reading it needs of its header, packed in a few dozen bytes.

    A package of a hundred thousand entries keeps one of these per entry for as long as it is open:
    ``zipfile``'s own ``ZipInfo`` (a few hundred bytes, with times, extras and comments never used here)
    is let go once the checks have run, and made again, briefly, for each read."""

    __slots__ = ("_header", "_info", "_stored", "original", "path")
    _HEADER = struct.Struct("<QQQIHH")  # header offset, compressed size, size, CRC, method, flags

    def __init__(self, *, path: str, original: str, info: zipfile.ZipInfo) -> None:
        self.path = path
        self.original = original
        # The name exactly as stored (the local header must repeat it); most often ``original`` itself.
        self._stored = original if info.orig_filename == original else info.orig_filename
        self._header = self._HEADER.pack(
            info.header_offset,
            info.compress_size,
            info.file_size,
            info.CRC,
            info.compress_type,
            info.flag_bits,
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


def _corrupt(exc: BaseException, *, entry: str | None = None) -> PackageError:
    detail = str(exc) or type(exc).__name__
    return PackageError(f"is not a readable zip archive ({detail})", code="zip.corrupt", entry=entry)


def _central_directory_check(fileobj: IO[bytes], *, limits: Limits) -> None:
    """Count central-directory records before ``zipfile`` turns each into an object in memory.

    ``zipfile`` parses the whole central directory when it opens an archive; a crafted one with
    millions of tiny records would exhaust memory before our entry limit could be applied.
    The helpers used are private to ``zipfile`` but stable since Python 2; without them we skip this.
    """
    end_record = getattr(zipfile, "_EndRecData", None)
    if end_record is None:  # pragma: no cover - a Python without the helper
        return
    endrec = end_record(fileobj)
    if endrec is None:
        raise PackageError("is not a zip archive", code="zip.corrupt")
    total, size_cd, offset_cd, location = endrec[4], endrec[5], endrec[6], endrec[9]
    if total > limits.max_entries:
        raise PackageError(
            f"has {total} entries; at most {limits.max_entries} are allowed", code="zip.too_many_entries"
        )
    start = location - size_cd
    # typeshed leaves out zipfile's record constants (undocumented, but what zipfile itself reads by)
    if endrec[0] == zipfile.stringEndArchive64:  # type: ignore[attr-defined]
        start -= zipfile.sizeEndCentDir64 + zipfile.sizeEndCentDir64Locator  # type: ignore[attr-defined]
    if start < 0 or offset_cd < 0:
        raise PackageError("is not a readable zip archive (bad central directory)", code="zip.corrupt")
    count, position = 0, 0
    while position < size_cd:
        fileobj.seek(start + position)
        header = fileobj.read(CENTRAL_HEADER_SIZE)
        if len(header) < CENTRAL_HEADER_SIZE or header[:4] != zipfile.stringCentralDir:  # type: ignore[attr-defined]
            return  # damaged: zipfile will say so precisely
        (flags,) = struct.unpack("<H", header[8:10])
        name_length, extra_length, comment_length = struct.unpack("<HHH", header[28:34])
        count += 1
        if count > limits.max_entries:
            raise PackageError(f"has more than {limits.max_entries} entries", code="zip.too_many_entries")
        if name_length > MAX_NAME_BYTES:
            raise PackageError(
                f"has an entry name of {name_length} bytes; at most {MAX_NAME_BYTES} are allowed",
                code="zip.invalid_name",
            )
        if flags & UTF8_FLAG:
            name = fileobj.read(name_length)
            if len(name) < name_length:
                return  # truncated: zipfile will say so
            _flagged_name_check(name)
        position += CENTRAL_HEADER_SIZE + name_length + extra_length + comment_length


def _flagged_name_check(name: bytes) -> None:
    """A name flagged UTF-8 must be UTF-8. ``zipfile`` would fail on it while opening the archive,
    without saying which entry; here the message names it, undecodable bytes shown as ``\\xff``."""
    try:
        name.decode("utf-8")
    except UnicodeDecodeError:
        raise PackageError(
            "entry name is marked as UTF-8 but is not",
            code="zip.non_utf8_name",
            entry=printable(name.decode("utf-8", "backslashreplace")),
        ) from None


def _name_check(info: zipfile.ZipInfo) -> str | None:
    """The normalised path of a file entry, ``None`` for a directory; refuse unsafe names."""
    original = info.orig_filename  # ``filename`` is truncated at a NUL byte; check what was stored
    entry = printable(original)
    if CONTROL_CHARACTER.search(original):
        raise PackageError("entry name contains control characters", code="zip.invalid_name", entry=entry)
    if not info.flag_bits & UTF8_FLAG and not original.isascii():
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
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise PackageError("entry is a symbolic link", code="zip.symlink", entry=entry)
    if info.flag_bits & ENCRYPTED_FLAG:
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
            _central_directory_check(fileobj, limits=limits)
            fileobj.seek(0)
            self._zip = zipfile.ZipFile(fileobj)
        except UnicodeDecodeError:  # a name _central_directory_check did not see (no helper, damaged record)
            raise PackageError(
                "an entry name is marked as UTF-8 but is not", code="zip.non_utf8_name"
            ) from None
        except PackageError:
            raise
        except ZIP_ERRORS as exc:
            raise _corrupt(exc) from None
        infos = self._zip.infolist()
        if len(infos) > limits.max_entries:
            raise PackageError(
                f"has {len(infos)} entries; at most {limits.max_entries} are allowed",
                code="zip.too_many_entries",
            )
        try:
            self.members = self._members_check(infos)
        except struct.error as exc:  # a header field beyond what any zip can hold
            raise _corrupt(exc) from None
        del infos
        # Read by ``Member.zipinfo`` from here on: zipfile's own lists would keep every ``ZipInfo`` alive.
        self._zip.filelist, self._zip.NameToInfo = [], {}
        self._budget = limits.max_unpacked_bytes

    def _members_check(self, infos: list[zipfile.ZipInfo]) -> list[Member]:
        limits = self.limits
        members: dict[str, Member] = {}
        declared = 0
        for info in infos:
            path = _name_check(info)
            entry = printable(info.orig_filename)
            if path is None:
                continue
            if path in members:
                raise PackageError(
                    "entry appears twice in the archive", code="zip.duplicate_entry", entry=entry
                )
            if path.lower().endswith(".zip"):
                raise PackageError("entry is a nested zip archive", code="zip.nested_archive", entry=entry)
            if info.compress_type not in SUPPORTED_COMPRESSION:
                raise PackageError(
                    f"entry uses compression method {info.compress_type}, which is not supported",
                    code="zip.unsupported_compression",
                    entry=entry,
                )
            if info.file_size > limits.max_entry_bytes:
                raise PackageError(
                    f"entry is {info.file_size} bytes uncompressed; at most {limits.max_entry_bytes} are allowed",
                    code="zip.too_large",
                    entry=entry,
                )
            declared += info.file_size
            if declared > limits.max_unpacked_bytes:
                raise PackageError(
                    f"the entries add up to more than {limits.max_unpacked_bytes} bytes uncompressed",
                    code="zip.too_large",
                    entry=entry,
                )
            self._ratio_check(uncompressed=info.file_size, compressed=info.compress_size, entry=entry)
            members[path] = Member(path=path, original=entry, info=info)
        self._overlap_check(list(members.values()))
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

    def _overlap_check(self, members: list[Member]) -> None:
        """Refuse entries whose data overlap: the trick behind 'better zip bombs' (one deflate stream
        referenced by thousands of headers), which per-entry ratios do not catch."""
        ordered = sorted(((member.header_offset, member) for member in members), key=lambda pair: pair[0])
        end_of_data = getattr(self._zip, "start_dir", None)
        for index, (offset, current) in enumerate(ordered):
            data_end = offset + 30 + len(current.stored_name.encode("utf-8")) + current.compress_size
            limit = ordered[index + 1][0] if index + 1 < len(ordered) else end_of_data
            if limit is not None and data_end > limit:
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
