"""Export, delivery: to the browser, to the Download Center through a Celery task, to OBS, or to a file.

``export_start`` (the console) streams small exports and turns large ones, and every export to OBS, into
a ``SystemTask`` with its ``ExportArtifact``; ``export_run`` is the task's body; ``export_write`` is the
CLI's; ``export_artifact_delete`` removes a Download Center entry. A failed export leaves no object in OBS,
no file in storage and no ready download.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from factory.errors import Conflict, DomainError, ValidationError
from factory.obs import (
    ObsError,
    ObsObjectExists,
    ObsPath,
    obs_browse,
    obs_exists,
    obs_multipart_abort_stale,
    obs_write_stream,
)
from factory.packages import PackageError
from factory.transfer import selectors
from factory.transfer.models import ExportArtifact, SystemTask, TaskKind, TaskStatus
from factory.transfer.queue import QUEUE_UNAVAILABLE_MESSAGE, queue_send
from factory.transfer.services.export_package import export_collect, export_stream
from factory.transfer.services.export_selection import ExportRequest, ExportSelection, export_select
from factory.workspaces.models import Workspace

logger = logging.getLogger(__name__)

# From this many jobs (or scripts) on, a background export deflates in a helper process while it reads
# and serializes the next documents (see factory.packages.write): starting it costs a fraction of a second.
PARALLEL_DEFLATE_FROM = 200
_PROGRESS_EVERY_SECONDS = 1.0


@dataclass(frozen=True)
class ExportStarted:
    """The outcome of ``export_start``: either a stream for the browser, or a background task."""

    file_name: str = ""
    stream: Iterator[bytes] | None = None
    task: SystemTask | None = None


@dataclass(frozen=True)
class ExportWritten:
    """What ``export_write`` (the CLI) wrote: a local file or an OBS object, its size and contents."""

    location: str
    size: int
    jobs: int
    scripts: int


def _runs_in_background(selection: ExportSelection) -> bool:
    return selection.obs_path is not None or len(selection.pks) > settings.EXPORT_SYNC_MAX_JOBS


def export_obs_target(selection: ExportSelection) -> ObsPath | None:
    """The OBS object the export writes (``<folder>/<DataArts file name>``), or None for no OBS path.

    Refuses (409) when an object of that name is there already and the user did not ask to overwrite it:
    checked when the export is asked for and again right before writing. (Between that last check and the
    upload's completion another writer could still slip in: S3 has no portable "create only" for multipart
    uploads. The window is the upload's duration; the allow-list bounds who could use it.)"""
    target = selection.obs_target
    if target is None or selection.request.obs_overwrite:
        return target
    if obs_exists(path=target):
        raise ObsObjectExists(
            f"{target} already exists; choose another folder, or ask to overwrite it.",
            fields={"obsOverwrite": ["The object exists: set to overwrite it."]},
        )
    return target


def _obs_bucket_check(path: ObsPath) -> None:
    """Refuse a bucket that does not exist before writing: OBS would refuse the upload, but S3 servers
    such as SeaweedFS create a bucket on the first write, and an export must not conjure one up. Only
    "missing" is decided here; any other trouble (a credential that may write but not list) is left to
    the write itself to report."""
    try:
        obs_browse(path=f"obs://{path.bucket}/", limit=1)
    except ObsError as exc:
        if exc.code == "obs_bucket_missing":
            raise ObsError(
                f"Cannot export to {path}: the OBS bucket {path.bucket!r} does not exist.",
                code="obs_bucket_missing",
            ) from exc


def export_start(*, workspace: Workspace, user: AbstractBaseUser, request: ExportRequest) -> ExportStarted:
    """Start an export from the console: small ones (at most ``EXPORT_SYNC_MAX_JOBS`` objects, no OBS
    path) come back as a stream for the browser, already checked through the first pass so that errors
    are reported before the first byte; the others become a background task listed in the Download
    Center."""
    selection = export_select(workspace=workspace, request=request)
    if _runs_in_background(selection):
        return ExportStarted(
            file_name=selection.file_name, task=export_task_create(selection=selection, user=user)
        )
    contents = export_collect(selection=selection)
    stream = export_stream(selection=selection, contents=contents, user=user)
    return ExportStarted(file_name=selection.file_name, stream=stream)


def export_task_create(*, selection: ExportSelection, user: AbstractBaseUser) -> SystemTask:
    """A PENDING export task and its Download Center entry; the worker is asked once the rows commit."""

    target = export_obs_target(selection)
    noun = selection.noun
    with transaction.atomic():
        task = SystemTask(
            workspace=selection.workspace,
            kind=TaskKind.EXPORT,
            name=f"Export {len(selection.pks)} {noun}{'s' if len(selection.pks) != 1 else ''} to "
            f"{target or selection.file_name}",
            params=selection.request.to_params(),
            created_by=user,
            step="queued",
        )
        task.full_clean()
        task.save()
        artifact = ExportArtifact(
            task=task,
            workspace=selection.workspace,
            user=user,
            file_name=selection.file_name,
            obs_path=str(target) if target else "",
            job_count=len(selection.pks) if noun == "job" else 0,
        )
        artifact.full_clean()
        artifact.save()
        transaction.on_commit(partial(_export_enqueue, task.pk))
    return task


def _export_enqueue(task_id: int) -> None:
    """Queue the export; with the broker down it fails at once (the request answers 503)."""
    from factory.transfer import tasks

    queue_send(
        partial(tasks.export_run.delay, task_id),
        on_failure=partial(_export_queue_failed, task_id),
        what=f"export {task_id}",
    )


def _export_queue_failed(task_id: int) -> None:
    SystemTask.objects.filter(pk=task_id, status=TaskStatus.PENDING).update(
        status=TaskStatus.FAILED,
        message=QUEUE_UNAVAILABLE_MESSAGE,
        ended_at=timezone.now(),
        updated_at=timezone.now(),
    )


def _task_claim(task_id: int) -> SystemTask | None:
    """Take a PENDING export task (or one whose worker died: RUNNING without a sign of life for longer than
    the task time limit), under the row lock. ``None`` when another delivery has it or it is finished."""
    with transaction.atomic():
        task = SystemTask.objects.select_for_update().filter(pk=task_id, kind=TaskKind.EXPORT).first()
        if task is None:
            return None
        stale = timezone.now() - timezone.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
        if not (
            task.status == TaskStatus.PENDING
            or (task.status == TaskStatus.RUNNING and task.updated_at < stale)
        ):
            return None
        task.status = TaskStatus.RUNNING
        task.step = "collect"
        task.progress = 0
        task.message = ""
        task.attempts += 1
        task.started_at = timezone.now()
        task.save()
    return task


def _task_update(task: SystemTask, **values: Any) -> None:
    values["updated_at"] = timezone.now()
    SystemTask.objects.filter(pk=task.pk).update(**values)


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


def _stale_uploads_abort(target: ObsPath) -> None:
    """Abort what earlier exports to the target's folder left behind when OBS failed them so badly that
    even their abort failed. Only uploads started before every export still running began are touched,
    so a concurrent export's upload is never aborted under it."""
    alive = timezone.now() - timezone.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
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
    try:
        if artifact is None:
            raise Conflict("The Download Center entry of this export was deleted.", code="download_deleted")
        selection = export_select(workspace=task.workspace, request=ExportRequest.from_params(task.params))
        # No browser waits for a first byte: each job is read once, prepared and kept on disk for pass 2.
        parallel = 1 if len(selection.pks) >= PARALLEL_DEFLATE_FROM else 0
        contents = export_collect(selection=selection, spool_jobs=True, deflate_processes=parallel)
        _task_update(task, step="write", progress=10)
        chunks = export_stream(
            selection=selection,
            contents=contents,
            user=user,
            progress=_Progress(task, contents.count),
            deflate_processes=parallel,
        )
        target = export_obs_target(selection)
        if target is not None:
            _obs_bucket_check(target)
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
                step="done",
                progress=100,
                message=f"Exported {contents.count} {noun}{'s' if contents.count != 1 else ''} "
                f"to {target or selection.file_name} ({size} bytes).",
                ended_at=timezone.now(),
                result={
                    "fileName": selection.file_name,
                    "obsPath": str(target) if target else "",
                    "size": size,
                    f"{noun}s": contents.names if noun == "job" else list(selection.names),
                    "references": contents.references,
                },
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
        _task_update(task, status=TaskStatus.FAILED, message=message, ended_at=timezone.now())


def export_write(
    *, workspace: Workspace, user: AbstractBaseUser | None, request: ExportRequest, out: Path | None = None
) -> ExportWritten:
    """Export straight to a local file (``out``, a file or a directory; the package's own name in the
    current directory by default) or to ``request.obs_path``, in the calling process: the CLI's way.
    The file appears whole or not at all."""
    selection = export_select(workspace=workspace, request=request)
    contents = export_collect(selection=selection)
    chunks = export_stream(selection=selection, contents=contents, user=user)
    jobs = contents.count if selection.noun == "job" else 0
    scripts = len(contents.scripts) if selection.noun == "job" else contents.count
    target = export_obs_target(selection)
    if target is not None:
        _obs_bucket_check(target)
        size = obs_write_stream(path=target, chunks=chunks)
        return ExportWritten(location=str(target), size=size, jobs=jobs, scripts=scripts)
    path = Path(out) if out else Path(selection.file_name)
    if path.is_dir():
        path = path / selection.file_name
    if not path.parent.is_dir():
        raise ValidationError(
            f"Cannot write {path}: the folder {path.parent} does not exist.", code="invalid_out"
        )
    size = 0
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            for chunk in chunks:
                tmp.write(chunk)
                size += len(chunk)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return ExportWritten(location=str(path), size=size, jobs=jobs, scripts=scripts)


def export_artifact_delete(
    *, workspace: Workspace, user: AbstractBaseUser, is_admin: bool, artifact_id: int
) -> None:
    """Remove an entry of the Download Center and its file. Exports still running cannot be removed."""
    artifact = selectors.export_artifact_get(
        workspace=workspace, user=user, is_admin=is_admin, artifact_id=artifact_id
    )
    if artifact.task.status in (TaskStatus.PENDING, TaskStatus.RUNNING):
        raise Conflict(
            f"{artifact.file_name} is still being exported; remove it once it is done.", code="export_running"
        )
    storage_name = artifact.storage_name
    artifact.delete()
    if storage_name:
        transaction.on_commit(partial(default_storage.delete, storage_name))
