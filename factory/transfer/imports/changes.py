"""Import, what it would change: each object of the package against the workspace, compared on the
document the import would write (after the replacements, parameters, target directory and the checks'
own rules) with the structural diff of :mod:`factory.packages.diff` (positions, key order, defaults and
secret values never count).

Used twice, the same way: by the preview (``preview``), which records every object's change for the
wizard, and by the apply, which with ``skipUnchanged`` writes nothing for an unchanged object. An
object is ``unchanged`` when its development state already is what would be written and, for an import
that submits, that state is submitted; a package that carries a secret value (DataArts' own exports
may) is always ``changed``, as only whether a secret is set can be compared.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast

from factory.development.models import Job, Resource, Script
from factory.development.selectors.diffs import NODE_SENSITIVE_PROPERTIES
from factory.packages import job_document_redact
from factory.packages.diff import JobDiff, PropertiesDiff, ScriptDiff, job_diff, resource_diff, script_diff
from factory.packages.jsonio import document_loads_checked
from factory.transfer.imports.items import CREATED, FAILED, OVERWRITTEN, RENAMED, SKIPPED, UNCHANGED, Item

NEW = "new"
CHANGED = "changed"
# A preview's rows: what each object would become (skipped and failed ones by the plan's outcome).
CHANGE_KINDS = (NEW, CHANGED, UNCHANGED, SKIPPED, FAILED)

Diff = JobDiff | ScriptDiff | PropertiesDiff
# The documents' text sent to PostgreSQL in one query: what the query costs in memory here (a few copies).
SAME_CHUNK_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Before:
    """An object's development state, as the comparison needs it."""

    document: dict[str, Any]
    submitted: bool


def states_before(object_type: str, items: Iterable[Item]) -> dict[int, Before]:
    """The development state of the objects ``items`` would overwrite, by primary key: one query."""
    pks = [item.existing.pk for item in items if item.outcome == OVERWRITTEN and item.existing is not None]
    if not pks or object_type not in ("job", "script", "resource"):
        return {}
    if object_type == "resource":
        rows = Resource.objects.filter(pk__in=pks).values_list("pk", "document", "type", "location")
        return {
            pk: Before(document={"type": type_, "location": location, **(doc or {})}, submitted=True)
            for pk, doc, type_, location in rows
        }
    model = Job if object_type == "job" else Script
    # Parsed by orjson from the text (Django's JSONField parses with json, several times slower: most of
    # a preview's reading of the workspace's documents).
    values = (
        model.objects.filter(pk__in=pks)
        .annotate(text=Cast("document", output_field=TextField()))
        .values_list("pk", "text", "revision", "submitted_revision")
    )
    return {pk: Before(document=_loads(text), submitted=sub == rev) for pk, text, rev, sub in values}


def _loads(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    # What orjson parses as ``json`` does (an integer beyond 64 bits it makes a float: ``json`` then).
    value = document_loads_checked(text.encode(), entry="")
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Verbatim:
    """A job or script whose document to write is its package entry's text with only its ``name`` and
    ``directory`` set (no replacement, parameter or rule touches it): compared in the database."""

    pk: int  # the object it would overwrite
    text: bytes  # the entry's JSON text
    name: str
    directory: str


def states_same(object_type: str, rows: Iterable[Verbatim]) -> dict[int, bool]:
    """Of the jobs or scripts ``rows`` would overwrite, those whose development state already is the
    document that would be written, by primary key, with whether that state is submitted: PostgreSQL
    parses and compares the documents (``jsonb`` equality: what it calls equal, Python does too; what it
    calls different, ``classify`` compares again), a query per ``SAME_CHUNK_BYTES`` of text, ``rows``
    read as they go. Nothing kept, nothing to go stale. ``{}`` on another database (every object is then
    compared by ``classify``)."""
    if object_type not in ("job", "script") or connection.vendor != "postgresql":
        return {}
    model = Job if object_type == "job" else Script
    table = connection.ops.quote_name(model._meta.db_table)
    sql = (
        "SELECT o.id, o.revision, o.submitted_revision "
        "FROM jsonb_to_recordset(%s::jsonb) AS t(id bigint, document jsonb, name text, directory text) "
        f"JOIN {table} o ON o.id = t.id "  # noqa: S608 - our own table's name
        "WHERE o.document = t.document || jsonb_build_object('name', t.name, 'directory', t.directory)"
    )
    same: dict[int, bool] = {}

    def compare(parts: list[bytes]) -> None:
        # One JSON array of the rows, each entry's text placed in it as it is (JSON already): one
        # parameter that PostgreSQL parses, nothing parsed here.
        with connection.cursor() as cursor:
            cursor.execute(sql, [(b"[" + b",".join(parts) + b"]").decode()])
            same.update((pk, sub == rev) for pk, rev, sub in cursor.fetchall())

    parts: list[bytes] = []
    size = 0
    for row in rows:
        part = b'{"id":%d,"document":%s,"name":%s,"directory":%s}' % (
            row.pk,
            row.text,
            orjson.dumps(row.name),
            orjson.dumps(row.directory),
        )
        parts.append(part)
        size += len(part)
        if size >= SAME_CHUNK_BYTES:
            compare(parts)
            parts, size = [], 0
    if parts:
        compare(parts)
    return same


def carries_secret(object_type: str, document: Any) -> bool:
    """Does a package's ``document`` carry a secret value (compared only as set or not, so written)?"""
    return (
        object_type == "job"
        and isinstance(document, dict)
        and job_document_redact(document=document) != document
    )


def diff_of(object_type: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> Diff | None:
    if object_type == "job":
        return job_diff(before, after, sensitive_properties=NODE_SENSITIVE_PROPERTIES)
    if object_type == "script":
        return script_diff(before, after)
    if object_type == "resource":
        return resource_diff(before, after)
    return None


@dataclass(frozen=True)
class Classified:
    change: str
    diff: Diff | None = None
    reason: str = ""  # why it is changed when its document is not


_VARIABLE_CHANGES = {CREATED: NEW, OVERWRITTEN: CHANGED, UNCHANGED: UNCHANGED}


def classify(item: Item, after: Any, before: Before | None, *, submit: bool) -> Classified:
    """What writing ``after`` (the checked document) for ``item`` would change."""
    if item.type == "environment_variable" and item.outcome in _VARIABLE_CHANGES:
        # Its value is compared by the plan (an override of the choices); its message says how it changes.
        return Classified(_VARIABLE_CHANGES[item.outcome], reason=item.message)
    if item.outcome in (SKIPPED, FAILED):
        return Classified(item.outcome)
    if item.outcome in (CREATED, RENAMED) or before is None or not isinstance(after, dict):
        return Classified(NEW)
    # The same document (a package imported again): no diff to build, the common case of a re-import.
    same = before.document == after
    diff = None if same else diff_of(item.type, before.document, after)
    if not same and (diff is None or diff.changed):  # None: a type the diff does not know
        return Classified(CHANGED, diff)
    return _same(diff, submitted=before.submitted, secret=carries_secret(item.type, after), submit=submit)


def classify_same(item: Item, *, submitted: bool, secret: bool, submit: bool) -> Classified:
    """``classify`` for an object whose development state already is the document the import would
    write (``states_same``): ``submitted``, that state's; ``secret``, whether the package's document
    carries a secret value (``carries_secret``)."""
    if item.outcome in (SKIPPED, FAILED):
        return Classified(item.outcome)
    return _same(None, submitted=submitted, secret=secret, submit=submit)


def same_state_reason(*, submitted: bool, secret: bool, submit: bool) -> str:
    """Why an object whose development state already is the document the import would write is changed
    all the same ("" when it is not): ``submitted``, that state's; ``secret``, whether the document
    carries a secret value; ``submit``, whether the import submits. The local and the remote change-sets'
    one wording."""
    if submit and not submitted:
        return "Its development state is the package's but not submitted: the import submits it."
    if secret:
        return "The package carries a secret value, which is compared only as set or not: written."
    return ""


def _same(diff: Diff | None, *, submitted: bool, secret: bool, submit: bool) -> Classified:
    reason = same_state_reason(submitted=submitted, secret=secret, submit=submit)
    return Classified(CHANGED if reason else UNCHANGED, diff, reason)


def counts_of(diff: Diff | None) -> dict[str, int]:
    """The figures a preview row shows: how much of the object changes."""
    if isinstance(diff, JobDiff):
        summary = diff.summary()
        return {
            "nodesAdded": summary["nodesAdded"],
            "nodesRemoved": summary["nodesRemoved"],
            "nodesModified": summary["nodesModified"],
            "edgesAdded": summary["edgesAdded"],
            "edgesRemoved": summary["edgesRemoved"],
            "properties": summary["schedule"] + summary["params"] + summary["properties"],
        }
    if isinstance(diff, ScriptDiff):
        return {
            "linesAdded": diff.lines_added,
            "linesRemoved": diff.lines_removed,
            "properties": len(diff.properties),
        }
    if isinstance(diff, PropertiesDiff):
        return {"properties": len(diff.properties)}
    return {}


__all__ = [
    "CHANGED",
    "CHANGE_KINDS",
    "NEW",
    "UNCHANGED",
    "Before",
    "Classified",
    "Verbatim",
    "carries_secret",
    "classify",
    "classify_same",
    "counts_of",
    "diff_of",
    "states_before",
    "states_same",
]
