"""Undo, the recording: while an import writes, what each object it overwrites was before, and what it
left of every object it wrote or created, as ``UndoRecord`` rows of the import's task.

``UndoRecorder.before_save`` is the apply's ``before_save`` hook: for each batch of resources, scripts or
jobs about to be saved it reads the overwritten rows' states (``states_read``: the document as stored,
the secrets' ciphertext as stored, the directory's path, the latest submitted version), three queries
whatever the batch. The batch is recorded at the next call (or ``finish``), once it is written: its
objects' ids and what the import left of them (the stamp, the version it made) are known then, and
objects whose write failed are left out. ``finish`` records the data connections and environment
variables the import created (from its subtasks) and the directories it made. Memory: one batch.

``records_write`` is what an undo records of its own writes, in the same rows, so that it can be undone
in turn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from factory.development.models import Directory, Resource
from factory.transfer.models import SubTask, SystemTask, UndoRecord
from factory.transfer.undo.states import (
    BATCH,
    CONNECTION,
    DIRECTORY,
    LOCKED,
    RESOURCE,
    SPECS,
    VARIABLE,
    chunks,
    stamp,
    states_read,
)
from factory.workspaces.models import Workspace

if TYPE_CHECKING:  # the apply imports this module: nothing of the import package at run time
    from factory.transfer.imports.items import Item

# The import's outcomes (factory.transfer.imports.items) of the objects it wrote.
CREATED, OVERWRITTEN, RENAMED = "created", "overwritten", "renamed"
# What an undo does to each action of the task it undoes, and what it records it did.
OVERWRITE, CREATE, DELETE = "overwritten", "created", "deleted"


def record_of(
    task: SystemTask,
    object_type: str,
    *,
    pk: int | None,
    name: str,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> UndoRecord:
    """A record; the secret of ``before`` (``_secret``) goes to its own column."""
    secret = ""
    if before is not None:
        before = dict(before)
        secret = before.pop("_secret", "") or ""
    return UndoRecord(
        task=task,
        object_type=object_type,
        object_id=pk,
        name=name[:1024],
        action=action,
        before=before,
        secrets_encrypted=secret,
        after=after or {},
    )


def records_write(records: list[UndoRecord]) -> None:
    UndoRecord.objects.bulk_create(records, batch_size=BATCH)


def directory_mark(workspace: Workspace) -> int:
    """The highest directory id now: the directories made after this are the task's (see ``finish``)."""
    last = Directory.objects.order_by("-pk").values_list("pk", flat=True).first()
    return last or 0


def directories_record(task: SystemTask, *, workspace: Workspace, mark: int) -> int:
    """Record the directories of ``workspace`` made since ``mark`` as created by ``task``. The task made
    them in its transaction; one made meanwhile by somebody else would be recorded too, which is harmless:
    an undo deletes a directory only while it is empty."""
    made = Directory.objects.filter(workspace=workspace, pk__gt=mark).values_list("pk", "category", "path")
    records = [
        record_of(
            task, DIRECTORY, pk=pk, name=path, action=CREATE, after={"category": category, "path": path}
        )
        for pk, category, path in made
    ]
    records_write(records)
    return len(records)


def entry_digest(entry: Any) -> str | None:
    """The sha256 (hex) of a package entry's bytes, as the package reader checked them, or None for an
    entry made in memory (``factory.packages``: its reader keeps the digest it checks each read against)."""
    digest = getattr(getattr(entry, "reader", None), "sha256", None)
    return digest.hex() if isinstance(digest, bytes) else None


Verbatim = Callable[["Item"], bool]
"""Is the document an import writes for an item its package entry with only a name and a directory set
(``Plan.verbatim``)?"""


class UndoRecorder:
    """The records of one import's apply (see the module).

    ``verbatim`` (the plan's): for a job or script written as its package entry with only its name and
    directory set, the record's ``after`` also keeps the entry's sha256 (``entry``) and the directory
    written (``entryDirectory``), so that a later import of the same bytes knows the object unchanged
    without reading a document (``factory.transfer.imports.known``) while its revision is the one written."""

    def __init__(self, task: SystemTask, *, workspace: Workspace, verbatim: Verbatim | None = None) -> None:
        self.task, self.workspace, self.verbatim = task, workspace, verbatim
        self.mark = directory_mark(workspace)
        self.pending: (
            tuple[str, list[tuple[Item, int | None, str | None]], dict[int, dict[str, Any]]] | None
        ) = None

    def before_save(self, object_type: str, items: list[Item]) -> None:
        """The apply's hook: the batch before it is saved. The apply forgets each item's row (and its
        package entry) once it is written, so the ids of the overwritten ones are kept here, and the
        entry's digest of those written verbatim."""
        self.flush()
        verbatim = self.verbatim if object_type in LOCKED else None
        batch = [
            (
                i,
                i.existing.pk if i.outcome == OVERWRITTEN and i.existing is not None else None,
                entry_digest(i.source) if verbatim is not None and verbatim(i) else None,
            )
            for i in items
        ]
        before = states_read(object_type, [pk for _, pk, _ in batch if pk is not None])
        self.pending = (object_type, batch, before)

    def flush(self) -> None:
        """Record the batch seen last, now written: one query for what the import left, one insert."""
        if self.pending is None:
            return
        object_type, batch, before = self.pending
        self.pending = None
        written = [(i, pk, entry) for i, pk, entry in batch if i.outcome in (CREATED, OVERWRITTEN, RENAMED)]
        if not written:
            return
        if object_type == RESOURCE:  # a resource's report names it, not its id
            new = [i.new_name for i, pk, _ in written if pk is None]
            names = dict(
                Resource.objects.filter(workspace=self.workspace, name__in=new).values_list("name", "pk")
            )
            ids = [(i, pk if pk is not None else names.get(i.new_name), pk, e) for i, pk, e in written]
        else:
            ids = [(i, i.detail.get("id"), pk, e) for i, pk, e in written]
        left = states_read(object_type, [pk for _, pk, _, _ in ids if pk is not None], full=False)
        records = []
        for item, pk, overwritten, entry in ids:
            if pk is None or pk not in left or (overwritten is not None and overwritten not in before):
                continue
            after = stamp(object_type, left[pk])
            if "versionId" in item.detail:
                after.update(versionId=item.detail["versionId"], version=item.detail.get("version"))
            directory = item.detail.get("directory")
            if entry is not None and isinstance(directory, str):
                after.update(entry=entry, entryDirectory=directory)
            records.append(
                record_of(
                    self.task,
                    object_type,
                    pk=pk,
                    name=item.new_name,
                    action=CREATE if overwritten is None else OVERWRITE,
                    before=None if overwritten is None else before[overwritten],
                    after=after,
                )
            )
        records_write(records)

    def finish(self) -> None:
        """After the apply's last write (its subtasks stored): the last batch, the connections and
        variables it created and the directories it made."""
        self.flush()
        created = SubTask.objects.filter(
            task=self.task, object_type__in=[CONNECTION, VARIABLE], outcome=CREATED
        ).values_list("object_type", "object_name")
        by_type: dict[str, list[str]] = {}
        for object_type, name in created:
            by_type.setdefault(object_type, []).append(name)
        for object_type, names in by_type.items():
            model = SPECS[object_type].model
            for part in chunks(names):
                rows = model._default_manager.filter(workspace=self.workspace, name__in=part)
                records_write(
                    [
                        record_of(
                            self.task,
                            object_type,
                            pk=state.pop("id"),
                            name=state["name"],
                            action=CREATE,
                            after=stamp(object_type, state),
                        )
                        for state in rows.values("id", "name", "updated_at")
                    ]
                )
        directories_record(self.task, workspace=self.workspace, mark=self.mark)
