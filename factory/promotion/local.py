"""Promotion to a workspace of this console: the import service itself, run through its public surface
(``factory.transfer.imports``) in two background steps on the ``Promotion`` row (``factory.promotion.tasks``;
the command line runs them in its own process), each claiming the row in the state it needs, as a remote
promotion's steps do. ``local_preview_run`` (``preparing``): the package built and saved to the console's
storage as an upload (``import_create``), the inspection, ``import_preview_request`` with the profile's
choices (``profile_import_choices``) and the preview, whose change-set the promotion shows.
``local_apply_request`` (in the request, so that a busy target answers 409 at once):
``import_apply_request`` with the choices that preview recorded (not the profile as it is by then: what
is applied is what was shown, and approved), skipping what is unchanged; then ``local_apply_run``
(``applying``) runs the import's apply and records its outcome. Delivered again after a worker stopped,
a step finds the row in another state and does nothing, or follows the import it made (whose own steps
run once). The import task belongs to the requester (the import's own rule: only its creator continues
it), whoever presses Apply; the requester must still be a developer of the target then. Such a promotion
is undone from the target's Import History.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from factory.errors import DomainError, ErrorCode, PermissionDenied, ValidationError
from factory.transfer.exports import ExportRequest, export_write
from factory.transfer.imports import (
    import_apply,
    import_apply_request,
    import_cancel,
    import_choices_recorded,
    import_create,
    import_dry_run,
    import_inspect,
    import_preview,
    import_preview_request,
    import_report,
)
from factory.transfer.models import SystemTask, TaskStatus, TaskStep
from factory.workspaces.models import Membership, Role, Workspace
from factory.workspaces.selectors import workspace_access_get

from .choices import profile_import_choices
from .models import EnvironmentProfile, Promotion, PromotionState, TargetKind

logger = logging.getLogger(__name__)

# Who may write in a workspace (the import's own rule): its developers, deployers and admins.
WRITING_ROLES = (Role.DEVELOPER, Role.DEPLOYER, Role.ADMIN)


def local_target(*, profile: EnvironmentProfile, user: User) -> Workspace:
    """The profile's target workspace (of this console), where the user may write (developer at least)."""
    if profile.target_workspace_id is None:
        raise ValidationError(
            f"The target workspace of profile {profile.name} was deleted.",
            code=ErrorCode.PROFILE_TARGET_INVALID,
            fields={"profile": ["Its target workspace no longer exists."]},
        )
    return workspace_access_get(
        user=user, workspace_id=profile.target_workspace_id, role=Role.DEVELOPER
    ).workspace


def requester_check(promotion: Promotion) -> None:
    """Before a promotion to a workspace of this console is applied: its requester, in whose name the
    import writes, must still be a developer (or more) of its target."""
    requester = promotion.requested_by
    if requester is None or promotion.target_workspace_id is None:
        return  # the apply fails it, saying what is gone
    if not Membership.objects.filter(
        workspace_id=promotion.target_workspace_id, user_id=requester.pk, role__in=WRITING_ROLES
    ).exists():
        raise PermissionDenied(
            f"{requester.get_username()}, who asked for this promotion, may no longer write in its target "
            "workspace (a developer there at least); nothing was written. Reject it, or give them that "
            "role again.",
            code=ErrorCode.ROLE_REQUIRED,
        )


def promotion_failed(promotion: Promotion, message: str) -> Promotion:
    promotion.state = PromotionState.FAILED
    promotion.message = message[:1024]
    promotion.save(update_fields=["state", "message", "updated_at"])
    return promotion


@contextmanager
def package_built(*, workspace: Workspace, user: User, request: ExportRequest) -> Iterator[Path]:
    """The package exported to a temporary file, deleted afterwards (the import keeps its own copy)."""
    with tempfile.TemporaryDirectory(prefix="promotion-") as folder:
        written = export_write(workspace=workspace, user=user, request=request, out=Path(folder))
        yield Path(written.location)


def claimed(promotion_id: int, state: str) -> Promotion | None:
    """The promotion row when it is in ``state`` (None: gone, or done by a message delivered before),
    its ``updated_at`` renewed (a sign of life for the stale rule)."""
    with transaction.atomic():
        row = Promotion.objects.select_for_update().filter(pk=promotion_id).first()
        if row is None or row.state != state:
            return None
        row.save(update_fields=["updated_at"])
        return row


def local_preview_run(*, promotion_id: int) -> None:
    """The change-set of a promotion to a workspace of this console (``preparing``), in the background:
    build the package of the row's selection, start its import into the target with the profile's
    choices and preview it. Delivered again after a worker stopped, it follows the import it made."""
    row = claimed(promotion_id, PromotionState.PREPARING)
    if row is None:
        return
    profile, user = row.profile, row.requested_by
    task = SystemTask.objects.filter(pk=row.import_task_id).first() if row.import_task_id else None
    if profile is None or user is None or row.target_workspace_id is None:
        if task is not None and task.status == TaskStatus.WAITING and user is not None:
            import_cancel(task=task, user=user)
        promotion_failed(
            row, "The profile, the target workspace or the requester's account is gone; promote again."
        )
        return
    try:
        if task is None:
            task = _package_import(row, profile=profile, user=user)
        _change_set(row, task=task, profile=profile, user=user)
    except Exception:
        logger.exception("The change-set of promotion %s stopped unexpectedly", promotion_id)
        promotion_failed(row, "The change-set could not be made (an unexpected error; see the log).")
        raise


def _package_import(row: Promotion, *, profile: EnvironmentProfile, user: User) -> SystemTask:
    """Build the package of the row's selection and start its import into the target (the task named
    on the row at once); the row dated from before the package was built (what changes after that is
    for the next promotion)."""
    target = row.target_workspace
    assert target is not None
    built = timezone.now()
    request = ExportRequest.from_params(row.selection or {})
    with package_built(workspace=row.workspace, user=user, request=request) as path:
        with path.open("rb") as handle:
            upload = UploadedFile(
                file=handle, name=path.name, content_type="application/zip", size=path.stat().st_size
            )
            task = import_create(
                workspace=target, user=user, policy=profile.duplicate_policy, upload=upload, enqueue=False
            )
    Promotion.objects.filter(pk=row.pk).update(import_task=task, created_at=built, updated_at=timezone.now())
    row.import_task, row.created_at = task, built
    return task


def _change_set(row: Promotion, *, task: SystemTask, profile: EnvironmentProfile, user: User) -> None:
    """Inspect the import, ask for its preview with the profile's choices and preview it (each step
    done once: the import's own steps run only in the state they need); the change-set on the row."""
    if task.step == TaskStep.INSPECT:
        import_inspect(task_id=task.pk)
        task.refresh_from_db()
    inspection = (task.result or {}).get("inspection") or {}
    row.package_sha256 = str((inspection.get("package") or {}).get("sha256") or "")
    row.save(update_fields=["package_sha256", "updated_at"])
    if task.step in (TaskStep.INSPECT, TaskStep.INSPECTED) and task.status != TaskStatus.WAITING:
        promotion_failed(row, f"The package could not be read: {task.message}")
        return
    if task.step == TaskStep.INSPECTED:
        choices = profile_import_choices(profile=profile, inspection=inspection)
        try:
            import_preview_request(task=task, user=user, choices=choices, enqueue=False)
        except DomainError as exc:
            import_cancel(task=task, user=user)
            promotion_failed(row, f"The profile's choices do not fit the package: {exc.message}")
            return
        task.refresh_from_db()
    if task.step == TaskStep.PREVIEW:
        import_preview(task_id=task.pk)
        task.refresh_from_db()
    if task.step != TaskStep.PREVIEWED or task.status != TaskStatus.WAITING:
        if task.status == TaskStatus.WAITING:
            import_cancel(task=task, user=user)
        promotion_failed(row, task.message or "The change-set could not be made.")
        return
    changes = (task.result or {}).get("changes") or {}
    with transaction.atomic():
        locked = Promotion.objects.select_for_update().get(pk=row.pk)
        moved_on = locked.state != PromotionState.PREPARING  # failed as stale meanwhile
        if not moved_on:
            locked.changes = changes.get("summary") or {}
            locked.state = (
                PromotionState.WAITING_APPROVAL if locked.requires_approval else PromotionState.PREVIEWING
            )
            locked.message = task.message[:1024]
            locked.save(update_fields=["changes", "state", "message", "updated_at"])
    if moved_on:
        import_cancel(task=task, user=user)


def local_dry_run(
    *, workspace: Workspace, user: User, profile: EnvironmentProfile, request: ExportRequest
) -> tuple[str, dict[str, int], list[dict[str, Any]]]:
    """What promoting would change in the profile's target, read in this process: its name, the
    change-set's summary and each object's change; nothing written."""
    target = local_target(profile=profile, user=user)
    with package_built(workspace=workspace, user=user, request=request) as path:
        inspection = import_dry_run(workspace=target, user=user, file_path=str(path))
        choices = profile_import_choices(profile=profile, inspection=inspection)
        checked = import_dry_run(workspace=target, user=user, file_path=str(path), choices=choices)
    objects = [
        {
            "type": noun[:-1],
            "name": row["name"],
            "change": row.get("change", ""),
            "message": row.get("changeMessage", ""),
        }
        for noun in ("resources", "scripts", "jobs")
        for row in checked.get(noun, [])
    ] + [
        {
            "type": "environment_variable",
            "name": row["name"],
            "change": row["change"],
            "message": row["changeMessage"],
        }
        for row in checked.get("variableChanges", [])
    ]
    return target.name, (checked.get("changes") or {}).get("summary") or {}, objects


def local_apply_request(row: Promotion, *, ready: str, message: str) -> Promotion:
    """Ask the import of ``row`` (``applying``; ``ready`` and ``message`` were its state and message
    before) to apply the choices its change-set was made with, skipping what is unchanged; the apply
    itself is ``local_apply_run``. While another import runs in the target the promotion goes back to
    ``ready`` (the import left waiting) and the 409 is raised. A promotion that cannot be applied is
    failed, saying why."""
    task = SystemTask.objects.filter(pk=row.import_task_id).first() if row.import_task_id else None
    requester = row.requested_by
    if task is None or requester is None:
        return promotion_failed(row, "The import or the requester's account is gone; promote again.")
    if task.status != TaskStatus.WAITING or task.step != TaskStep.PREVIEWED:
        return promotion_failed(row, f"The change-set is no longer waiting ({task.message}); promote again.")
    if row.profile_id is None:
        import_cancel(task=task, user=requester)
        return promotion_failed(row, "The profile was deleted; nothing was written.")
    try:
        import_apply_request(
            task=task, user=requester, choices=import_choices_recorded(task=task), enqueue=False
        )
    except DomainError as exc:
        if exc.code == ErrorCode.IMPORT_RUNNING:
            row.state, row.message = ready, message
            row.save(update_fields=["state", "message", "updated_at"])
            raise
        import_cancel(task=task, user=requester)
        return promotion_failed(row, f"The import refused the change-set's choices: {exc.message}")
    return row


def local_apply_run(*, promotion_id: int) -> None:
    """The apply of a promotion to a workspace of this console (``applying``), in the background: the
    import asked for by ``local_apply_request``, then its outcome on the row. Delivered again after a
    worker stopped, it follows that import (which itself runs once)."""
    row = claimed(promotion_id, PromotionState.APPLYING)
    if row is None:
        return
    task = SystemTask.objects.filter(pk=row.import_task_id).first() if row.import_task_id else None
    if task is None:
        promotion_failed(row, "The import is gone; see the target's Import History, then promote again.")
        return
    try:
        import_apply(task_id=task.pk)
    except BaseException:
        # The import's own row says what happened; the promotion must not stay "applying" for ever.
        promotion_failed(row, "The import stopped unexpectedly; see its report in the target workspace.")
        raise
    task.refresh_from_db()
    if task.status not in (TaskStatus.SUCCESSFUL, TaskStatus.FAILED):
        # Another delivery of this message runs it: that one records the outcome.
        logger.warning("Promotion %s: its import %s is still %s", promotion_id, task.pk, task.status)
        return
    report = import_report(task) or {}
    row.counts = report.get("summary") or {}
    row.state = PromotionState.SUCCEEDED if task.status == TaskStatus.SUCCESSFUL else PromotionState.FAILED
    row.message = task.message[:1024]
    row.applied_at = timezone.now()
    row.save(update_fields=["counts", "state", "message", "applied_at", "updated_at"])


def local_stale_fail(*, workspace_id: int) -> int:
    """Promotions to a workspace of this console left preparing or applying longer than a task may run
    have no worker any more: failed (the rule of ``remote_stale_fail``, which see)."""
    return Promotion.objects.filter(
        workspace_id=workspace_id,
        target_kind=TargetKind.WORKSPACE,
        state__in=(PromotionState.PREPARING, PromotionState.APPLYING),
        updated_at__lt=timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT),
    ).update(
        state=PromotionState.FAILED,
        message="Its background task stopped (the worker was lost); see the target's Import History, then promote again.",
        updated_at=timezone.now(),
    )
