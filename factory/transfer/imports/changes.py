"""Import, what it would change: each object of the package against the workspace, compared on the
document the import would write (after the replacements, parameters, target directory and the checks'
own rules) with the structural diff of :mod:`factory.packages.diff` (positions, key order, defaults and
secret values never count).

Used twice, the same way: by the preview (``preview``), which records every object's change for the
wizard, and by the apply, which with ``skipUnchanged`` writes nothing for an unchanged object. An
object is ``unchanged`` when its development state already is what would be written and, for an import
that submits, that state is submitted. A job whose document carries a secret value (DataArts' own
exports may; an environment profile's masked parameter does) is compared by value here, in the worker:
the document is split as the save path splits it (``job_secrets_split``, with the job's stored secrets,
decrypted here and never shown) and the job is unchanged when the redacted document and the secrets
are both what is stored. A secret that changes shows in the diff by its path alone (set or not).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import orjson
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast

from factory.crypto import secrets_decrypt
from factory.development.models import Job, Resource, Script
from factory.development.secrets import NODE_PREFIX, PARAM_PREFIX, job_secrets_split
from factory.development.selectors.diffs import NODE_SENSITIVE_PROPERTIES
from factory.packages import job_document_redact
from factory.packages.diff import (
    Change,
    JobDiff,
    PropertiesDiff,
    ScriptDiff,
    job_diff,
    path_text,
    resource_diff,
    script_diff,
)
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
    # A job's stored secrets, still encrypted: decrypted only to compare a document carrying secrets.
    secrets_encrypted: str = ""

    def secrets(self) -> dict[str, Any]:
        return secrets_decrypt(ciphertext=self.secrets_encrypted) if self.secrets_encrypted else {}


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
    # a preview's reading of the workspace's documents). A job's secrets come along encrypted (read in the
    # same query, decrypted only where a document to write carries secrets).
    secrets = "secrets_encrypted" if model is Job else "revision"
    values = (
        model.objects.filter(pk__in=pks)
        .annotate(text=Cast("document", output_field=TextField()))
        .values_list("pk", "text", "revision", "submitted_revision", secrets)
    )
    return {
        pk: Before(document=_loads(text), submitted=sub == rev, secrets_encrypted=enc if model is Job else "")
        for pk, text, rev, sub, enc in values
    }


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
    """Does a package's ``document`` carry a secret value (compared in Python, by ``classify``, where the
    job's stored secrets are; a remote's cannot be read, so there it is compared only as set or not)?"""
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
    # The stored document is already split (no secret value left in it), so splitting it again changes
    # neither it nor the secrets.
    if before.document == after:
        return _same(None, submitted=before.submitted, submit=submit)
    if item.type == "job":
        return _job_classify(after, before, submit=submit)
    diff = diff_of(item.type, before.document, after)
    if diff is None or diff.changed:  # None: a type the diff does not know
        return Classified(CHANGED, diff)
    return _same(diff, submitted=before.submitted, submit=submit)


def _job_classify(after: dict[str, Any], before: Before, *, submit: bool) -> Classified:
    """A job whose document to write is not its stored one as it is: split as the save path splits it
    (the redacted document and the secrets it would store), then both compared with what is stored."""
    stored = before.secrets() if before.secrets_encrypted else {}
    redacted, secrets = job_secrets_split(document=after, stored=stored)
    secrets_same = secrets == stored
    if before.document == redacted and secrets_same:
        return _same(None, submitted=before.submitted, submit=submit)
    diff = job_diff(before.document, redacted, sensitive_properties=NODE_SENSITIVE_PROPERTIES)
    if not secrets_same:
        diff = _secrets_changed(diff, stored, secrets)
    del stored, secrets
    if diff.changed:
        return Classified(CHANGED, diff)
    return _same(diff, submitted=before.submitted, submit=submit)


def _secrets_changed(diff: JobDiff, stored: dict[str, Any], secrets: dict[str, Any]) -> JobDiff:
    """``diff`` (of the redacted documents) with each secret the write would set, change or drop: its
    change at that path says only whether it is set before and after (never a value), one added where
    the diff has none."""
    params = list(diff.params)
    nodes = {node.name: node for node in diff.nodes}
    for key in sorted(stored.keys() | secrets.keys()):
        if stored.get(key) == secrets.get(key):
            continue
        if key.startswith(PARAM_PREFIX):
            path = path_text(("params", key[len(PARAM_PREFIX) :], "value"))
            params = _secret_change(params, path, was=key in stored, now=key in secrets)
            continue
        name, _, prop = key[len(NODE_PREFIX) :].partition(":")
        node = nodes.get(name)
        if not key.startswith(NODE_PREFIX) or node is None or node.status in ("added", "removed"):
            continue  # a node added or removed: the diff says so already
        path = path_text(("properties", prop, "value"))
        changes = _secret_change(list(node.changes), path, was=key in stored, now=key in secrets)
        nodes[name] = replace(node, status="modified", changes=tuple(changes))
    return replace(diff, nodes=tuple(nodes.values()), params=tuple(params))


def _secret_change(changes: list[Change], path: str, *, was: bool, now: bool) -> list[Change]:
    for at, change in enumerate(changes):
        if change.path == path:  # the value's place added, removed or changed: set or not as stored
            old = None if change.kind == "added" else was
            new = None if change.kind == "removed" else now
            changes[at] = Change(path, change.kind, old, new, secret=True)
            return changes
    return [*changes, Change(path, "changed", was, now, secret=True)]


def classify_same(item: Item, *, submitted: bool, submit: bool) -> Classified:
    """``classify`` for an object whose development state already is the document the import would
    write (``states_same``): ``submitted``, that state's."""
    if item.outcome in (SKIPPED, FAILED):
        return Classified(item.outcome)
    return _same(None, submitted=submitted, submit=submit)


def same_state_reason(*, submitted: bool, secret: bool, submit: bool) -> str:
    """Why an object whose development state already is the document the import would write is changed
    all the same ("" when it is not): ``submitted``, that state's; ``secret``, whether the document
    carries a secret value that cannot be compared (a remote's: its secrets are not read); ``submit``,
    whether the import submits. The local and the remote change-sets' one wording."""
    if submit and not submitted:
        return "Its development state is the package's but not submitted: the import submits it."
    if secret:
        return "The package carries a secret value, which is compared only as set or not: written."
    return ""


def _same(diff: Diff | None, *, submitted: bool, submit: bool) -> Classified:
    reason = same_state_reason(submitted=submitted, secret=False, submit=submit)
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
