"""Export: what pass 1 hands to pass 2 (``ExportContents``, the spools of prepared jobs) and how a
document enters a package (redacted, named, its references)."""

from __future__ import annotations

import itertools
import sqlite3
import tempfile
import weakref
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from factory.development.nodes import (
    CONNECTION,
    Reference,
    job_references,
    job_sensitive_properties_flag,
)
from factory.packages import (
    ConnectionEntry,
    PreparedJob,
    PreparedScript,
    ResourceEntry,
    ScriptEntry,
    job_document_redact,
)
from factory.packages.deflater import Deflater
from factory.packages.secrets import secret_name_like, text_secrets_redact
from factory.packages.write import GROUP_BYTES, GROUP_MEMBERS, deflate
from factory.transfer.exports.cache import EntryCache, Keep
from factory.transfer.exports.selection import (
    JOBS_ONLY,
)
from factory.transfer.selectors import NamesInOrder


@dataclass
class ExportContents:
    """What the first pass learnt: the jobs (or scripts) to write, by primary key (the selection plus the
    jobs it calls), the definitions of their dependencies, and the manifest's references (in name order,
    read from ``index`` each time they are iterated)."""

    pks: list[int]
    names: list[str]
    index: ExportIndex
    scripts: Scripts | list[ScriptEntry | PreparedScript] = field(default_factory=list)
    resources: list[ResourceEntry] = field(default_factory=list)
    connections: list[ConnectionEntry] = field(default_factory=list)
    environment: list[dict[str, Any]] | None = None
    # The scripts each job uses (by name), for the batch layout, which writes them beside it; jobs
    # prepared in pass 1 (``job_spool``) keep theirs in the spool instead.
    job_scripts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    spool: PreparedSpool | None = None  # the scripts
    job_spool: PreparedSpool | None = None

    @property
    def count(self) -> int:
        return len(self.pks)

    @property
    def references(self) -> References:
        return References(self.index)

    def spools_close(self) -> None:
        """Drop the prepared entries (the package is written); the references stay readable."""
        for spool in (self.spool, self.job_spool):
            if spool is not None:
                spool.close()

    def close(self) -> None:
        self.spools_close()
        self.index.close()


class ExportIndex:
    """What pass 1 learns about every entry and pass 2 needs, in a temporary SQLite database (on disk,
    gone when closed; SQLite keeps a few megabytes of it in memory): the references (deduplicated and
    in the manifest's order), the jobs that SubJob and For Each nodes call, and where each prepared job
    and script waits in its spool. Memory then stays flat however many entries an export has.

    Names compare the same in SQLite (UTF-8 bytes) as in Python (code points), so "in name order" is the
    order the package writer requires."""

    def __init__(self) -> None:
        # "": a private temporary database in a file of its own, deleted when the connection closes.
        self._db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        weakref.finalize(self, self._db.close)  # an export that never reaches pass 2
        self._db.executescript(_INDEX_SCHEMA)
        self._db.execute("BEGIN")  # one transaction, never committed: nothing here outlives the export
        # Rows waiting to be written, a batch at a time (before any read): one statement per row costs
        # more than the rest of an export of kept entries does per reference.
        self._references: set[tuple[str, str, str, str | None]] = set()
        self._called: set[str] = set()
        self._rows: dict[str, list[Sequence[Any]]] = {}
        self._waiting = 0

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> sqlite3.Cursor:
        """A read (or a statement run now), after the rows still waiting are written."""
        self.flush()
        return self._db.execute(sql, parameters)

    def write(self, sql: str, row: Sequence[Any]) -> None:
        """A row to insert with ``sql``, in a batch."""
        self._rows.setdefault(sql, []).append(row)
        self._wait()

    def reference_add(self, kind: str, name: str, connection_type: str | None, call: bool) -> None:
        # None and "" are different connection types (None: not a connection reference, or untyped).
        key = "" if connection_type is None else "=" + connection_type
        self._references.add((kind, name, key, connection_type))
        if call:
            self._called.add(name)
        self._wait()

    def _wait(self) -> None:
        self._waiting += 1
        if self._waiting >= _WRITE_BATCH:
            self.flush()

    def flush(self) -> None:
        if not self._waiting:
            return
        self._db.executemany(
            "INSERT OR IGNORE INTO reference (kind, name, type_key, connection_type) VALUES (?, ?, ?, ?)",
            self._references,
        )
        self._db.executemany("INSERT OR IGNORE INTO called (name) VALUES (?)", ((n,) for n in self._called))
        for sql, rows in self._rows.items():
            self._db.executemany(sql, rows)
        self._references, self._called, self._rows, self._waiting = set(), set(), {}, 0

    def names(self, kind: str) -> Iterator[str]:
        """The names referenced as ``kind``, in name order."""
        for (name,) in self.execute(
            "SELECT DISTINCT name FROM reference WHERE kind = ? ORDER BY name", (kind,)
        ):
            yield name

    def wanted(self, kind: str) -> WantedNames:
        """The names referenced as ``kind`` so far, in name order, to read while more references are added
        (a copy: SQLite does not promise what a read sees of a table written meanwhile)."""
        self.execute("DELETE FROM wanted")
        self.execute("INSERT INTO wanted (name) SELECT DISTINCT name FROM reference WHERE kind = ?", (kind,))
        return WantedNames(self)

    def called(self) -> Iterator[str]:
        for (name,) in self.execute("SELECT name FROM called ORDER BY name"):
            yield name

    def close(self) -> None:
        self._db.close()


_WRITE_BATCH = 5000
_INDEX_SCHEMA = """
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -4096;
CREATE TABLE reference (
    kind TEXT NOT NULL, name TEXT NOT NULL, type_key TEXT NOT NULL, connection_type TEXT,
    PRIMARY KEY (kind, name, type_key)
) WITHOUT ROWID;
CREATE TABLE called (name TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE entry (
    spool INTEGER NOT NULL, name TEXT NOT NULL, "offset" INTEGER NOT NULL, size INTEGER NOT NULL,
    deflated_offset INTEGER NOT NULL, deflated_size INTEGER NOT NULL, sha256 TEXT, scripts TEXT,
    PRIMARY KEY (spool, name)
) WITHOUT ROWID;
CREATE TABLE beside (name TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE wanted (name TEXT PRIMARY KEY) WITHOUT ROWID;
"""


class WantedNames(NamesInOrder):
    """:meth:`ExportIndex.wanted`'s names."""

    def __init__(self, index: ExportIndex) -> None:
        self._index = index

    def __iter__(self) -> Iterator[str]:
        for (name,) in self._index.execute("SELECT name FROM wanted ORDER BY name"):
            yield name

    def __len__(self) -> int:
        return int(self._index.execute("SELECT count(*) FROM wanted").fetchone()[0])

    def __contains__(self, name: object) -> bool:
        return self._index.execute("SELECT 1 FROM wanted WHERE name = ?", (name,)).fetchone() is not None


class References:
    """The manifest's references, ``{"type", "name"[, "connectionType"]}`` in ``(type, name, connection
    type)`` order, each once; read from the index each time they are iterated."""

    def __init__(self, index: ExportIndex) -> None:
        self._index = index

    def __iter__(self) -> Iterator[dict[str, Any]]:
        rows = self._index.execute(
            "SELECT kind, name, connection_type FROM reference ORDER BY kind, name, type_key"
        )
        for kind, name, connection_type in rows:
            yield _reference_dict(kind, name, connection_type)

    def __len__(self) -> int:
        return int(self._index.execute("SELECT count(*) FROM reference").fetchone()[0])


class _Spool:
    """Byte strings kept in an anonymous temporary file (gone when closed or when the process ends), so
    that what an export's first pass hands to the second costs no memory per entry."""

    def __init__(self, prefix: str) -> None:
        self._file = tempfile.TemporaryFile(prefix=prefix)  # noqa: SIM115  # closed by close()
        # An export that never reaches pass 2 (refused, abandoned) closes its files when collected.
        weakref.finalize(self, self._file.close)
        self._end = 0

    def put(self, data: bytes) -> tuple[int, int]:
        self._file.seek(self._end)
        self._file.write(data)
        offset, self._end = self._end, self._end + len(data)
        return offset, len(data)

    def get(self, offset: int, size: int) -> bytes:
        self._file.seek(offset)
        return self._file.read(size)

    def close(self) -> None:
        self._file.close()

    @property
    def closed(self) -> bool:
        return self._file.closed


_SPOOLS = itertools.count(1)
_ENTRY_COLUMNS = 'name, "offset", size, deflated_offset, deflated_size, sha256'
_ENTRY_INSERT = f"INSERT INTO entry (spool, {_ENTRY_COLUMNS}, scripts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608


class PreparedSpool(_Spool):
    """Entries prepared for the package in pass 1 (checked and serialized by the writer's own
    ``*_entry_prepare``), kept on disk with their deflated bytes until pass 2 writes them: pass 2 then
    reads no document again, and where each entry waits is kept in the export's :class:`ExportIndex`.

    With a ``deflater`` the entries are deflated here, in groups, by the helper process while pass 1 reads
    and prepares the next ones: pass 1 is where the work is, and pass 2 then only copies bytes. With a
    ``cache``, what an entry added with ``keep`` becomes is also kept there for the next export, and
    entries kept by an earlier export come in already deflated (:meth:`add_deflated`)."""

    def __init__(
        self, prefix: str, deflater: Deflater | None, *, index: ExportIndex, cache: EntryCache | None = None
    ) -> None:
        super().__init__(prefix)
        self._index = index
        self._id = next(_SPOOLS)
        self._count = 0
        self._deflater = deflater
        self.cache = cache
        self._pending: list[tuple[str, bytes, Any, Keep | None]] = []
        self._pending_bytes = 0
        self._sent: list[tuple[str, bytes, Any, Keep | None]] | None = None

    def add(
        self, name: str, data: bytes, extra: tuple[str, ...] | None = None, keep: Keep | None = None
    ) -> None:
        """An entry prepared now; ``extra``: for a job, the names of the scripts beside it."""
        if self._deflater is None:
            self._put(name, data, b"", extra, keep)
            return
        self._pending.append((name, data, extra, keep))
        self._pending_bytes += len(data)
        if len(self._pending) >= GROUP_MEMBERS or self._pending_bytes >= GROUP_BYTES:
            self._swap(self._pending)
            self._pending, self._pending_bytes = [], 0

    def add_deflated(
        self, name: str, *, deflated: bytes, size: int, sha256: str, extra: tuple[str, ...] | None = None
    ) -> None:
        """An entry kept by an earlier export: its bytes are inflated again when pass 2 reads them."""
        deflated_offset, deflated_size = self.put(deflated)
        self._record(name, -1, size, deflated_offset, deflated_size, extra, sha256)

    def finish(self) -> None:
        """Deflate and store what is still pending."""
        if self._deflater is not None:
            self._swap(self._pending or None)
            self._swap(None)
            self._pending, self._pending_bytes = [], 0
        if self.cache is not None:
            self.cache.flush()

    def _swap(self, group: list[tuple[str, bytes, Any, Keep | None]] | None) -> None:
        """Store the group sent before with its deflated bytes, then send ``group`` (one in flight)."""
        assert self._deflater is not None
        if self._sent is not None:
            for (name, data, extra, keep), deflated in zip(self._sent, self._deflater.receive(), strict=True):
                self._put(name, data, deflated, extra, keep)
        if group is not None:
            self._deflater.send([data for _, data, _, _ in group])
        self._sent = group

    def _put(self, name: str, data: bytes, deflated: bytes, extra: Any, keep: Keep | None) -> None:
        if keep is not None and self.cache is not None:
            if not deflated:
                deflated = deflate(data)
            self.cache.keep(keep, data=data, deflated=deflated)
        offset, size = self.put(data)
        deflated_offset, deflated_size = self.put(deflated) if deflated else (0, 0)
        self._record(name, offset, size, deflated_offset, deflated_size, extra, None)

    def _record(
        self,
        name: str,
        offset: int,
        size: int,
        deflated_offset: int,
        deflated_size: int,
        extra: tuple[str, ...] | None,
        sha256: str | None,
    ) -> None:
        scripts = None if extra is None else "\0".join(extra)
        self._index.write(
            _ENTRY_INSERT, (self._id, name, offset, size, deflated_offset, deflated_size, sha256, scripts)
        )
        for script in extra or ():
            self._index.write("INSERT OR IGNORE INTO beside (name) VALUES (?)", (script,))
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def _read(
        self, offset: int, size: int, deflated_offset: int, deflated_size: int
    ) -> tuple[bytes, bytes | None]:
        deflated = self.get(deflated_offset, deflated_size) if deflated_size else None
        if offset < 0:  # kept by an earlier export: only the deflated bytes are here
            assert deflated is not None
            data = zlib.decompress(deflated, -zlib.MAX_WBITS)
            if len(data) != size:
                raise RuntimeError(f"a kept export entry inflates to {len(data)} bytes, not {size}")
            return data, deflated
        return self.get(offset, size), deflated

    def _rows(
        self, where: str = "", parameters: Sequence[Any] = ()
    ) -> list[tuple[Any, ...]] | sqlite3.Cursor:
        return self._index.execute(
            f"SELECT {_ENTRY_COLUMNS}, scripts FROM entry WHERE spool = ? {where} ORDER BY name",  # noqa: S608
            (self._id, *parameters),
        )

    def jobs(self, *, beside: PreparedSpool | None = None) -> Iterator[PreparedJob]:
        """The jobs in name order (the order the writer requires), read back one at a time; with
        ``beside`` (the scripts' spool), each with the scripts the batch layout writes beside it."""
        for name, offset, size, deflated_offset, deflated_size, sha256, scripts in self._rows():
            data, deflated = self._read(offset, size, deflated_offset, deflated_size)
            names = tuple(scripts.split("\0")) if scripts else ()
            yield PreparedJob(
                name=name,
                data=data,
                scripts=names,
                deflated=deflated,
                sha256=sha256,
                beside=None if beside is None else beside.found(names),
            )

    def _script(self, row: tuple[Any, ...]) -> PreparedScript:
        name, offset, size, deflated_offset, deflated_size, sha256, _ = row
        return PreparedScript(name, partial(self._read, offset, size, deflated_offset, deflated_size), sha256)

    def found(self, names: tuple[str, ...]) -> tuple[PreparedScript, ...]:
        """The scripts of these names that are here, in name order."""
        if not names:
            return ()
        marks = ", ".join("?" * len(names))
        return tuple(self._script(row) for row in self._rows(f"AND name IN ({marks})", names))

    def scripts(self) -> Scripts:
        """The scripts in name order, each read back when the writer writes it."""
        return Scripts(self)

    def loose(self) -> Iterator[PreparedScript]:
        """The scripts no job has beside it (see :meth:`jobs`), in name order."""
        for row in self._rows("AND name NOT IN (SELECT name FROM beside)"):
            yield self._script(row)


class Scripts:
    """A spool's scripts, in name order, read from the index each time they are iterated."""

    def __init__(self, spool: PreparedSpool) -> None:
        self._spool = spool

    def __len__(self) -> int:
        return len(self._spool)

    def __iter__(self) -> Iterator[PreparedScript]:
        for row in self._spool._rows():
            yield self._spool._script(row)


# --- documents ---------------------------------------------------------------------------------------


def _named(document: dict[str, Any] | None, name: str) -> dict[str, Any]:
    """A shallow copy of ``document`` carrying the object's current name (a submitted version keeps the
    name it had then; the package names files after the object as it is called now)."""
    named = dict(document or {})
    named["name"] = name
    return named


def job_document_export(*, document: dict[str, Any], scope: str, name: str | None = None) -> dict[str, Any]:
    """The job document as it enters a package: sensitive properties (flagged by the document or by the
    node-type registry) and masked parameters emptied, flags kept; "Export jobs only" further drops the
    scheduling and the parameters. Every other key, unknown ones included, is kept as it is."""
    redacted = job_document_redact(document=job_sensitive_properties_flag(document))
    if name is not None:
        redacted["name"] = name
    if scope == JOBS_ONLY:
        return {key: value for key, value in redacted.items() if key not in ("schedule", "params")}
    return redacted


def _job_references(*, document: dict[str, Any], scope: str) -> list[Reference]:
    """The references of a redacted document. Computed before "jobs only" drops the parameters (so that
    a parameter is not mistaken for an environment variable), without those of the dropped schedule."""
    refs = job_references(document)
    if scope == JOBS_ONLY:
        refs = [r for r in refs if not (r.property or "").startswith("schedule.")]
    return refs


def _reference_dict(kind: str, name: str, connection_type: str | None) -> dict[str, Any]:
    ref: dict[str, Any] = {"type": kind, "name": name}
    if kind == CONNECTION:
        ref["connectionType"] = connection_type
    return ref


def _config_without_secrets(value: Any, secret_fields: set[str]) -> Any:
    """``config`` without any key that names a secret, and with the secret parts of its texts emptied (the
    password of a JDBC URL). Secrets live only in ``secrets_encrypted`` (never read here) and the
    connection services refuse both in ``config``; one that strayed in anyway (an older row, a direct
    database edit) is dropped rather than risk it leaving the installation."""
    if isinstance(value, dict):
        return {
            key: _config_without_secrets(item, secret_fields)
            for key, item in value.items()
            if not (key in secret_fields or secret_name_like(key))
        }
    if isinstance(value, list):
        return [_config_without_secrets(item, secret_fields) for item in value]
    if isinstance(value, str):
        return text_secrets_redact(value)
    return value
