"""Undo, the import history (``import_history``): every import and undo of a workspace, newest first, with
who started it and when, its source and the package's sha256, the counts of its report and whether it
was undone or can be undone. A query for the page, however long the history: the inspection and the
report stay in the database, only the digest and the counts are read out of them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models import F, QuerySet
from django.db.models.fields.json import KT, KeyTransform

from factory.transfer.models import SystemTask
from factory.transfer.undo.start import KINDS, stale_undos_fail, undoable_annotated
from factory.workspaces.models import Workspace


def import_history(*, workspace: Workspace, user: User, is_admin: bool) -> QuerySet[SystemTask]:
    """The imports and undos of ``workspace``: the user's own, or everybody's for its admins."""
    stale_undos_fail(workspace_id=workspace.pk)
    tasks = SystemTask.objects.filter(workspace=workspace, kind__in=KINDS)
    if not is_admin:
        tasks = tasks.filter(created_by=user)
    return (
        undoable_annotated(tasks)
        .select_related("created_by")
        .defer("result", "secrets_encrypted")
        .annotate(
            sha256=KT("result__inspection__package__sha256"),
            summary=KeyTransform("summary", KeyTransform("report", "result")),
            undoes_public_id=F("undoes__public_id"),
        )
        .order_by("-created_at", "-pk")
    )


def undo_report(task: SystemTask) -> dict[str, Any]:
    """An undo's whole report: its head (what it undid, the counts) and every object's row, read from its
    subtasks; with the task's id, status and message (the command's ``--json``)."""
    rows = [
        {"type": kind, "name": name, "outcome": outcome, "message": message, **(detail or {})}
        for kind, name, outcome, message, detail in task.subtasks.order_by("order")
        .values_list("object_type", "object_name", "outcome", "message", "detail")
        .iterator(1000)
    ]
    head = (task.result or {}).get("report") or {}
    return {"taskId": task.public_id, "status": task.status, "message": task.message, **head, "objects": rows}
