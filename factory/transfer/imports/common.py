"""What the steps of an import share: the task row's life cycle, the package's source and the limits.

An import is one ``SystemTask`` (kind ``import``) that walks ``inspect`` -> ``inspected`` (WAITING for the
user's choices) -> ``apply`` -> ``done``. Each step's task claims the row under ``select_for_update``
first: a step already done, or a task already finished, is a no-op, so a message delivered twice does
its work once. A row found RUNNING when a step starts means the worker that ran it stopped (``acks_late``
and ``reject_on_worker_lost`` redeliver the message); the step runs again from scratch, at most
``MAX_ATTEMPTS`` times.

The package is read from where the user put it: OBS (``obs://bucket/key.zip``), the upload saved to
default storage under ``imports/<task id>/`` (so that a worker on another machine reads it too), or a
local file (the command line only). Every read copies it to an anonymous temporary file, which the
package read from it owns: it is gone when the step closes the package, whatever happens (or, at the
latest, when the package is garbage collected).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from datetime import timedelta
from typing import IO, Any, BinaryIO, cast

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.utils.text import get_valid_filename

from factory.errors import DomainError, ErrorCode
from factory.obs import obs_download_to
from factory.packages import Limits, Package, PackageError, package_read
from factory.packages.read import Visit, package_reopen
from factory.transfer import lifecycle
from factory.transfer.models import SystemTask, TaskKind, TaskStatus, TaskStep
from factory.workspaces.models import Workspace
from factory.workspaces.obs import workspace_obs_path

logger = logging.getLogger(__name__)

STEP_INSPECT = TaskStep.INSPECT
STEP_INSPECTED = TaskStep.INSPECTED
STEP_PREVIEW = TaskStep.PREVIEW
STEP_PREVIEWED = TaskStep.PREVIEWED
STEP_APPLY = TaskStep.APPLY
STEP_DONE = TaskStep.DONE

OVERWRITE = "overwrite"
SKIP = "skip"
RENAME = "rename"
POLICIES = (OVERWRITE, SKIP, RENAME)
CATEGORY_JOB = "job"
CATEGORY_SCRIPT = "script"
CATEGORIES = (CATEGORY_JOB, CATEGORY_SCRIPT)

SOURCE_OBS = "obs"
SOURCE_UPLOAD = "upload"
SOURCE_FILE = "file"

ACTIVE_STATUSES = lifecycle.ACTIVE_STATUSES
MAX_ATTEMPTS = lifecycle.MAX_ATTEMPTS
COPY_CHUNK = 1024 * 1024


class PackageRefused(DomainError):
    """A package the reader refused (``PackageError``) or could not get, as a domain error."""

    status = 400
    default_code = ErrorCode.PACKAGE_INVALID


def package_limits() -> Limits:
    return Limits(
        max_packed_bytes=settings.PACKAGE_MAX_PACKED_BYTES,
        max_unpacked_bytes=settings.PACKAGE_MAX_UNPACKED_BYTES,
        max_entries=settings.PACKAGE_MAX_ENTRIES,
        max_entry_bytes=settings.PACKAGE_MAX_ENTRY_BYTES,
        max_document_bytes=settings.PACKAGE_MAX_DOCUMENT_BYTES,
        max_json_values=settings.PACKAGE_MAX_JSON_VALUES,
        max_json_depth=settings.PACKAGE_MAX_JSON_DEPTH,
    )


def waiting_timeout() -> timedelta:
    """How long an inspected import waits for the user's choices before it expires (its upload deleted)."""
    return timedelta(seconds=getattr(settings, "IMPORT_WAITING_TIMEOUT", 24 * 3600))


# --- the task row: the life cycle of factory.transfer.lifecycle, with the import's words -------------


def task_user(task: SystemTask) -> User:
    """The user who started the import, whose rights and locks its steps use."""
    if task.created_by is None:
        raise DomainError(
            "The user who started this import no longer exists; nothing was imported.",
            code=ErrorCode.USER_DELETED,
        )
    return task.created_by


def _upload_cleanup(task: SystemTask) -> None:
    upload_delete(source=task.params.get("source") or {})


def task_locked(task_id: int, *, with_result: bool = True) -> SystemTask | None:
    """The import's row, locked (``with_result=False``: the inspection left unread)."""
    return lifecycle.task_locked(task_id, kind=TaskKind.IMPORT, with_result=with_result)


def inspected_sha256(task_id: int) -> str | None:
    """The digest of the package the inspection read, without reading the rest of the inspection."""
    return (
        SystemTask.objects.filter(pk=task_id)
        .values_list("result__inspection__package__sha256", flat=True)
        .first()
    )


def task_claim(*, task_id: int, step: str, with_result: bool = True) -> SystemTask | None:
    """Mark the import RUNNING for ``step`` (``lifecycle.task_claim``); None when there is nothing to do.
    A RUNNING row is a redelivery after the worker stopped: it runs again at once, at most
    ``MAX_ATTEMPTS`` times (the apply's transaction holds the row, so a duplicate waits for it)."""
    return lifecycle.task_claim(
        task_id=task_id,
        kind=TaskKind.IMPORT,
        step=step,
        gave_up=f"this import's {step} step; nothing was imported. Start the import again.",
        with_result=with_result,
        cleanup=_upload_cleanup,
    )


def task_fail(*, task_id: int, message: str, code: str, detail: dict[str, Any] | None = None) -> None:
    """Fail the import unless it finished meanwhile; its upload is deleted once that commits."""
    lifecycle.task_fail(
        task_id=task_id,
        kind=TaskKind.IMPORT,
        message=message,
        code=code,
        detail=detail,
        cleanup=_upload_cleanup,
    )


def error_detail(exc: BaseException) -> tuple[str, str, dict[str, Any]]:
    """The message, code and detail a user reads for a failed step."""
    if isinstance(exc, PackageError):
        detail = exc.to_dict()
        detail.pop("message", None)
        return f"The package was refused: {exc}", exc.code, detail
    if isinstance(exc, DomainError):
        return exc.message, exc.code, {}
    if isinstance(exc, SoftTimeLimitExceeded):
        return (
            f"The import took longer than {settings.CELERY_TASK_SOFT_TIME_LIMIT} seconds and was stopped; nothing "
            "was imported. Import the package in smaller parts, or raise CELERY_TASK_SOFT_TIME_LIMIT.",
            ErrorCode.TIME_LIMIT,
            {},
        )
    return (
        f"The import failed unexpectedly ({type(exc).__name__}); nothing was imported. See the worker log.",
        ErrorCode.INTERNAL_ERROR,
        {},
    )


def _stale_why(task: SystemTask) -> tuple[str, str]:
    if task.status == TaskStatus.WAITING:
        return (
            "This import waited for your choices longer than "
            f"{int(waiting_timeout().total_seconds() // 3600)} hours and expired; start it again.",
            ErrorCode.IMPORT_EXPIRED,
        )
    if task.status == TaskStatus.PENDING:
        return (
            f"No worker picked this import up within {settings.CELERY_TASK_TIME_LIMIT} seconds; "
            "nothing was imported. Check that a Celery worker is running, then start it again.",
            ErrorCode.WORKER_MISSING,
        )
    return (
        "The worker stopped while running this import (no progress for "
        f"{settings.CELERY_TASK_TIME_LIMIT} seconds); nothing was imported. Start it again.",
        ErrorCode.WORKER_LOST,
    )


def stale_imports_fail(*, workspace_id: int | None = None) -> int:
    """The safety net that needs no periodic task: fail imports whose worker is gone.

    RUNNING or PENDING longer than ``CELERY_TASK_TIME_LIMIT`` (Celery would have killed a live worker by
    then) fail with "the worker stopped"; nothing was imported, since an apply commits its objects and
    its SUCCESSFUL status together. WAITING longer than ``IMPORT_WAITING_TIMEOUT`` expires. Called by the
    reads of import tasks and before an import starts.
    """
    return lifecycle.tasks_stale_fail(
        kind=TaskKind.IMPORT,
        why=_stale_why,
        workspace_id=workspace_id,
        waiting_timeout=waiting_timeout(),
        cleanup=_upload_cleanup,
    )


# --- the package's source ----------------------------------------------------------------------------


def source_label(source: dict[str, Any]) -> str:
    if source.get("type") == SOURCE_OBS:
        return str(source.get("obsPath", ""))
    return str(source.get("fileName", ""))


def upload_delete(*, source: dict[str, Any]) -> None:
    """Delete an uploaded package from storage (a no-op for other sources or when already gone)."""
    name = source.get("storageName") if source.get("type") == SOURCE_UPLOAD else None
    if not name:
        return
    try:
        default_storage.delete(name)
        folder = os.path.dirname(name)
        # FileSystemStorage leaves the per-task folder behind; object stores have no folders to remove.
        if folder and hasattr(default_storage, "path"):
            with contextlib.suppress(NotImplementedError, OSError):
                os.rmdir(default_storage.path(folder))
    except Exception:  # storage errors must not hide the import's own outcome
        logger.warning("Could not delete the uploaded package %s from storage.", name, exc_info=True)


def _copy_limited(source: IO[bytes], target: IO[bytes], *, max_bytes: int, label: str) -> None:
    copied = 0
    while chunk := source.read(COPY_CHUNK):
        copied += len(chunk)
        if copied > max_bytes:
            raise PackageRefused(
                f"{label} is larger than {max_bytes} bytes (PACKAGE_MAX_PACKED_BYTES).",
                code=ErrorCode.PACKAGE_TOO_LARGE,
            )
        target.write(chunk)


def _sha256(fileobj: IO[bytes]) -> tuple[str, int]:
    fileobj.seek(0)
    digest = hashlib.sha256()
    size = 0
    while chunk := fileobj.read(COPY_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    fileobj.seek(0)
    return digest.hexdigest(), size


def source_open(*, source: dict[str, Any], workspace: Workspace) -> tuple[IO[bytes], str, int]:
    """The package as a seekable temporary file, with its sha256 and size; the caller closes the file.

    The temporary file is anonymous (unlinked at creation where the OS allows), so nothing is left in
    the temporary directory even when the worker is killed. An OBS path is checked against the
    workspace's allow-list again when read: the list may have changed since the import started.
    """
    max_bytes = settings.PACKAGE_MAX_PACKED_BYTES
    kind = source.get("type")
    tmp = tempfile.TemporaryFile(prefix="factory-import-")  # noqa: SIM115 - closed by the caller
    try:
        if kind == SOURCE_OBS:
            obs_download_to(
                path=workspace_obs_path(workspace=workspace, value=source["obsPath"]),
                fileobj=tmp,
                max_bytes=max_bytes,
            )
        elif kind == SOURCE_UPLOAD:
            try:
                handle = default_storage.open(source["storageName"], "rb")
            except (OSError, ValueError) as exc:
                raise PackageRefused(
                    f"The uploaded package {source.get('fileName')} is no longer in storage; upload it again.",
                    code=ErrorCode.UPLOAD_MISSING,
                ) from exc
            with handle:
                _copy_limited(handle, tmp, max_bytes=max_bytes, label=f"The package {source.get('fileName')}")
        elif kind == SOURCE_FILE:
            try:
                local = open(source["path"], "rb")  # noqa: SIM115 - closed below
            except OSError as exc:
                raise PackageRefused(
                    f"{source['path']} cannot be read ({exc.strerror}).", code=ErrorCode.FILE_UNREADABLE
                ) from exc
            with local:
                _copy_limited(local, tmp, max_bytes=max_bytes, label=source["path"])
        else:
            raise PackageRefused(f"Unknown package source {kind!r}.", code=ErrorCode.SOURCE_INVALID)
        digest, size = _sha256(tmp)
    except BaseException:
        tmp.close()
        raise
    return tmp, digest, size


def package_load(
    *,
    source: dict[str, Any],
    workspace: Workspace,
    expected_sha256: str | None = None,
    visit: Visit | None = None,
    index: dict[str, Any] | None = None,
    lazy: bool = False,
) -> tuple[Package, str, int]:
    """Read and validate the package; PackageError or DomainError when it is refused or unreadable.

    ``expected_sha256`` (the digest recorded by the inspection) refuses a package that changed since;
    one that did not is the very file the inspection validated, so its documents' rules are not run
    again (``package_read(checked=True)``: the zip itself is still opened with every check). ``visit``
    sees each job's and script's document as it is read (``factory.packages.read.Visit``). ``index``:
    the package's index kept by the inspection (``package_index``), to open the file again without
    reading a document (``package_reopen``; only with ``expected_sha256``, and ``visit`` is not called);
    with ``lazy`` the zip itself is opened only when an entry is first read (a step that may read none).
    The package owns its temporary copy, from which it reads each document again when asked: close it
    (``with package:``) when done; the copy is gone then (or when the package is garbage collected).
    """
    tmp, digest, size = source_open(source=source, workspace=workspace)
    try:
        if expected_sha256 and digest != expected_sha256:
            raise PackageRefused(
                f"The package {source_label(source)} changed since it was inspected; start the import again "
                "so that you review what it holds now.",
                code=ErrorCode.PACKAGE_CHANGED,
            )
    except BaseException:
        tmp.close()
        raise
    # A TemporaryFile opened in binary mode: the BinaryIO the reader wants.
    if expected_sha256 and index is not None:
        reopened = package_reopen(
            source=cast(BinaryIO, tmp), index=index, limits=package_limits(), owns_source=True, lazy=lazy
        )
        return reopened, digest, size
    package = package_read(
        source=cast(BinaryIO, tmp),
        limits=package_limits(),
        owns_source=True,
        checked=bool(expected_sha256),
        visit=visit,
    )
    return package, digest, size


def safe_file_name(name: str) -> str:
    """A storage-safe ``<name>.zip`` from a user's file name (no directories, no odd characters)."""
    base = os.path.basename((name or "").replace("\\", "/")) or "package.zip"
    try:
        cleaned = get_valid_filename(base)
    except SuspiciousFileOperation:  # names such as ".."
        cleaned = "package.zip"
    if not cleaned.lower().endswith(".zip"):
        cleaned += ".zip"
    return cleaned[-120:]
