"""What the writer must keep about every entry until the end of a package, kept out of memory.

A zip ends with its central directory (a record per member) and our package with ``manifest.json`` (a
row per member): both are known only once every member is written. Held as Python objects they cost
some 600 bytes an entry, 150 MB for a package of 250,000 entries; here they wait in a temporary file
(in memory up to :data:`IN_MEMORY` bytes, so that small packages touch no disk), written once and read
back in order.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from struct import Struct
from typing import Self

IN_MEMORY = 1024 * 1024
READ_CHUNK = 64 * 1024


class ByteSpool:
    """Bytes appended, then read back in order (as often as needed) once everything is appended."""

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115  # closed by close()
        self.size = 0

    def write(self, data: bytes) -> None:
        self._file.write(data)
        self.size += len(data)

    def chunks(self) -> Iterator[bytes]:
        """What was written, in pieces of at most :data:`READ_CHUNK` bytes."""
        self._file.seek(0)
        try:
            left = self.size
            while left > 0:
                chunk = self._file.read(min(READ_CHUNK, left))
                if not chunk:
                    raise RuntimeError(f"a spool of {self.size} bytes ended {left} bytes early")
                left -= len(chunk)
                yield chunk
        finally:
            self._file.seek(0, io.SEEK_END)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_LENGTHS = Struct("<III")


class RecordSpool(ByteSpool):
    """Records of three byte strings (a zip central directory header, the member's name, its extra
    field), appended and then read back as the same tuples, in order: the ``deque`` that ``stream_zip``
    keeps its central directory in, as far as ``stream_zip`` uses it (``append``, ``len``, iteration)."""

    def __init__(self) -> None:
        super().__init__()
        self._count = 0

    def append(self, record: tuple[bytes, bytes, bytes]) -> None:
        first, second, third = record
        self.write(_LENGTHS.pack(len(first), len(second), len(third)) + first + second + third)
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[tuple[bytes, bytes, bytes]]:
        buffer = b""
        position = 0
        for chunk in self.chunks():
            buffer = buffer[position:] + chunk
            position = 0
            while len(buffer) - position >= _LENGTHS.size:
                a, b, c = _LENGTHS.unpack_from(buffer, position)
                end = position + _LENGTHS.size + a + b + c
                if end > len(buffer):
                    break
                start = position + _LENGTHS.size
                yield (
                    buffer[start : start + a],
                    buffer[start + a : start + a + b],
                    buffer[start + a + b : end],
                )
                position = end
        if position != len(buffer):
            raise RuntimeError("a record spool ends inside a record")
