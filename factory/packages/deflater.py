"""A helper process that deflates groups of byte strings while the calling process does other work.

Deflating a large package at level 9 costs about as much as everything else its export does, and an
export runs on one core. zlib lets other threads run while it works, but a thread would not help: it
needs the GIL back after every member, and a busy interpreter hands it over only every few milliseconds,
so the thread would make little progress. Celery's worker processes may not start ``multiprocessing``
children (they are daemonic), so the helper is a plain subprocess: a few lines of Python that import
only ``zlib``, talking over its standard input and output.

The protocol is strict alternation, one group in flight, so neither side can block the other: the
caller sends a group (the helper reads all of it before it deflates anything), does its own work, then
reads the group's results back in full before it sends the next one.

    group:   u32 count, count x u64 sizes, the bytes
    results: u32 count, count x u64 sizes, the deflated bytes
"""

from __future__ import annotations

import struct
import subprocess
import sys
from typing import IO

# The helper's whole program. ``zlib.compress(data, 9, -15)`` is raw deflate with the parameters
# ``stream_zip``'s ZIP_AUTO gives ``zlib.compressobj`` (level 9, memLevel 8, no header): the same bytes.
_HELPER = """
import os, struct, sys, zlib
source, sink = sys.stdin.buffer, sys.stdout.buffer
try:
    while True:
        head = source.read(4)
        if len(head) < 4:
            break
        (count,) = struct.unpack("<I", head)
        sizes = struct.unpack(f"<{count}Q", source.read(8 * count))
        data = [source.read(size) for size in sizes]
        done = [zlib.compress(item, LEVEL, -15) for item in data]
        sink.write(struct.pack(f"<I{count}Q", count, *map(len, done)))
        sink.writelines(done)
        sink.flush()
except BrokenPipeError:  # the caller stopped listening (an abandoned stream): nothing left to do
    os._exit(0)
"""


class DeflaterStopped(RuntimeError):
    """The helper process ended before it answered (killed, out of memory)."""


class Deflater:
    """One helper process; ``send`` a group, then ``receive`` its deflated members, in turn."""

    def __init__(self, *, level: int) -> None:
        program = _HELPER.replace("LEVEL", str(int(level)))
        # -I: isolated (no site-packages, no environment variables), it needs nothing but zlib.
        self._process = subprocess.Popen(  # noqa: S603  # our own interpreter and program
            [sys.executable, "-I", "-c", program],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self._pending: int | None = None

    def send(self, data: list[bytes]) -> None:
        if self._pending is not None:
            raise RuntimeError("receive the previous group before sending the next one")
        head = struct.pack(f"<I{len(data)}Q", len(data), *map(len, data))
        try:
            stdin = self._stdin()
            stdin.write(head)
            stdin.writelines(data)
            stdin.flush()
        except BrokenPipeError:
            raise DeflaterStopped(self._stopped_message()) from None
        self._pending = len(data)

    def receive(self) -> list[bytes]:
        if self._pending is None:
            raise RuntimeError("nothing was sent")
        (count,) = struct.unpack("<I", self._read(4))
        if count != self._pending:
            raise DeflaterStopped(f"the deflate helper answered {count} members for {self._pending}")
        sizes = struct.unpack(f"<{count}Q", self._read(8 * count))
        self._pending = None
        return [self._read(size) for size in sizes]

    def close(self) -> None:
        """End the helper and reap it: it exits when its input closes, or, busy writing the results of a
        group nobody will read, when its output does; killed if it does not."""
        process = self._process
        for pipe in (process.stdin, process.stdout):
            if pipe is not None and not pipe.closed:
                try:
                    pipe.close()
                except BrokenPipeError:  # unflushed bytes for a helper that is gone
                    pass
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> Deflater:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _stdin(self) -> IO[bytes]:
        assert self._process.stdin is not None
        return self._process.stdin

    def _read(self, size: int) -> bytes:
        assert self._process.stdout is not None
        chunks = []
        left = size
        while left:
            chunk = self._process.stdout.read(left)
            if not chunk:
                raise DeflaterStopped(self._stopped_message())
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def _stopped_message(self) -> str:
        code = self._process.poll()
        return f"the deflate helper process stopped (exit status {code})"
