"""Undo, the walk through a task's records that both the preview and the run make, in four phases:

1. every recorded object, type by type, a batch at a time: decided (``decide``), and, when the undo runs,
   restored or made again at once (``write.Writer.put_back``);
2. the objects the task created that are to be deleted: those a remaining object uses stay (``usage``);
3. the others deleted, jobs first and data connections last, a batch at a time;
4. the directories the task made, deleted when nothing is left in them; those a (deleting) undo deleted,
   made again.

Each object's row of the report (``Row``) goes to ``report`` as soon as it is known. Without a writer
(the preview) nothing is written and what the writes would change is taken into account instead: a
restored object has its recorded document and directory. With a writer, a failure stops the writes; the
walk still decides the rest of phase 1 so that the report names every failure, and the caller rolls back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from factory.development.models import Category, Directory, Job, Resource, Script
from factory.transfer.models import UndoRecord
from factory.transfer.undo.decide import (
    FAIL,
    KEEP,
    RECREATE,
    REMOVE,
    RESTORE,
    Context,
    Decision,
    all_decisions,
)
from factory.transfer.undo.record import CREATE, DELETE
from factory.transfer.undo.states import (
    BATCH,
    DIRECTORY,
    JOB,
    LOCKED,
    RESOURCE,
    SCRIPT,
    TYPES,
    chunks,
    states_read,
)
from factory.transfer.undo.usage import Key, still_used
from factory.transfer.undo.write import Writer

REVERSED, KEPT, FAILED = "reversed", "kept", "failed"
OUTCOMES = (REVERSED, KEPT, FAILED)
_OUTCOME = {RESTORE: REVERSED, RECREATE: REVERSED, REMOVE: REVERSED, KEEP: KEPT, FAIL: FAILED}
_CATEGORY_TYPES = {
    Category.JOB: (JOB, Job),
    Category.SCRIPT: (SCRIPT, Script),
    Category.RESOURCE: (RESOURCE, Resource),
}
_TYPE_CATEGORY = {JOB: Category.JOB, SCRIPT: Category.SCRIPT, RESOURCE: Category.RESOURCE}


@dataclass
class Row:
    """One object of the undo's report (or preview): what is (or would be) done to it, and why."""

    type: str
    name: str
    action: str  # restore | recreate | delete | keep | fail
    message: str
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def outcome(self) -> str:
        return _OUTCOME[self.action]

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "name": self.name,
            "action": self.action,
            "outcome": self.outcome,
            "message": self.message,
            **self.detail,
        }


def _label(object_type: str, name: str) -> str:
    return f"{object_type.replace('_', ' ')} {name}"


def message_of(action: str, object_type: str, name: str, reason: str, *, what: str) -> str:
    label = _label(object_type, name)
    text = {
        RESTORE: f"Restored {label} to its state before {what}.",
        RECREATE: f"Made {label} again as it was before {what}.",
        REMOVE: f"Deleted {label}, which {what} created.",
        KEEP: f"Kept {label}: {reason}.",
        FAIL: f"Could not undo {what} for {label}: {reason}.",
    }[action]
    if reason and action in (RESTORE, RECREATE, REMOVE):
        text += f" It was {reason}."
    return text


@dataclass
class Walk:
    """One walk (see the module): its context, the writer (None: a preview) and where rows go."""

    context: Context
    writer: Writer | None
    report: Callable[[list[Row]], None]
    what: str = "the import"
    failed: int = 0
    # Phase 1's findings: what is to be deleted (type -> id -> name) and, for a preview, what is restored.
    removals: dict[str, dict[int, str]] = field(default_factory=dict)
    restored: dict[str, set[int]] = field(default_factory=dict)
    restored_paths: set[tuple[str, str]] = field(default_factory=set)

    def _row(self, decision: Decision, detail: dict[str, Any] | None = None) -> Row:
        name = getattr(decision.record, "before_name", None) or decision.name
        if decision.action == REMOVE:
            name = decision.name
        message = message_of(decision.action, decision.object_type, name, decision.reason, what=self.what)
        return Row(decision.object_type, name, decision.action, message, detail or {})

    def phase_put_back(self) -> None:
        for object_type, batch in all_decisions(self.context):
            done: dict[int, dict[str, Any]] = {}
            if self.writer is not None and not self.failed and not any(d.action == FAIL for d in batch):
                done = self.writer.put_back(object_type, batch)
            rows = []
            for decision in batch:
                pk = decision.record.object_id
                if decision.action == REMOVE and pk is not None:
                    self.removals.setdefault(object_type, {})[pk] = decision.name
                    continue
                if decision.action in (RESTORE, RECREATE) and pk is not None:
                    self.restored.setdefault(object_type, set()).add(pk)
                    path = getattr(decision.record, "before_directory", None)
                    if object_type in _TYPE_CATEGORY and path:
                        self.restored_paths.add((_TYPE_CATEGORY[object_type], path))
                self.failed += decision.action == FAIL
                rows.append(self._row(decision, done.get(decision.record.pk)))
            self.report(rows)

    def _replaced(self) -> Iterator[tuple[str, str, Any]]:
        """A preview's restored jobs and scripts with the documents they would get back."""
        for object_type in LOCKED:
            pks = sorted(self.restored.get(object_type, ()))
            for part in chunks(pks):
                records = UndoRecord.objects.filter(
                    task=self.context.target, object_type=object_type, object_id__in=part
                ).values_list("name", "before__document")
                for name, document in records.iterator(100):
                    yield object_type, name, document

    def phase_remove(self) -> None:
        candidates: set[Key] = {(t, name) for t, found in self.removals.items() for name in found.values()}
        preview = self.writer is None
        used = still_used(
            workspace=self.context.workspace,
            candidates=candidates,
            skip=self.restored if preview else None,
            replaced=self._replaced() if preview and candidates else (),
        )
        for object_type in reversed(TYPES):
            found = self.removals.get(object_type, {})
            rows = []
            gone = []
            for pk, name in found.items():
                user = used.get((object_type, name))
                if user is not None:
                    reason = f"{_label(*user)} uses it"
                    rows.append(
                        Row(
                            object_type,
                            name,
                            KEEP,
                            message_of(KEEP, object_type, name, reason, what=self.what),
                        )
                    )
                else:
                    gone.append(pk)
                    rows.append(
                        Row(
                            object_type,
                            name,
                            REMOVE,
                            message_of(REMOVE, object_type, name, "", what=self.what),
                            {"id": pk},
                        )
                    )
            for part in chunks(gone):
                if self.writer is not None:
                    self.writer.delete(object_type, states_read(object_type, part, lock=True))
            self.report(rows)
            if preview:  # what the directories' phase must not count as remaining
                self.removals[object_type] = {pk: found[pk] for pk in gone}

    def phase_directories(self) -> None:
        records = list(
            UndoRecord.objects.filter(task=self.context.target, object_type=DIRECTORY).order_by("pk")
        )
        remake = [r for r in records if r.action == DELETE]
        if remake and self.writer is not None:
            self.writer.directories_remake(remake)
        ids = [r.object_id for r in records if r.action == CREATE and r.object_id is not None]
        present: list[tuple[int, str, str, int]] = []
        for part in chunks(ids, BATCH):
            present += list(
                Directory.objects.filter(pk__in=part).values_list("pk", "category", "path", "depth")
            )
        occupied = self._occupied([p[0] for p in present])
        gone, rows = [], [Row(DIRECTORY, r.name, RECREATE, f"Made directory {r.name} again.") for r in remake]
        for pk, category, path, depth in present:
            busy = any(c == category and (p == path or p.startswith(path + "/")) for c, p in occupied)
            if busy:
                rows.append(Row(DIRECTORY, path, KEEP, f"Kept directory {path}: it is not empty."))
            else:
                gone.append((pk, category, path, depth))
                rows.append(
                    Row(DIRECTORY, path, REMOVE, f"Deleted directory {path}, which {self.what} made.")
                )
        if gone and self.writer is not None:
            self.writer.directories_delete(gone)
        self.report(rows)

    def _occupied(self, ids: list[int]) -> set[tuple[str, str]]:
        """(category, path) of every directory among ``ids`` that keeps something after the undo, and of
        those holding a directory that is not among them."""
        if not ids:
            return set()
        paths = dict(Directory.objects.filter(pk__in=ids).values_list("pk", "path"))
        occupied: set[tuple[str, str]] = set()
        preview = self.writer is None
        for category, (object_type, model) in _CATEGORY_TYPES.items():
            leaving = set(self.removals.get(object_type, {})) if preview else set()
            if preview:
                leaving |= self.restored.get(object_type, set())
            for part in chunks(ids):
                for pk, directory_id in model._default_manager.filter(directory_id__in=part).values_list(
                    "pk", "directory_id"
                ):
                    if pk not in leaving:
                        occupied.add((category, paths[directory_id]))
        known = set(ids)
        for part in chunks(ids):
            children = Directory.objects.filter(parent_id__in=part).values_list("pk", "category", "path")
            occupied.update((category, path) for pk, category, path in children if pk not in known)
        if preview:
            occupied |= self.restored_paths
        return occupied

    def run(self) -> None:
        self.phase_put_back()
        if self.failed and self.writer is not None:
            return
        self.phase_remove()
        self.phase_directories()
