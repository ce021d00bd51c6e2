"""Undo, the objects' states: what is kept of an object before a task writes it, what the task left (the
stamp an undo compares with, to know whether the object was changed since), and how both are read, a
batch at a time and in a constant number of queries per batch.

A state is the row's columns as stored (``.values()``: the document as stored, foreign keys as ids),
without its id, workspace and encrypted column: that one (a job's secrets, a connection's, a masked
variable's value) is copied apart, as it is, into the record's own ``secrets_encrypted``. A job, script
or resource also keeps the path of its directory (``directoryPath``), since a directory may be deleted and
made again with another id; a job or script the number of its latest submitted version
(``submittedVersion``), so that an undo can tell whether the submitted state moved.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Max

from factory.connections.models import DataConnection
from factory.development.models import (
    Category,
    Directory,
    EnvironmentVariable,
    Job,
    JobVersion,
    Resource,
    Script,
    ScriptVersion,
    VersionKind,
)

JOB, SCRIPT, RESOURCE = "job", "script", "resource"
CONNECTION, VARIABLE, DIRECTORY = "connection", "environment_variable", "directory"
# The order an undo works in: what others refer to is written back first and deleted last.
TYPES = (CONNECTION, VARIABLE, RESOURCE, SCRIPT, JOB)
LOCKED = (JOB, SCRIPT)
BATCH = 500  # records, rows or ids per query


@dataclass(frozen=True)
class Spec:
    """How one type of object is read and written back."""

    model: type[models.Model]
    secret: str | None = None  # the encrypted column, copied apart
    category: str | None = None  # the directory tree of its ``directory``
    versions: type[models.Model] | None = None

    @property
    def fields(self) -> list[str]:
        """The columns a state holds (attnames): all but the id, the workspace and the secret."""
        skip = {"id", "workspace_id", self.secret}
        return [f.attname for f in self.model._meta.concrete_fields if f.attname not in skip]

    @property
    def fk(self) -> str:
        return f"{self.model.__name__.lower()}_id"


SPECS: dict[str, Spec] = {
    JOB: Spec(Job, secret="secrets_encrypted", category=Category.JOB, versions=JobVersion),
    SCRIPT: Spec(Script, category=Category.SCRIPT, versions=ScriptVersion),
    RESOURCE: Spec(Resource, category=Category.RESOURCE),
    CONNECTION: Spec(DataConnection, secret="secrets_encrypted"),
    VARIABLE: Spec(EnvironmentVariable, secret="value_encrypted"),
}


def chunks(values: list[Any], size: int = BATCH) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def directory_paths(ids: Collection[int | None]) -> dict[int, str]:
    """The paths of directories by id (one query)."""
    wanted = sorted({i for i in ids if i is not None})
    return dict(Directory.objects.filter(pk__in=wanted).values_list("pk", "path")) if wanted else {}


def submitted_numbers(object_type: str, pks: Collection[int]) -> dict[int, int]:
    """The number of each object's latest submitted version (one query; none: not in the answer)."""
    spec = SPECS[object_type]
    if spec.versions is None or not pks:
        return {}
    fk = spec.fk
    rows = (
        spec.versions._default_manager.filter(**{f"{fk}__in": list(pks)}, kind=VersionKind.SUBMITTED)
        .values(fk)
        .annotate(last=Max("number"))
        .values_list(fk, "last")
    )
    return dict(rows)


def states_read(
    object_type: str, pks: Collection[int], *, lock: bool = False, full: bool = True
) -> dict[int, dict[str, Any]]:
    """The rows of ``pks`` as states, by id: with their secret (``"_secret"``), directory path and latest
    submitted version when ``full``, only the columns a stamp needs otherwise. ``lock``: row-locked (for
    the writes that follow). Three queries at most."""
    spec = SPECS[object_type]
    if not pks:
        return {}
    queryset = spec.model._default_manager.filter(pk__in=list(pks))
    if lock:
        queryset = queryset.select_for_update()
    names = spec.fields if full else [f for f in spec.fields if f in _STAMP_FIELDS]
    secret = spec.secret if full else None
    states: dict[int, dict[str, Any]] = {}
    for row in queryset.values("id", *names, *([secret] if secret else [])):
        pk = row.pop("id")
        if secret:
            row["_secret"] = row.pop(secret)
        states[pk] = row
    if spec.category is not None:
        paths = directory_paths([s.get("directory_id") for s in states.values()])
        for state in states.values():
            state["directoryPath"] = paths.get(state["directory_id"], "/")
    if full and spec.versions is not None:
        numbers = submitted_numbers(object_type, list(states))
        for pk, state in states.items():
            state["submittedVersion"] = numbers.get(pk)
    return states


_STAMP_FIELDS = {
    "name",
    "revision",
    "directory_id",
    "lock_holder_id",
    "schedule_status",
    "updated_at",
}


def stamp(object_type: str, state: dict[str, Any]) -> dict[str, Any]:
    """What a task left of an object, to compare with the object later: for a job or script its revision
    (every save bumps it), name, directory, lock holder and schedule; for the others their name and last
    change."""
    if object_type in LOCKED:
        return {
            "revision": state["revision"],
            "name": state["name"],
            "directoryPath": state.get("directoryPath", "/"),
            "lockHolderId": state["lock_holder_id"],
            "scheduleStatus": state.get("schedule_status"),
        }
    updated = state.get("updated_at")
    return {
        "name": state["name"],
        "updatedAt": updated.isoformat() if isinstance(updated, datetime) else updated,
    }


def version_key(object_type: str, stamped: dict[str, Any]) -> Any:
    """What says which content an object has, in a stamp: a job's or script's revision, the time of the
    others' last change."""
    return stamped.get("revision") if object_type in LOCKED else stamped.get("updatedAt")


def changed_since(
    object_type: str,
    left: dict[str, Any],
    now: dict[str, Any],
    *,
    holders: dict[int, str],
    same: Collection[Any] = (),
) -> str | None:
    """Why the object ``now`` is not what the task left (``left``, a stamp), or None when it is. ``same``:
    the versions (``version_key``) that an undo gave the content the object has now (an undo restoring
    what the task left is no change). A lock released since is no change; one taken by somebody else is."""
    current = stamp(object_type, now)
    moved_on = version_key(object_type, current) != version_key(object_type, left)
    moved_on = moved_on and version_key(object_type, left) not in same
    if object_type not in LOCKED:
        if current["name"] != left.get("name"):
            return f"renamed to {current['name']} since"
        if moved_on:
            return "changed since"
        return None
    if moved_on:
        return f"edited since (revision {current['revision']}, left at {left.get('revision')})"
    if current["name"] != left.get("name"):
        return f"renamed to {current['name']} since"
    if current["directoryPath"] != left.get("directoryPath"):
        return f"moved to {current['directoryPath']} since"
    if current["scheduleStatus"] != left.get("scheduleStatus"):
        return f"schedule {str(current['scheduleStatus']).lower()} since"
    holder = current["lockHolderId"]
    if holder is not None and holder != left.get("lockHolderId"):
        return f"locked by {holders.get(holder, 'another user')} since"
    return None
