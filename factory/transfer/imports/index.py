"""What the inspection read of a package, kept for the preview: the package's index (its entries' names,
paths and sha256, ``factory.packages.read.package_index``) and, per job and script, what the preview
takes from its document (references, directory, whether it carries a secret value), so that the preview
opens the same file again without reading or checking a document for them.

Kept in a row of the import's task (``ImportPackageIndex``) with the package's sha256: it is derived from
those bytes alone, so it cannot go stale, and the preview uses it only for a file whose sha256 it has just
computed and found to be the one the inspection recorded. Without it (an inspection by an older version)
the preview reads the package as before. The rows of imports that are over are deleted by the next
inspection.
"""

from __future__ import annotations

import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

import orjson
import psycopg
from django.db import connection
from django.db.models import Field

from factory.development.nodes import JOB, RESOURCE, SCRIPT
from factory.packages import Package
from factory.packages.read import INDEX_VERSION, IndexRows, package_index_parts
from factory.transfer.imports.analysis import Edges, ReferencesCollector, Use
from factory.transfer.imports.changes import carries_secret
from factory.transfer.models import ImportPackageIndex, TaskStatus

Objects = dict[tuple[str, str], list[Any]]
"""Per (``job`` | ``script``, name): ``[directory, carries a secret, references]``, the references
``(kind, name, connection type, script types)`` each (shared between the objects that make them)."""
ENTRY_KINDS = ("jobs", "scripts", "resources", "connections")
READ_CHUNK = 64 * 1024
FIELDS = ("task", "sha256", "category", "data")
# An import whose task is in none of these has no more preview to run.
KEPT_WHILE = (TaskStatus.PENDING, TaskStatus.RUNNING, TaskStatus.WAITING)


class IndexWriter:
    """What the preview takes from each job and script (``Objects``), written as the inspection reads
    it: zlib-compressed from the start, so that keeping it costs the inspection's memory next to nothing.
    ``references`` (a ``Keep``) is called with an object's references, then ``add`` with its document.

    One JSON array a line (each parsed alone when read: orjson's peak on one document of megabytes is
    several times its size): ``["o", kind, name, directory, secret, [reference, ...]]`` per object, then
    (``finish``) ``["ref", kind, name, connection type, script types]`` per distinct reference (objects
    name them by their place), ``["jobs" | "scripts" | "resources" | "connections", ...]`` per entry of
    the package's index and ``["head", {...}]`` for the rest of it."""

    def __init__(self) -> None:
        self._compressor = zlib.compressobj(1)
        self._chunks: list[bytes] = []
        self._references: list[int] = []
        # Each distinct reference once (a few thousand, however many objects use them).
        self._table: dict[tuple[Any, ...], int] = {}

    def references(self, owner: tuple[str, str], references: list[tuple[Any, ...]]) -> None:
        table = self._table
        self._references = [table.setdefault(ref, len(table)) for ref in references]

    def add(self, kind: str, name: str, document: Any) -> None:
        references, self._references = self._references, []
        if not isinstance(document, dict):
            return
        row = ["o", kind, name, document.get("directory"), carries_secret(kind, document), references]
        self._chunks.append(self._compressor.compress(orjson.dumps(row) + b"\n"))

    def finish(self, head: dict[str, Any], rows: IndexRows) -> bytes:
        """The whole index: the objects added, the references and the package's index (``head`` and its
        entries' ``rows``, ``package_index_parts``), each row compressed as it comes."""
        compress, chunks = self._compressor.compress, self._chunks
        self._chunks = []
        for reference in self._table:
            chunks.append(compress(orjson.dumps(["ref", *reference]) + b"\n"))
        self._table = {}
        for kind, row in rows:
            chunks.append(compress(orjson.dumps([kind, *row]) + b"\n"))
        chunks.append(compress(orjson.dumps(["head", head]) + b"\n"))
        chunks.append(self._compressor.flush())
        blob = b"".join(chunks)
        chunks.clear()
        return blob


def index_store(*, task_id: int, sha256: str, category: str, package: Package, kept: IndexWriter) -> None:
    """Keep ``package``'s index and what ``kept`` took from its documents for the previews of import
    ``task_id`` (those of imports that are over are deleted)."""
    ImportPackageIndex.objects.exclude(task__status__in=KEPT_WHILE).delete()
    parts = package_index_parts(package)
    if parts is None:
        return
    _row_write(task_id=task_id, sha256=sha256, category=category, data=kept.finish(*parts))


def _row_write(*, task_id: int, sha256: str, category: str, data: bytes) -> None:
    """Insert or replace import ``task_id``'s row. On PostgreSQL ``data`` goes as a binary parameter:
    Django's client-side binding would send it as hex text, with several copies of that in memory."""
    if connection.vendor != "postgresql":
        ImportPackageIndex.objects.update_or_create(
            task_id=task_id, defaults={"sha256": sha256, "category": category, "data": data}
        )
        return
    meta, quote = ImportPackageIndex._meta, connection.ops.quote_name
    table = quote(meta.db_table)
    key, *columns = [quote(str(cast("Field[Any, Any]", meta.get_field(name)).column)) for name in FIELDS]
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in columns)
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key}, {', '.join(columns)}) VALUES (%s, %s, %s, %b) "
            f"ON CONFLICT ({key}) DO UPDATE SET {updates}",
            (task_id, sha256, category, data),
        )


def index_load(*, task_id: int, sha256: str | None, category: str) -> tuple[dict[str, Any], Objects] | None:
    """The index and objects kept for import ``task_id`` if they are of the package ``sha256``."""
    objects: Objects = {}

    def take(kind: str, name: str, directory: Any, secret: Any, refs: list[tuple[Any, ...]]) -> None:
        objects[(kind, name)] = [directory, secret, refs]

    index = _loaded(task_id=task_id, sha256=sha256, category=category, take=take)
    return (index, objects) if index is not None else None


def index_references(
    *, task_id: int, sha256: str | None, category: str
) -> tuple[dict[str, Any], References] | None:
    """The index kept for import ``task_id`` if it is of the package ``sha256``, and its jobs' and
    scripts' references collected (``ReferencesCollector``, no ``used_by``): what the apply's plan needs,
    without the per-object table :func:`index_load` builds. Those to the package's own objects (of what
    ``category`` imports) are the ``edges`` of the objects that use them (``plan_build(edges=)``)."""
    collector = ReferencesCollector(category=category)

    def before(index: dict[str, Any], table: list[tuple[Any, ...]]) -> None:
        collector.linked = _linked(index, table, with_jobs=collector.with_jobs)

    def take(kind: str, name: str, directory: Any, secret: Any, refs: list[tuple[Any, ...]]) -> None:
        if kind == "job" and not collector.with_jobs:
            return
        collector.add_kept((kind, name), refs)

    index = _loaded(task_id=task_id, sha256=sha256, category=category, take=take, before=before)
    if index is None:
        return None
    return index, References(uses=collector.uses, edges=collector.edges)


@dataclass(frozen=True)
class References:
    """A package's references as the apply's plan takes them (``plan_build(uses=, edges=)``)."""

    uses: dict[tuple[str, str], Use]
    edges: Edges


def _linked(index: dict[str, Any], table: list[tuple[Any, ...]], *, with_jobs: bool) -> set[tuple[str, str]]:
    """The references of ``table`` to the package's own scripts (and, but for Import Script, resources and
    jobs): what the plan makes dependencies of. As many as the references, whatever the package holds."""
    kinds = {"scripts": SCRIPT, **({"resources": RESOURCE, "jobs": JOB} if with_jobs else {})}
    referred = {(ref[0], ref[1]) for ref in table if ref[0] in kinds.values()}
    linked: set[tuple[str, str]] = set()
    for entries, kind in kinds.items():
        for name, *_ in index[entries]:
            if (kind, name) in referred:
                linked.add((kind, name))
    return linked


Take = Callable[[str, str, Any, Any, list[tuple[Any, ...]]], None]
"""Called with each object's kind, name, directory, secret flag and references, as the index is read."""


Before = Callable[[dict[str, Any], list[tuple[Any, ...]]], None]
"""Called with the index (its entries' rows readable) and the table of references, before any object is
taken."""


def _loaded(
    *, task_id: int, sha256: str | None, category: str, take: Take, before: Before | None = None
) -> dict[str, Any] | None:
    if not sha256:
        return None
    blob = (
        ImportPackageIndex.objects.filter(task_id=task_id, sha256=sha256, category=category)
        .values_list("data", flat=True)
        .first()
    )
    if blob is None:
        return None
    try:
        return _parsed(blob, take, before=before)
    except (zlib.error, orjson.JSONDecodeError, ValueError, KeyError, IndexError, TypeError):
        return None  # not one this version wrote: the caller reads the package


def _lines(blob: bytes | memoryview) -> Iterator[bytes]:
    """The index's lines, decompressed a piece at a time (the whole text is several times the blob)."""
    decompressor = zlib.decompressobj()
    view, rest = memoryview(blob), b""
    for start in range(0, len(view), READ_CHUNK):
        *lines, rest = (rest + decompressor.decompress(view[start : start + READ_CHUNK])).split(b"\n")
        yield from lines
    *lines, rest = (rest + decompressor.flush()).split(b"\n")
    yield from lines
    if rest or not decompressor.eof:
        raise ValueError("the index is cut short")


class _Rows:
    """The rows of one kind of entry of the package's index, read from the index's blob (decompressed
    again) and parsed one at a time as they are iterated (once, by ``package_reopen``): none is held, as
    text or as objects, for the tens of thousands of entries of a large package."""

    def __init__(self, blob: bytes | memoryview, kind: str) -> None:
        self.blob, self.prefix = blob, f'["{kind}",'.encode()

    def __iter__(self) -> Iterator[list[Any]]:
        for line in _lines(self.blob):
            if line.startswith(self.prefix):
                _, *values = orjson.loads(line)
                yield values


def _word(value: Any) -> Any:
    """One string object for each of the few words that tens of thousands of lines repeat."""
    return sys.intern(value) if type(value) is str else value


def _parsed(blob: bytes | memoryview, take: Take, *, before: Before | None = None) -> dict[str, Any] | None:
    """The index's head (its entries' rows read when iterated, ``_Rows``); ``take`` is given each object.
    The objects' lines come first but name their references by a table written last: the blob is read
    twice rather than their lines kept."""
    index: dict[str, Any] = {kind: _Rows(blob, kind) for kind in ENTRY_KINDS}
    skipped = (b'["o",', *(f'["{kind}",'.encode() for kind in ENTRY_KINDS))
    table: list[tuple[Any, ...]] = []
    for line in _lines(blob):
        if not line or line.startswith(skipped):
            continue
        tag, *values = orjson.loads(line)
        if tag == "ref":
            # Its kind and connection type are a handful of words, each parsed anew on every line.
            kind, name, connection_type, *rest = values
            table.append((_word(kind), name, _word(connection_type), *rest))
        elif tag == "head":
            index.update(values[0])
        else:
            raise ValueError(f"an index line of an unknown kind ({tag!r})")
    if index.get("version") != INDEX_VERSION:
        return None
    if before is not None:
        before(index, table)
    for line in _lines(blob):
        if line.startswith(b'["o",'):
            _, kind, name, directory, secret, refs = orjson.loads(line)
            take(_word(kind), name, directory, secret, [table[i] for i in refs])
    return index
