"""Undo, the decisions: for every object a task wrote, what undoing the task does to it now.

The records of the task are read a batch at a time, by type (``TYPES``: connections and variables,
resources, scripts, then jobs), with the objects as they are now (one query each, row-locked when the undo
runs): three queries or so per batch, whatever the batch holds. For each record:

- an object the task overwrote is **restored** to its state before, unless it was changed since (edited,
  renamed, moved, scheduled, locked by somebody else; see ``states.changed_since``): then it is **kept**,
  unless forced; one deleted since is kept (forced: made again);
- an object the task deleted (an undo's deletion) is **recreated**;
- an object the task created is **deleted**, unless changed since (kept, unless forced) or deleted
  already; whether it really goes is decided once every restore is known (``usage``): what a remaining
  object uses stays.

A restore or a re-creation **fails** when its name is taken by another object now, or when a hard lock
of somebody else keeps the user from it; a failure undoes the whole undo.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db.models.fields.json import KT

from factory.development.services import locks_overridable
from factory.transfer.models import SystemTask, UndoRecord
from factory.transfer.undo.record import CREATE, DELETE, OVERWRITE
from factory.transfer.undo.states import (
    BATCH,
    LOCKED,
    SPECS,
    TYPES,
    changed_since,
    stamp,
    states_read,
    version_key,
)
from factory.workspaces.models import Workspace

RESTORE, RECREATE, REMOVE, KEEP, FAIL = "restore", "recreate", "delete", "keep", "fail"
ACTIONS = (RESTORE, RECREATE, REMOVE, KEEP, FAIL)


@dataclass
class Decision:
    """What undoing does to one recorded object (``current``: the object now, None when gone)."""

    record: UndoRecord
    action: str
    reason: str = ""
    current: dict[str, Any] | None = None

    @property
    def object_type(self) -> str:
        return self.record.object_type

    @property
    def name(self) -> str:
        return self.record.name


@dataclass
class Context:
    """What the decisions of one undo share."""

    target: SystemTask
    workspace: Workspace
    user: User
    force: bool
    lock: bool = False  # row-lock the objects read (the undo's run)
    full: bool = True  # read whole states (the run writes them); stamps suffice for a preview
    overridable: bool | None = None
    usernames: dict[int, str] = field(default_factory=dict)

    def can_override(self) -> bool:
        if self.overridable is None:
            self.overridable = locks_overridable(workspace=self.workspace, user=self.user)
        return self.overridable


def _records(target: SystemTask, object_type: str, *, with_before: bool) -> Iterator[Sequence[UndoRecord]]:
    """The task's records of ``object_type``, a batch at a time (keyset pagination: one query each), each
    with the name and directory it had before (``before_name``, ``before_directory``); without the rest of
    ``before`` unless asked."""
    queryset = (
        UndoRecord.objects.filter(task=target, object_type=object_type)
        .annotate(before_name=KT("before__name"), before_directory=KT("before__directoryPath"))
        .order_by("pk")
    )
    if not with_before:
        queryset = queryset.defer("before", "secrets_encrypted")
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def _usernames(context: Context, ids: set[int]) -> dict[int, str]:
    missing = ids - set(context.usernames)
    if missing:
        context.usernames.update(User.objects.filter(pk__in=missing).values_list("pk", "username"))
    return context.usernames


def _equivalents(object_type: str, currents: dict[int, dict[str, Any]]) -> dict[int, set[Any]]:
    """Per object, the versions whose content it has now: an undo that restored an object records the
    version of the content it gave back (``sameAs``), so that undoing an older import after a newer one
    finds the objects as that older import left them (one query)."""
    if not currents:
        return {}
    restored: dict[tuple[int | None, Any], Any] = {}
    rows = UndoRecord.objects.filter(
        object_type=object_type, object_id__in=list(currents), after__has_key="sameAs"
    ).values_list("object_id", "after")
    for pk, after in rows:
        restored[(pk, version_key(object_type, after))] = after["sameAs"]
    same: dict[int, set[Any]] = {}
    for pk, current in currents.items():
        key: Any = version_key(object_type, stamp(object_type, current))
        seen: set[Any] = set()
        while (pk, key) in restored and key not in seen:
            seen.add(key)
            key = restored[(pk, key)]
            same.setdefault(pk, set()).add(key)
    return same


def _one(
    context: Context, record: UndoRecord, current: dict[str, Any] | None, same: set[Any] | None = None
) -> Decision:
    object_type = record.object_type
    if record.action == DELETE:
        if current is not None:
            return Decision(record, KEEP, "it exists again", current)
        return Decision(record, RECREATE, current=current)
    if current is None:
        if record.action == OVERWRITE and context.force:
            return Decision(record, RECREATE, "deleted since; made again (forced)")
        return Decision(record, KEEP, "deleted since")
    reason = changed_since(object_type, record.after, current, holders=context.usernames, same=same or ())
    action = REMOVE if record.action == CREATE else RESTORE
    if reason is not None and not context.force:
        return Decision(record, KEEP, reason, current)
    return Decision(record, action, f"{reason} (forced)" if reason else "", current)


def _locks_check(context: Context, decisions: list[Decision]) -> None:
    """A write blocked by somebody else's hard lock fails."""
    for decision in decisions:
        current = decision.current
        if decision.action not in (RESTORE, REMOVE) or current is None or decision.object_type not in LOCKED:
            continue
        holder = current.get("lock_holder_id")
        if holder is None or holder == context.user.pk or holder == decision.record.after.get("lockHolderId"):
            continue
        if not context.can_override():
            name = context.usernames.get(holder, "another user")
            decision.action, decision.reason = FAIL, f"locked by {name}, who must unlock it first"


def _names_check(context: Context, object_type: str, decisions: list[Decision]) -> None:
    """A restore or re-creation whose name another object of the workspace has now fails (one query)."""
    wanted = []
    for decision in decisions:
        if decision.action not in (RESTORE, RECREATE):
            continue
        name = getattr(decision.record, "before_name", None) or decision.record.name
        if decision.current is None or decision.current.get("name") != name:
            wanted.append((decision, name))
    if not wanted:
        return
    model = SPECS[object_type].model
    names = {name for _, name in wanted}
    taken = dict(
        model._default_manager.filter(workspace=context.workspace, name__in=names).values_list("name", "pk")
    )
    for decision, name in wanted:
        holder = taken.get(name)
        if holder is not None and holder != decision.record.object_id:
            decision.action = FAIL
            decision.reason = f"another {object_type.replace('_', ' ')} is called {name} now"


def decisions_of(context: Context, object_type: str) -> Iterator[list[Decision]]:
    """The decisions for the records of one type, a batch at a time (see the module)."""
    for records in _records(context.target, object_type, with_before=context.full):
        pks = [r.object_id for r in records if r.object_id is not None]
        currents = states_read(object_type, pks, lock=context.lock, full=context.full)
        if object_type in LOCKED:
            _usernames(context, {s["lock_holder_id"] for s in currents.values() if s.get("lock_holder_id")})
        moved = {
            r.object_id: currents[r.object_id]
            for r in records
            if r.object_id in currents
            and version_key(object_type, stamp(object_type, currents[r.object_id]))
            != version_key(object_type, r.after)
        }
        same = _equivalents(object_type, moved)
        batch = [
            _one(context, r, currents.get(r.object_id) if r.object_id else None, same.get(r.object_id or 0))
            for r in records
        ]
        _locks_check(context, batch)
        _names_check(context, object_type, batch)
        yield batch


def all_decisions(context: Context) -> Iterator[tuple[str, list[Decision]]]:
    for object_type in TYPES:
        for batch in decisions_of(context, object_type):
            yield object_type, batch
