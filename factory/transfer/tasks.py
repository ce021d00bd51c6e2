"""Celery tasks of export and import: thin wrappers named after the service they call. They take ids,
are enqueued with ``transaction.on_commit`` and leave the ``SystemTask`` row check (under
``select_for_update``) to the service, so that a task delivered twice does its work once.

The request side (``exports.start``, ``imports.start``) sits above this module and queues these tasks;
the worker bodies sit below it and know nothing of Celery."""

from __future__ import annotations

from celery import shared_task

from factory.transfer.exports.run import export_run as export_run_body
from factory.transfer.imports.apply import import_apply as import_apply_body
from factory.transfer.imports.inspect import import_inspect as import_inspect_body
from factory.transfer.imports.preview import import_preview as import_preview_body
from factory.transfer.imports.stored import import_apply_stored as import_apply_stored_body
from factory.transfer.undo.run import import_undo as import_undo_body

# --- export ------------------------------------------------------------------------------------------


@shared_task(name="transfer.export_run")
def export_run(task_id: int) -> None:
    export_run_body(task_id=task_id)


# --- import ------------------------------------------------------------------------------------------


@shared_task(name="transfer.import_inspect")
def import_inspect(task_id: int) -> None:
    import_inspect_body(task_id=task_id)


@shared_task(name="transfer.import_preview")
def import_preview(task_id: int) -> None:
    import_preview_body(task_id=task_id)


@shared_task(name="transfer.import_apply")
def import_apply(task_id: int) -> None:
    import_apply_body(task_id=task_id)


@shared_task(name="transfer.import_apply_stored")
def import_apply_stored(task_id: int) -> None:
    """The second link of an import chained after its inspection (``imports.start.import_create_chained``)."""
    import_apply_stored_body(task_id=task_id)


@shared_task(name="transfer.import_undo")
def import_undo(task_id: int) -> None:
    """Undo an import (or an undo) as a whole (``undo.start.import_undo_create`` queues it)."""
    import_undo_body(task_id=task_id)
