"""Celery tasks of export and import: thin wrappers named after the service they call. They take ids,
are enqueued with ``transaction.on_commit`` and leave the ``SystemTask`` row check (under
``select_for_update``) to the service, so that a task delivered twice does its work once."""

from __future__ import annotations

from celery import shared_task

from factory.transfer.services import export as export_services
from factory.transfer.services import imports_apply, imports_inspect

# --- export ------------------------------------------------------------------------------------------


@shared_task(name="transfer.export_run")
def export_run(task_id: int) -> None:
    export_services.export_run(task_id=task_id)


# --- import ------------------------------------------------------------------------------------------


@shared_task(name="transfer.import_inspect")
def import_inspect(task_id: int) -> None:
    imports_inspect.import_inspect(task_id=task_id)


@shared_task(name="transfer.import_apply")
def import_apply(task_id: int) -> None:
    imports_apply.import_apply(task_id=task_id)
