"""Import, step 1 on the request side: the task row and its queued inspection (``import_create``), the v1
API's one-call import as a chain (``import_create_chained``), reading an import's task.

Data flow (see DESIGN.md, "Export and import, as data flows"):

1. ``import_create`` (wizard step 1 -> Next): a ``SystemTask`` row for the package in OBS or the upload
   saved to default storage, and the ``import_inspect`` Celery task, which records what the package holds,
   what already exists and what is missing (``inspect``); the task then WAITS for the user.
2. ``import_apply_request`` (step 2 -> Next): the user's choices checked against that inspection, the
   ``import_apply`` Celery task queued (``request``); it writes everything in one transaction (``apply``).
3. The task's ``result["report"]``: created, overwritten, skipped, renamed and failed objects.

One import at a time per workspace (DataArts' rule): a task PENDING or RUNNING blocks a second one, which
is refused with 409 ``import_running`` naming it. The check runs under a lock of the workspace row and a
partial unique index backs it. An inspected import WAITING for the user's choices blocks nobody: its apply
re-checks every conflict on the live workspace, so a stale inspection is never trusted.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import Any

from celery import chain
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from factory.errors import Conflict, ErrorCode, NotFound, ValidationError
from factory.obs import ObsError, obs_configured
from factory.transfer import tasks
from factory.transfer.imports.choices import ImportChoices
from factory.transfer.imports.choose import running_conflict, running_import_refuse
from factory.transfer.imports.common import (
    ACTIVE_STATUSES,
    CATEGORIES,
    CATEGORY_JOB,
    OVERWRITE,
    POLICIES,
    SOURCE_FILE,
    SOURCE_OBS,
    SOURCE_UPLOAD,
    STEP_APPLY,
    STEP_INSPECT,
    STEP_INSPECTED,
    STEP_PREVIEW,
    PackageRefused,
    safe_file_name,
    source_label,
    stale_imports_fail,
    task_fail,
    upload_delete,
)
from factory.transfer.imports.stored import import_choices_store
from factory.transfer.lifecycle import QUEUE_UNAVAILABLE_MESSAGE, queue_send
from factory.transfer.models import SystemTask, TaskKind, TaskStatus
from factory.transfer.progress import task_live_merge
from factory.workspaces.models import Membership, Role, Workspace
from factory.workspaces.obs import workspace_obs_path


def _enqueue(name: str, task_id: int) -> None:
    getattr(tasks, name).delay(task_id)


def _enqueue_chain(names: tuple[str, ...], task_id: int) -> None:
    """One Celery chain of the import's tasks: each is sent once the one before it has returned."""
    chain(*(getattr(tasks, name).si(task_id) for name in names)).apply_async()


def _inspect_enqueue(task_id: int) -> None:
    """Queue step 1's inspection; with the broker down the import fails (its upload deleted), so that it
    blocks nobody, and the request answers 503."""
    queue_send(
        partial(_enqueue, "import_inspect", task_id),
        on_failure=partial(
            task_fail, task_id=task_id, message=QUEUE_UNAVAILABLE_MESSAGE, code=ErrorCode.QUEUE_UNAVAILABLE
        ),
        what=f"the inspection of import {task_id}",
    )


def _apply_back_to_waiting(task_id: int, message: str) -> None:
    """The apply could not be queued: the import waits for its choices again (the user presses Next)."""
    SystemTask.objects.filter(pk=task_id, status=TaskStatus.PENDING, step=STEP_APPLY).update(
        status=TaskStatus.WAITING,
        step=STEP_INSPECTED,
        message=message,
        secrets_encrypted="",
        updated_at=timezone.now(),
    )


def _apply_enqueue(task_id: int, message: str) -> None:
    queue_send(
        partial(_enqueue, "import_apply", task_id),
        on_failure=partial(_apply_back_to_waiting, task_id, message),
        what=f"the apply of import {task_id}",
    )


def _preview_enqueue(task_id: int, message: str) -> None:
    queue_send(
        partial(_enqueue, "import_preview", task_id),
        on_failure=partial(_preview_back_to_waiting, task_id, message),
        what=f"the preview of import {task_id}",
    )


def _preview_back_to_waiting(task_id: int, message: str) -> None:
    """The preview could not be queued: the import waits for its choices again."""
    SystemTask.objects.filter(pk=task_id, status=TaskStatus.PENDING, step=STEP_PREVIEW).update(
        status=TaskStatus.WAITING, step=STEP_INSPECTED, message=message, updated_at=timezone.now()
    )


def _check_choice(value: str, allowed: tuple[str, ...], field: str) -> str:
    if value not in allowed:
        raise ValidationError(
            f"{field} must be one of {', '.join(allowed)}.", fields={field: [f"One of {', '.join(allowed)}."]}
        )
    return value


def _waiting_imports_refuse(*, workspace: Workspace, user: User | None) -> None:
    """Refuse a new import while the user, or the workspace, already has as many imports waiting for
    choices as allowed: each holds its package (up to ``PACKAGE_MAX_PACKED_BYTES``) in storage until it
    is applied, cancelled or expires. The message names the waiting imports, so that they can be finished
    or cancelled."""
    waiting = SystemTask.objects.filter(kind=TaskKind.IMPORT, status=TaskStatus.WAITING)
    limits = (
        (
            waiting.filter(created_by=user) if user is not None else waiting.none(),
            settings.IMPORT_MAX_WAITING_PER_USER,
            "You have",
            "waitingForYou",
        ),
        (
            waiting.filter(workspace=workspace),
            settings.IMPORT_MAX_WAITING_PER_WORKSPACE,
            f"Workspace {workspace.name} has",
            "waitingInWorkspace",
        ),
    )
    for rows, limit, who, field in limits:
        ids = list(rows.order_by("created_at").values_list("public_id", flat=True)[: limit + 1])
        if len(ids) >= limit:
            raise Conflict(
                f"{who} {len(ids)} import(s) waiting for choices (at most {limit}): finish or cancel one of "
                f"them ({', '.join(ids[:limit])}) before starting another.",
                code=ErrorCode.TOO_MANY_WAITING_IMPORTS,
                fields={field: ids[:limit]},
            )


def _insert_guarded(*, task: SystemTask, workspace: Workspace, enqueue: bool) -> None:
    try:
        with transaction.atomic():
            running_import_refuse(workspace=workspace)
            _waiting_imports_refuse(workspace=workspace, user=task.created_by)
            task.save()
            if enqueue:
                transaction.on_commit(partial(_inspect_enqueue, task.pk))
    except IntegrityError as exc:  # the partial unique index: a concurrent import won the race
        running = SystemTask.objects.filter(
            workspace=workspace, kind=TaskKind.IMPORT, status__in=ACTIVE_STATUSES
        ).first()
        raise running_conflict(workspace=workspace, running=running) from exc


def import_create(
    *,
    workspace: Workspace,
    user: User,
    category: str = CATEGORY_JOB,
    policy: str = OVERWRITE,
    obs_path: str | None = None,
    upload: UploadedFile[Any] | None = None,
    file_path: str | os.PathLike[str] | None = None,
    enqueue: bool = True,
) -> SystemTask:
    """Step 1: start importing a package from OBS, an upload or (the command line) a local file.

    The upload is saved to default storage under ``imports/<task id>/`` so that any worker can read it.
    ``enqueue=False`` leaves running ``import_inspect`` to the caller (the command line runs it inline).
    """
    _check_choice(category, CATEGORIES, "category")
    _check_choice(policy, POLICIES, "policy")
    if sum(x is not None for x in (obs_path, upload, file_path)) != 1:
        raise ValidationError(
            "Give the package either as an OBS path or as a file.",
            code=ErrorCode.SOURCE_REQUIRED,
            fields={"obsPath": ["Give obsPath or file."], "file": ["Give obsPath or file."]},
        )
    max_bytes = settings.PACKAGE_MAX_PACKED_BYTES
    # Before the upload is copied to storage; checked again under the workspace's lock when the row is made.
    stale_imports_fail()  # expired imports (of any workspace the user has) do not count
    _waiting_imports_refuse(workspace=workspace, user=user)
    task = SystemTask(
        workspace=workspace,
        kind=TaskKind.IMPORT,
        status=TaskStatus.PENDING,
        step=STEP_INSPECT,
        created_by=user,
    )
    noun = "jobs" if category == CATEGORY_JOB else "scripts"
    if obs_path is not None:
        path = workspace_obs_path(workspace=workspace, value=obs_path)
        if path.is_prefix:
            raise ObsError(
                f"{path} is a folder; choose the package's .zip file.",
                code=ErrorCode.OBS_PATH_INVALID,
                fields={"obsPath": ["Choose a .zip file, not a folder."]},
            )
        if not obs_configured():
            raise ObsError(
                "OBS is not configured on this server; import from the local PC instead.",
                code=ErrorCode.OBS_UNAVAILABLE,
            )
        source = {"type": SOURCE_OBS, "obsPath": str(path), "fileName": path.key.rsplit("/", 1)[-1]}
    elif upload is not None:
        if upload.size is not None and upload.size > max_bytes:
            raise PackageRefused(
                f"{upload.name} is {upload.size} bytes; packages may be at most {max_bytes} bytes.",
                code=ErrorCode.PACKAGE_TOO_LARGE,
                fields={"file": [f"At most {max_bytes} bytes."]},
            )
        source = {"type": SOURCE_UPLOAD, "fileName": safe_file_name(upload.name or "")}
    else:
        resolved = Path(file_path).resolve()  # type: ignore[arg-type]
        if not resolved.is_file():
            raise PackageRefused(f"{file_path} is not a file.", code=ErrorCode.FILE_UNREADABLE)
        source = {"type": SOURCE_FILE, "path": str(resolved), "fileName": resolved.name}
    task.name = f"Import the {noun} from {source_label(source)}."[:512]
    task.params = {"category": category, "policy": policy, "source": source}
    if upload is not None:
        # Saved before the row exists (an upload may be slow); deleted again if the import is refused.
        source["storageName"] = default_storage.save(f"imports/{task.public_id}/{source['fileName']}", upload)
    try:
        _insert_guarded(task=task, workspace=workspace, enqueue=enqueue)
    except BaseException:
        upload_delete(source=source)
        raise
    return task


def import_task_get(
    *,
    workspace: Workspace,
    user: User,
    public_id: str,
    is_admin: bool | None = None,
    live: bool = False,
) -> SystemTask:
    """An import task of the workspace, for its creator or a workspace admin; imports whose worker is
    gone are failed first (the safety net needs no periodic task). ``live``: a RUNNING task comes with
    the progress its worker published (``task_live_merge``), for reading only."""
    stale_imports_fail(workspace_id=workspace.pk)
    task = (
        SystemTask.objects.filter(workspace=workspace, kind=TaskKind.IMPORT, public_id=public_id)
        .select_related("created_by", "workspace")
        .prefetch_related("subtasks")
        .first()
    )
    if is_admin is None:
        is_admin = _is_admin(workspace=workspace, user=user)
    if task is None or not (task.created_by_id == user.pk or is_admin):
        raise NotFound(f"Import {public_id} not found.", code=ErrorCode.TASK_NOT_FOUND)
    return task_live_merge(task) if live else task


def _is_admin(*, workspace: Workspace, user: User) -> bool:
    return Membership.objects.filter(workspace=workspace, user_id=user.pk, role=Role.ADMIN).exists()


CHAIN = ("import_inspect", "import_apply_stored")


def import_create_chained(
    *, workspace: Workspace, user: User, obs_path: str, choices: ImportChoices
) -> SystemTask:
    """An import in one call (the v1 API's ``jobs/import``): the task row as ``import_create`` makes it,
    ``choices`` kept in it, and one Celery chain, inspect then apply with those
    choices (``stored``). One task id for the whole import; with the broker down it fails at once (503)."""
    with transaction.atomic():
        task = import_create(
            workspace=workspace,
            user=user,
            category=CATEGORY_JOB,
            policy=choices.policy or OVERWRITE,
            obs_path=obs_path,
            enqueue=False,
        )
        import_choices_store(task=task, choices=choices)
        transaction.on_commit(
            partial(
                queue_send,
                partial(_enqueue_chain, CHAIN, task.pk),
                on_failure=partial(
                    task_fail,
                    task_id=task.pk,
                    message=QUEUE_UNAVAILABLE_MESSAGE,
                    code=ErrorCode.QUEUE_UNAVAILABLE,
                ),
                what=f"the import chain {task.pk}",
            )
        )
    return task
