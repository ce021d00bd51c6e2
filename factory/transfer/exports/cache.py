"""Export entries kept between exports (:class:`~factory.transfer.models.ExportEntry`).

An export of unchanged jobs would otherwise parse, redact, check, serialize and deflate every document
again, each time: most of its cost, for bytes that are the same as last time. An entry is kept under a
key naming everything its bytes depend on:

- the document it was made from (:class:`~factory.transfer.selectors.ObjectSource`: the submitted
  version, or the development revision with the directory, which a move changes without a revision),
- the object's name (a package names an entry after the object as it is called now),
- the variant (the status read, and for jobs the scope: "jobs only" drops schedules and parameters),
- and the code that makes the bytes: the source files of ``factory/packages/`` (redaction, secrets,
  validation, serialization, the deflate level), of the node registry and of the export's document
  rules, with the orjson and zlib versions. Any change to them gives every entry a new key, so a
  widened secret rule can never be answered with bytes redacted by the old one.

A row whose key differs from the one computed now is never read for its bytes; the next export replaces
it. Keeping is best-effort: an object deleted meanwhile just loses its row.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import orjson
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from psycopg.types.json import Jsonb

from factory.development.models import Category, Job, Script
from factory.transfer.models import JobExportEntry, ScriptExportEntry
from factory.transfer.selectors import ObjectSource
from factory.workspaces.models import Workspace

# Rows written per statement, or fewer when their bytes reach this size.
WRITE_ROWS = 500
WRITE_BYTES = 8 * 1024 * 1024

_FACTORY = Path(__file__).resolve().parents[2]
_CODE = (
    "packages",
    "development/nodes.py",
    "transfer/exports/contents.py",
    "transfer/exports/cache.py",
)


@cache
def code_fingerprint() -> str:
    """The digest of the code and library versions an entry's bytes depend on (see the module)."""
    digest = hashlib.sha256()
    for part in _CODE:
        path = _FACTORY / part
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(str(file.relative_to(_FACTORY)).encode() + b"\0" + file.read_bytes() + b"\0")
    digest.update(f"orjson {orjson.__version__}; zlib {zlib.ZLIB_RUNTIME_VERSION}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class CachedEntry:
    """A kept entry whose key is the object's current one."""

    pk: int
    name: str
    sha256: str
    size: int
    deflated: bytes
    references: list[list[Any]]


@dataclass(frozen=True)
class Keep:
    """What an entry prepared now is kept under, once its bytes are deflated."""

    pk: int
    key: str
    references: list[list[Any]]


class EntryCache:
    """The kept entries of one kind (jobs or scripts) of one workspace, for one variant."""

    def __init__(self, *, workspace: Workspace, category: str, status: str, scope: str = "") -> None:
        self.workspace = workspace
        self.model: type[JobExportEntry] | type[ScriptExportEntry]
        if category == Category.SCRIPT:
            self.model, self.fk, self.variant = ScriptExportEntry, "script", status
        else:
            self.model, self.fk, self.variant = JobExportEntry, "job", f"{status}:{scope}"
        self._rows: list[Any] = []
        self._bytes = 0
        self.written = 0

    def key(self, source: ObjectSource) -> str:
        text = "\0".join((code_fingerprint(), self.fk, self.variant, source.source or "", source.name))
        return hashlib.sha256(text.encode()).hexdigest()

    def hit(self, source: ObjectSource, kept: Sequence[Any] | None) -> CachedEntry | None:
        """The entry kept for ``source`` (``kept``: its row, as ``selectors.KEPT_COLUMNS``), if its key is
        the one ``source`` has now."""
        if kept is None or source.source is None:
            return None
        key, sha256, size, deflated, references = kept
        if key != self.key(source):
            return None
        return CachedEntry(
            pk=source.pk,
            name=source.name,
            sha256=sha256,
            size=size,
            deflated=bytes(deflated),
            references=references,
        )

    def keep_for(self, source: ObjectSource, references: Iterable[list[Any]]) -> Keep:
        """How to keep an entry prepared now from ``source`` (read with its document, so it is that
        document's key even when the object changed since the lookup)."""
        return Keep(pk=source.pk, key=self.key(source), references=list(references))

    def keep(self, keep: Keep, *, data: bytes, deflated: bytes) -> None:
        """Keep an entry prepared now (written in batches; :meth:`flush` writes the rest)."""
        row = self.model(
            variant=self.variant,
            key=keep.key,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            deflated=deflated,
            references=keep.references,
        )
        setattr(row, f"{self.fk}_id", keep.pk)
        self._rows.append(row)
        self._bytes += len(deflated)
        if len(self._rows) >= WRITE_ROWS or self._bytes >= WRITE_BYTES:
            self.flush()

    def flush(self) -> None:
        rows, self._rows, self._bytes = self._rows, [], 0
        if not rows:
            return
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    self._copy(rows)
                else:
                    self.model.objects.bulk_create(
                        rows,
                        update_conflicts=True,
                        unique_fields=[self.fk, "variant"],
                        update_fields=["key", "sha256", "size", "deflated", "references"],
                    )
        except IntegrityError:  # kept by another export meanwhile
            return
        if not self.written:
            self._sweep()
        self.written += len(rows)

    def _sweep(self) -> None:
        """Drop the rows of objects that are gone (a batch delete removes objects with a plain DELETE,
        which leaves their rows): once per export that keeps entries, one statement."""
        model = Job if self.fk == "job" else Script
        alive = model.objects.filter(pk=OuterRef(f"{self.fk}_id"))
        self.model.objects.filter(~Exists(alive)).delete()

    def _copy(self, rows: list[Any]) -> None:
        """PostgreSQL: the rows replace those of the same objects and variant, written with a binary COPY.
        Django binds parameters on the client, which would send every entry's bytes as a hex literal in
        the SQL text for the server to parse (most of a first export's time, measured)."""
        table, fk = self.model._meta.db_table, f"{self.fk}_id"
        raw = connection.connection  # psycopg's own, inside Django's atomic block
        with raw.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE variant = %s AND {fk} = ANY(%s)",  # noqa: S608 - our own names
                [self.variant, [getattr(row, fk) for row in rows]],
            )
            columns = f'{fk}, variant, key, sha256, size, deflated, "references"'
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(["bigint", "varchar", "varchar", "varchar", "bigint", "bytea", "jsonb"])
                for row in rows:
                    copy.write_row(
                        (
                            getattr(row, fk),
                            row.variant,
                            row.key,
                            row.sha256,
                            row.size,
                            row.deflated,
                            Jsonb(row.references),
                        )
                    )
