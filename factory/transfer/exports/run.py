"""Export in the background (``export_run``, the body of the ``export_run`` Celery task): claim the task,
run both passes, write the package to storage or OBS, record the outcome."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import JSONField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from factory.errors import Conflict, DomainError, ErrorCode
from factory.obs import (
    ObsPath,
    obs_multipart_abort_stale,
    obs_write_stream,
)
from factory.packages import PackageError
from factory.transfer import lifecycle
from factory.transfer.exports.collect import export_collect
from factory.transfer.exports.contents import ExportContents
from factory.transfer.exports.selection import ExportRequest, export_select
from factory.transfer.exports.stream import export_stream
from factory.transfer.exports.target import export_obs_target, obs_bucket_check
from factory.transfer.models import ExportArtifact, SystemTask, TaskKind, TaskStatus, TaskStep

logger = logging.getLogger(__name__)

# From this many jobs (or scripts) on, a background export deflates in a helper process while it reads
# and serializes the next documents (see factory.packages.write): starting it costs a fraction of a second.
PARALLEL_DEFLATE_FROM = 200
_PROGRESS_EVERY_SECONDS = 1.0


def _task_claim(task_id: int) -> SystemTask | None:
    """Take a PENDING export task, or one whose worker died (RUNNING without a sign of life for longer
    than the task time limit; at most ``MAX_ATTEMPTS`` times), from its first pass. ``None`` when another
    delivery has it or it is finished."""
    return lifecycle.task_claim(
        task_id=task_id,
        kind=TaskKind.EXPORT,
        gave_up="this export; nothing was exported. Start the export again.",
        restart_step=TaskStep.COLLECT,
        running_fresh_taken=False,
    )


def _task_update(task: SystemTask, **values: Any) -> None:
    lifecycle.task_update(task.pk, **values)


class _Progress:
    """Writes the share of objects written to the task row, at most once a second."""

    def __init__(self, task: SystemTask, total: int) -> None:
        self.task = task
        self.total = max(total, 1)
        self.last = 0.0

    def __call__(self, done: int) -> None:
        now = timezone.now().timestamp()
        if now - self.last >= _PROGRESS_EVERY_SECONDS or done == self.total:
            self.last = now
            # 10 % for the first pass, 85 % for writing, the rest for storing the result.
            _task_update(self.task, progress=10 + int(85 * done / self.total))


def _storage_write(*, name: str, chunks: Iterable[bytes]) -> tuple[str, int]:
    """Write the package into default storage through a temporary file (the storage may be a bucket);
    on failure nothing is left behind."""
    saved = ""
    try:
        with tempfile.TemporaryFile() as tmp:
            size = 0
            for chunk in chunks:
                tmp.write(chunk)
                size += len(chunk)
            tmp.seek(0)
            saved = default_storage.save(name, File(tmp, name=os.path.basename(name)))
    except BaseException:
        for leftover in {saved, name} - {""}:
            try:
                if default_storage.exists(leftover):
                    default_storage.delete(leftover)
            except Exception:  # cleaning up must not hide the original error
                logger.exception("Could not delete the partial export %s", leftover)
        raise
    return saved, size


def _result(fields: dict[str, Any], *, references: Iterable[dict[str, Any]]) -> Any:
    """The task's result, ``fields`` with the references (an export of 50,000 jobs has some 200,000). On
    PostgreSQL they are copied into a temporary table one at a time and the result is assembled there,
    so that neither a list of them nor their JSON text is ever held whole; elsewhere, a list."""
    if connection.vendor != "postgresql":
        return {**fields, "references": list(references)}
    raw = connection.connection  # psycopg's own, inside the caller's atomic block
    with raw.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE export_result_reference (position bigint, reference jsonb) ON COMMIT DROP"
        )
        with cursor.copy("COPY export_result_reference (position, reference) FROM STDIN") as copy:
            for position, reference in enumerate(references):
                copy.write_row((position, json.dumps(reference)))
    return RawSQL(
        "(%s::jsonb || jsonb_build_object('references', (SELECT coalesce(jsonb_agg(reference ORDER BY "
        "position), '[]'::jsonb) FROM export_result_reference)))",
        (json.dumps(fields),),
        output_field=JSONField(),
    )


def _stale_uploads_abort(target: ObsPath) -> None:
    """Abort what earlier exports to the target's folder left behind when OBS failed them so badly that
    even their abort failed. Only uploads started before every export still running began are touched,
    so a concurrent export's upload is never aborted under it."""
    alive = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    started = (
        SystemTask.objects.filter(
            kind=TaskKind.EXPORT, status=TaskStatus.RUNNING, updated_at__gte=alive, started_at__isnull=False
        )
        .order_by("started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    if started is None:
        return
    prefix = target.key.rsplit("/", 1)[0] + "/" if "/" in target.key else ""
    obs_multipart_abort_stale(bucket=target.bucket, prefix=prefix, older_than=started)


def export_run(*, task_id: int) -> None:
    """The background export: claim the task, run both passes, write the package to storage or OBS, and
    record the outcome. A failed export leaves no object in OBS, no file in storage and no ready entry in
    the Download Center; its task says why."""
    task = _task_claim(task_id)
    if task is None:
        return
    artifact = ExportArtifact.objects.filter(task=task).first()
    user = task.created_by
    storage_name = ""
    contents: ExportContents | None = None
    try:
        if artifact is None:
            raise Conflict(
                "The Download Center entry of this export was deleted.", code=ErrorCode.DOWNLOAD_DELETED
            )
        selection = export_select(workspace=task.workspace, request=ExportRequest.from_params(task.params))
        # No browser waits for a first byte: each job is read once, prepared and kept on disk for pass 2.
        parallel = 1 if len(selection.pks) >= PARALLEL_DEFLATE_FROM else 0
        contents = export_collect(selection=selection, spool_jobs=True, deflate_processes=parallel)
        _task_update(task, step=TaskStep.WRITE, progress=10)
        chunks = export_stream(
            selection=selection,
            contents=contents,
            user=user,
            progress=_Progress(task, contents.count),
            deflate_processes=parallel,
        )
        target = export_obs_target(selection)
        if target is not None:
            obs_bucket_check(target)
            _stale_uploads_abort(target)
            size = obs_write_stream(path=target, chunks=chunks)
        else:
            storage_name, size = _storage_write(
                name=f"exports/{task.public_id}/{selection.file_name}", chunks=chunks
            )
        with transaction.atomic():
            ExportArtifact.objects.filter(pk=artifact.pk).update(
                file_name=selection.file_name,
                storage_name=storage_name,
                obs_path=str(target) if target else "",
                size=size,
                job_count=contents.count if selection.noun == "job" else 0,
            )
            noun = selection.noun
            _task_update(
                task,
                status=TaskStatus.SUCCESSFUL,
                step=TaskStep.DONE,
                progress=100,
                message=f"Exported {contents.count} {noun}{'s' if contents.count != 1 else ''} "
                f"to {target or selection.file_name} ({size} bytes).",
                ended_at=timezone.now(),
                result=_result(
                    {
                        "fileName": selection.file_name,
                        "obsPath": str(target) if target else "",
                        "size": size,
                        f"{noun}s": contents.names if noun == "job" else list(selection.names),
                    },
                    references=contents.references,
                ),
            )
    except Exception as exc:
        if isinstance(exc, DomainError):
            message = exc.message
        elif isinstance(exc, PackageError):
            message = f"The package could not be written: {exc}"
        elif isinstance(exc, SoftTimeLimitExceeded):
            message = (
                f"The export took longer than {settings.CELERY_TASK_SOFT_TIME_LIMIT} seconds and was stopped; "
                "export fewer jobs at a time."
            )
        else:
            logger.exception("Export task %s failed", task.public_id)
            message = f"The export failed unexpectedly ({type(exc).__name__}); see the server log."
        if storage_name:
            default_storage.delete(storage_name)
        lifecycle.task_fail(task_id=task.pk, kind=TaskKind.EXPORT, message=message)
    finally:
        if contents is not None:
            contents.close()
