"""Import, what is known unchanged without reading a document: a job or script that an earlier import
wrote from the very bytes of a package entry, and that nobody changed since.

When an import writes a job or script as its package entry with only its name and directory set
(``Plan.verbatim``), its undo record keeps the entry's sha256 and the directory written, beside the
revision the write gave the object (``factory.transfer.undo.record``). Every later change of the
object's document gives it a higher revision (edits, undos, owners), except the directory a rename or
move of its directory sets in place; so while the object is at that revision, in that directory, under
that name, its development state is what writing the same entry the same way wrote then. A package
imported again is then recognised object by object from a row each, without sending or parsing its
documents. What is not recognised so is compared as before (``changes.states_same``, ``classify``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection

from factory.development.models import Job, Script
from factory.transfer.models import UndoRecord

BATCH = 5000  # objects per query


@dataclass(frozen=True, slots=True)
class Known:
    """A job or script an import would overwrite with its package entry, name and directory set."""

    pk: int  # the object it would overwrite
    entry: str  # the entry's sha256, hex
    name: str
    directory: str


def states_known(object_type: str, rows: Iterable[Known]) -> dict[int, bool]:
    """Of the jobs or scripts ``rows`` would overwrite, those an earlier import wrote from the same entry
    bytes under the same name into the same directory and unchanged since, by primary key, with whether
    their development state is submitted: one query per ``BATCH`` objects, decided in PostgreSQL (no
    document leaves it). ``{}`` on another database (every object is then compared)."""
    if object_type not in ("job", "script") or connection.vendor != "postgresql":
        return {}
    model = Job if object_type == "job" else Script
    known: dict[int, bool] = {}
    batch: list[Known] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            known.update(_batch_known(model, object_type, batch))
            batch = []
    if batch:
        known.update(_batch_known(model, object_type, batch))
    return known


def _batch_known(model: type[Job | Script], object_type: str, rows: list[Known]) -> dict[int, bool]:
    quote = connection.ops.quote_name
    # A lateral lookup by the records' index for each object: a join would let the planner sort every
    # record of the type (their statistics lag behind a large import's inserts).
    sql = (
        "SELECT o.id, o.submitted_revision = o.revision "
        "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[]) AS t(id, entry, name, directory) "
        f"JOIN {quote(model._meta.db_table)} o ON o.id = t.id "  # noqa: S608 - our own tables' names
        "CROSS JOIN LATERAL ("
        f"SELECT 1 FROM {quote(UndoRecord._meta.db_table)} r "
        "WHERE r.object_type = %s AND r.object_id = t.id AND r.name = t.name "
        "AND r.after ->> 'entry' = t.entry AND r.after ->> 'entryDirectory' = t.directory "
        "AND (r.after ->> 'revision')::bigint = o.revision LIMIT 1"
        ") AS r "
        "WHERE o.name = t.name AND o.document ->> 'directory' = t.directory"
    )
    params: list[Any] = [
        [row.pk for row in rows],
        [row.entry for row in rows],
        [row.name for row in rows],
        [row.directory for row in rows],
        object_type,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())
