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
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from factory.errors import Conflict, ErrorCode, ValidationError
from factory.obs import (
    obs_write_stream,
)
from factory.transfer import selectors, tasks
from factory.transfer.exports.collect import export_collect
from factory.transfer.exports.selection import ExportRequest, ExportSelection, export_select
from factory.transfer.exports.stream import export_stream
from factory.transfer.exports.target import export_obs_target, obs_bucket_check
from factory.transfer.lifecycle import QUEUE_UNAVAILABLE_MESSAGE, queue_send
from factory.transfer.models import ExportArtifact, SystemTask, TaskKind, TaskStatus, TaskStep
from factory.workspaces.models import Workspace

logger = logging.getLogger(__name__)


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


def export_start(*, workspace: Workspace, user: User, request: ExportRequest) -> ExportStarted:
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


def export_task_create(*, selection: ExportSelection, user: User) -> SystemTask:
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
            step=TaskStep.QUEUED,
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


def export_write(
    *, workspace: Workspace, user: User | None, request: ExportRequest, out: Path | None = None
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
        obs_bucket_check(target)
        size = obs_write_stream(path=target, chunks=chunks)
        return ExportWritten(location=str(target), size=size, jobs=jobs, scripts=scripts)
    path = Path(out) if out else Path(selection.file_name)
    if path.is_dir():
        path = path / selection.file_name
    if not path.parent.is_dir():
        raise ValidationError(
            f"Cannot write {path}: the folder {path.parent} does not exist.", code=ErrorCode.INVALID_OUT
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


def export_artifact_delete(*, workspace: Workspace, user: User, is_admin: bool, artifact_id: int) -> None:
    """Remove an entry of the Download Center and its file. Exports still running cannot be removed."""
    artifact = selectors.export_artifact_get(
        workspace=workspace, user=user, is_admin=is_admin, artifact_id=artifact_id
    )
    if artifact.task.status in (TaskStatus.PENDING, TaskStatus.RUNNING):
        raise Conflict(
            f"{artifact.file_name} is still being exported; remove it once it is done.",
            code=ErrorCode.EXPORT_RUNNING,
        )
    storage_name = artifact.storage_name
    artifact.delete()
    if storage_name:
        transaction.on_commit(partial(default_storage.delete, storage_name))
