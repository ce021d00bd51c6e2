"""Undo, what stays because it is used: an object a task created goes with its undo only when nothing
that remains uses it. The node registry says what a job or script refers to (``job_references``,
``script_references``); jobs and scripts are read in chunks, narrowed by the database to those whose text
holds one of the names when there are few, and the objects that remain are every job and script of the
workspace but those about to be deleted, with the documents they will have (a restore's ``replaced``).

An object about to be deleted that a remaining one uses stays, and then what it uses stays too: repeated
until nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import reduce
from itertools import chain
from operator import or_
from typing import Any

from django.db.models import Q

from factory.development.models import Job, Script
from factory.development.nodes import job_references, script_references
from factory.transfer.undo.states import JOB, SCRIPT
from factory.workspaces.models import Workspace

Key = tuple[str, str]  # (type, name): reference kinds are named like the object types
# Above this many names the documents are not narrowed by the database (one long OR): all are read.
MAX_NARROWED = 100
CHUNK = 100


def references_of(object_type: str, document: Any) -> set[Key]:
    if not isinstance(document, dict):
        return set()
    refs = job_references(document) if object_type == JOB else script_references(document)
    return {(ref.kind, ref.name) for ref in refs}


def _documents(
    workspace: Workspace, names: set[str], skip: dict[str, set[int]]
) -> Iterator[tuple[str, str, Any]]:
    """(type, name, document) of every job and script of the workspace but ``skip``'s, narrowed to those
    whose text holds one of ``names`` when they are few (and ASCII: SQLite escapes the others)."""
    narrow = len(names) <= MAX_NARROWED and all(n.isascii() for n in names)
    for object_type, model in ((JOB, Job), (SCRIPT, Script)):
        rows = model.objects.filter(workspace=workspace)
        if narrow:
            rows = rows.filter(reduce(or_, (Q(document__icontains=n) for n in names)))
        skipped = skip.get(object_type, set())
        for pk, name, document in rows.values_list("pk", "name", "document").iterator(CHUNK):
            if pk not in skipped:
                yield object_type, name, document


def still_used(
    *,
    workspace: Workspace,
    candidates: set[Key],
    skip: dict[str, set[int]] | None = None,
    replaced: Iterable[tuple[str, str, Any]] = (),
) -> dict[Key, Key]:
    """Which of ``candidates`` (objects about to be deleted) a remaining object uses: each with one user.

    The remaining objects are the workspace's jobs and scripts, but for those in ``skip`` (by type, ids),
    whose documents after the undo are given in ``replaced`` (type, name, document) instead."""
    if not candidates:
        return {}
    names = {name for _, name in candidates}
    uses: dict[Key, set[Key]] = {}
    for object_type, name, document in chain(replaced, _documents(workspace, names, skip or {})):
        found = references_of(object_type, document) & candidates
        if found:
            uses.setdefault((object_type, name), set()).update(found)
    kept: dict[Key, Key] = {}
    users = [user for user in uses if user not in candidates]
    while users:
        more = []
        for user in users:
            for key in sorted(uses.get(user, ())):
                if key not in kept and key != user:
                    kept[key] = user
                    more.append(key)
        users = more
    return kept
