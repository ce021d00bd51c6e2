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

from factory.development.models import Job, Script
from factory.transfer.models import UndoRecord

BATCH = 2000  # objects per query


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
    their development state is submitted. Two queries per ``BATCH`` objects."""
    if object_type not in ("job", "script"):
        return {}
    model = Job if object_type == "job" else Script
    known: dict[int, bool] = {}
    batch: dict[int, Known] = {}
    for row in rows:
        batch[row.pk] = row
        if len(batch) >= BATCH:
            known.update(_batch_known(model, object_type, batch))
            batch = {}
    if batch:
        known.update(_batch_known(model, object_type, batch))
    return known


def _batch_known(model: type[Job | Script], object_type: str, rows: dict[int, Known]) -> dict[int, bool]:
    current = {
        pk: (revision, submitted, name, directory)
        for pk, revision, submitted, name, directory in model.objects.filter(pk__in=list(rows)).values_list(
            "pk", "revision", "submitted_revision", "name", "document__directory"
        )
    }
    written = (
        UndoRecord.objects.filter(
            object_type=object_type, object_id__in=list(current), after__has_key="entry"
        )
        .values_list("object_id", "name", "after__revision", "after__entry", "after__entryDirectory")
        .order_by()
    )
    known: dict[int, bool] = {}
    for pk, name, revision, entry, directory in written:
        if pk is None:
            continue
        row, now = rows[pk], current[pk]
        if (
            revision == now[0]
            and entry == row.entry
            and name == row.name == now[2]
            and directory == row.directory == now[3]
        ):
            known[pk] = now[1] == now[0]
    return known
