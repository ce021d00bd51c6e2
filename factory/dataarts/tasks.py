"""Celery task of the v1 API: a thin wrapper named after the service it calls (it takes the task's id)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from factory.dataarts.services import transfer

# Another worker may still be inspecting the package: look again every second, for up to an hour
# (the imports' own safety net fails a task whose worker is gone).
RETRY_SECONDS = 1
MAX_RETRIES = 3600


@shared_task(name="dataarts.v1_import_continue", bind=True, max_retries=MAX_RETRIES)
def v1_import_continue(self: Any, task_id: int) -> None:
    if not transfer.v1_import_continue(task_id=task_id):
        raise self.retry(countdown=RETRY_SECONDS)
