"""Import, the report: every object's outcome, kept once.

The apply writes each object's outcome as a ``SubTask`` row while it goes (a thousand at a time) and
stores in the task row only the report's head (:func:`report_head`: the summary, the choices that
shaped it, the nodes left unresolved). :func:`import_report` gives the whole report as the API, the
download and the command line show it: the head with ``objects`` and a list per outcome read back from
the subtasks. Reports stored whole by earlier versions are given as they are.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from factory.errors import ErrorCode, NotFound
from factory.transfer.imports.items import CREATED, OUTCOMES, OVERWRITTEN, RENAMED
from factory.transfer.models import ImportChange, SystemTask

# The outcomes whose jobs are in the workspace now, with the nodes they were told to leave unresolved.
WRITTEN = (CREATED, OVERWRITTEN, RENAMED)


def report_head(
    *,
    file_name: str,
    rolled_back: bool,
    continue_on_error: bool,
    target_status: str,
    summary: dict[str, int],
    unresolved: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "fileName": file_name,
        "rolledBack": rolled_back,
        "continueOnError": continue_on_error,
        "targetStatus": target_status,
        "summary": summary,
        "unresolved": unresolved,
    }


def unresolved_of(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The nodes of imported jobs that use references the user left unresolved (the canvas flags them)."""
    return [
        {"job": row.get("newName") or row["name"], **use}
        for row in rows
        if row["type"] == "job" and row["outcome"] in WRITTEN
        for use in row.get("unresolved") or ()
    ]


def report_row_detail(row: dict[str, Any]) -> dict[str, Any]:
    """What a subtask keeps of a report row beside its type, name, outcome and message."""
    return {k: v for k, v in row.items() if k not in ("type", "name", "outcome", "message")}


def import_report(task: SystemTask) -> dict[str, Any] | None:
    """The task's whole report (None before the apply has finished); see the module."""
    stored = (task.result or {}).get("report")
    if stored is None or "objects" in stored:
        return stored
    subtasks = task.subtasks.order_by("order").values_list(
        "object_type", "object_name", "outcome", "message", "detail"
    )
    rows = [
        {"type": kind, "name": name, "outcome": outcome, "message": message, **(detail or {})}
        for kind, name, outcome, message, detail in subtasks.iterator(1000)
    ]
    head = {k: v for k, v in stored.items() if k != "unresolved"}
    return {
        **head,
        "objects": rows,
        "unresolved": stored.get("unresolved", []),
        **{outcome: [row for row in rows if row["outcome"] == outcome] for outcome in OUTCOMES},
    }


# --- the preview's change-set ------------------------------------------------------------------------


def import_changes(
    *, task: SystemTask, object_type: str | None = None, change: str | None = None, search: str | None = None
) -> QuerySet[ImportChange]:
    """The objects of the task's last preview, in the order the import would write them, optionally of
    one type, one kind of change, or with ``search`` in their name."""
    rows = ImportChange.objects.filter(task=task).order_by("order")
    if object_type:
        rows = rows.filter(object_type=object_type)
    if change:
        rows = rows.filter(change=change)
    if search:
        rows = rows.filter(Q(name__icontains=search) | Q(new_name__icontains=search))
    return rows.defer("diff", "before", "after")


def import_change_get(*, task: SystemTask, change_id: int) -> ImportChange:
    row = ImportChange.objects.filter(task=task, pk=change_id).first()
    if row is None:
        raise NotFound(
            f"Import {task.public_id} has no previewed object {change_id}.", code=ErrorCode.NOT_FOUND
        )
    return row
