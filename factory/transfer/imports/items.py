"""Import, the one object both halves of the apply work on: an ``Item`` per object of the package, its
outcome decided by the plan (``plan``) and its result noted as it is written (``write``), each change
through the item's own methods; and ``RolledBack``, which undoes the apply with the items for the report.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

CREATED = "created"
OVERWRITTEN = "overwritten"
SKIPPED = "skipped"
RENAMED = "renamed"
FAILED = "failed"
# Already as the package has it: not written (an import that skips unchanged objects).
UNCHANGED = "unchanged"
OUTCOMES = (CREATED, OVERWRITTEN, SKIPPED, RENAMED, FAILED, UNCHANGED)
# What ``written`` notes of an item: the report's, not a rolled-back report's (nothing was written).
WRITTEN_DETAIL = frozenset({"id", "directory", "versionId", "version"})
# Most items depend on nothing of the package: they share this one (an empty set is 216 bytes each).
NO_DEPENDENCIES: tuple[tuple[str, str], ...] = ()
FEW_DEPENDENCIES = 16


@dataclass(slots=True)  # tens of thousands per import: no __dict__ each
class Item:
    """One object of the import and what happens to it."""

    type: str  # connection | environment_variable | resource | script | job
    name: str  # the name in the package
    new_name: str = ""
    outcome: str = ""
    message: str = ""
    existing: Any = None
    # The package entry (its ``document`` is read when the item is written); for an environment variable
    # the definition itself.
    source: Any = None
    depends_on: Collection[tuple[str, str]] = NO_DEPENDENCIES  # (type, package name); see ``depends``
    # Why overwriting it fails unless it turns out unchanged (a scheduled job, with skipUnchanged): the
    # apply and the preview fail it only once they know it would be written.
    blocked: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return (self.type, self.name)

    def depends(self, key: tuple[str, str]) -> None:
        """Note that the item uses the package's object ``key`` (``(type, name)``): a tuple while they are
        few (a job and its handful of scripts: a set is 216 bytes before its first key), a set beyond."""
        depends_on = self.depends_on
        if isinstance(depends_on, set):
            depends_on.add(key)
        elif key not in depends_on:
            self.depends_on = (*depends_on, key) if len(depends_on) < FEW_DEPENDENCIES else {*depends_on, key}

    def finished(self) -> None:
        """The item's outcome is final: its package entry, its row and what it depended on are let go."""
        self.source = self.existing = None
        self.depends_on = NO_DEPENDENCIES

    def recorded(self) -> None:
        """The item's subtask row is written, its message and detail with it. A rolled-back report (the
        only one still made from the items) replaces the message of every item that did not fail and
        says it was not imported, with no row, version or directory to point at: only a failure's
        message, and what else the detail says, are kept (a few hundred bytes an item, over the
        hundreds of thousands of objects of a large package)."""
        if self.outcome != FAILED:
            self.message = ""
            self.detail = {key: value for key, value in self.detail.items() if key not in WRITTEN_DETAIL}

    def fail(self, message: str) -> None:
        self.outcome, self.message = FAILED, message

    def written(self, result: Any) -> None:
        """Note what writing the item gave (a bulk save's result): where it went, its row and version."""
        if self.type == "resource":
            self.detail["directory"] = result.document.get("directory")
        elif self.type in ("script", "job"):
            self.detail.update(
                id=result.obj.pk,
                directory=result.obj.document.get("directory"),
                versionId=result.version.pk,
                version=result.version.number,
            )
        self.done()

    def version_noted(self, *, pk: int, number: int) -> None:
        if "versionId" not in self.detail:
            self.detail.update(versionId=pk, version=number)

    def done(self) -> None:
        """The item is written: its message says so (and what the report must not hide)."""
        if not self.message:
            verb = {CREATED: "Created", OVERWRITTEN: "Overwrote", RENAMED: "Created"}[self.outcome]
            self.message = f"{verb} {self.type.replace('_', ' ')} {self.new_name}."
            if self.detail.get("lockTakenFrom"):
                self.message += f" The lock was taken from {self.detail['lockTakenFrom']}."
        if self.detail.get("unresolved") and "unresolved" not in self.message:
            left = ", ".join(
                f"node {u['node'] or '(schedule)'} ({u['kind'].replace('_', ' ')} {u['name']})"
                for u in self.detail["unresolved"][:5]
            )
            self.message += f" Left unresolved: {left}; the job fails when scheduled until they exist."

    def as_report(self) -> dict[str, Any]:
        row = {"type": self.type, "name": self.name, "outcome": self.outcome, "message": self.message}
        if self.new_name and self.new_name != self.name:
            row["newName"] = self.new_name
        return {**row, **self.detail}


class RolledBack(Exception):
    """Raised inside the apply transaction to undo it; carries the items for the failure report."""

    def __init__(self, items: list[Item]) -> None:
        super().__init__("import rolled back")
        self.items = items
