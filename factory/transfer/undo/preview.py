"""Undo, the preview (``import_undo_preview``): what undoing a task would do now, object by object, and the
line that says it ("Restore 120 jobs to the state before the import; delete 8 jobs and 2 scripts it
created; keep 3 changed since"). The same walk as the undo (``walk``), without a lock or a write: the
objects as they are now, the records without their documents (read only for a usage check).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from factory.transfer.models import SystemTask
from factory.transfer.undo.decide import ACTIONS, FAIL, KEEP, RECREATE, REMOVE, RESTORE, Context
from factory.transfer.undo.run import target_what
from factory.transfer.undo.start import undo_refusal
from factory.transfer.undo.walk import Row, Walk

# The preview lists at most this many objects: every one kept or failing first, then the others.
PREVIEW_ROWS = 1000
_PLURALS = {
    "job": ("job", "jobs"),
    "script": ("script", "scripts"),
    "resource": ("resource", "resources"),
    "connection": ("data connection", "data connections"),
    "environment_variable": ("environment variable", "environment variables"),
    "directory": ("directory", "directories"),
}


def counted(counts: dict[str, int]) -> str:
    """ "120 jobs, 3 scripts and 1 directory" """
    parts = [
        f"{n} {_PLURALS[t][0] if n == 1 else _PLURALS[t][1]}"
        for t, n in counts.items()
        if n and t in _PLURALS
    ]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def summary_line(counts: dict[str, dict[str, int]], *, what: str) -> str:
    phrases = []
    if counts[RESTORE]:
        phrases.append(f"restore {counted(counts[RESTORE])} to the state before {what}")
    if counts[RECREATE]:
        phrases.append(f"make {counted(counts[RECREATE])} again")
    if counts[REMOVE]:
        phrases.append(f"delete {counted(counts[REMOVE])} it created")
    if counts[KEEP]:
        phrases.append(f"keep {sum(counts[KEEP].values())} changed since or still used")
    if counts[FAIL]:
        phrases.append(f"{sum(counts[FAIL].values())} cannot be undone")
    if not phrases:
        return "Nothing to undo."
    text = "; ".join(phrases) + "."
    return text[0].upper() + text[1:]


class _Collected:
    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = {action: {} for action in ACTIONS}
        self.first: list[dict[str, Any]] = []  # kept and failed
        self.others: list[dict[str, Any]] = []
        self.total = 0

    def __call__(self, rows: list[Row]) -> None:
        for row in rows:
            self.total += 1
            by_type = self.counts[row.action]
            by_type[row.type] = by_type.get(row.type, 0) + 1
            shown = self.first if row.action in (KEEP, FAIL) else self.others
            if len(self.first) + len(self.others) < PREVIEW_ROWS or row.action in (KEEP, FAIL):
                shown.append(row.as_dict())


def import_undo_preview(*, target: SystemTask, user: User, force: bool = False) -> dict[str, Any]:
    """What undoing ``target`` (from ``undo_target_get``) would do now: ``summary`` (the line),
    ``counts`` (per action, per type), ``objects`` (at most ``PREVIEW_ROWS``, the kept and failing ones
    first), ``total`` and ``refusal`` (why it cannot be undone at all, or None)."""
    refusal = undo_refusal(target)
    collected = _Collected()
    what = target_what(target)
    if refusal is None:
        context = Context(target=target, workspace=target.workspace, user=user, force=force, full=False)
        Walk(context=context, writer=None, report=collected, what=what).run()
    objects = (collected.first + collected.others)[:PREVIEW_ROWS]
    return {
        "task": target.public_id,
        "force": force,
        "refusal": refusal,
        "summary": refusal or summary_line(collected.counts, what=what),
        "counts": collected.counts,
        "total": collected.total,
        "objects": objects,
        "truncated": len(objects) < collected.total,
    }
