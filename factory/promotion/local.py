"""Promotion to a workspace of this console: the import service itself, run in this process through its
public surface (``factory.transfer.imports``). ``local_start``: ``import_create`` with the package saved
to the console's storage as an upload, the inspection, ``import_preview_request`` with the profile's
choices (``profile_import_choices``) and the preview, whose change-set the promotion shows.
``local_apply``: ``import_apply_request`` with the choices that preview recorded (not the profile as it
is by then: what is applied is what was shown, and approved), then the apply with ``skipUnchanged``. The
import task belongs to the requester (the import's own rule: only its creator continues it), whoever
presses Apply; the requester must still be a developer of the target then. Such a promotion is undone
from the target's Import History.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
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
from .models import EnvironmentProfile, Promotion, PromotionState

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


def local_start(
    promotion: Promotion, *, profile: EnvironmentProfile, user: User, request: ExportRequest
) -> Promotion:
    """Build the package of ``request``, start its import into the promotion's target with the profile's
    choices and preview it; the (unsaved) ``promotion`` is saved once the package is made, dated from
    before it was built (what changes after that is for the next promotion)."""
    target = promotion.target_workspace
    assert target is not None
    built = timezone.now()
    with package_built(workspace=promotion.workspace, user=user, request=request) as path:
        with path.open("rb") as handle:
            upload = UploadedFile(
                file=handle, name=path.name, content_type="application/zip", size=path.stat().st_size
            )
            task = import_create(
                workspace=target, user=user, policy=profile.duplicate_policy, upload=upload, enqueue=False
            )
    promotion.import_task = task
    promotion.save()
    Promotion.objects.filter(pk=promotion.pk).update(created_at=built)
    promotion.created_at = built
    import_inspect(task_id=task.pk)
    task.refresh_from_db()
    inspection = (task.result or {}).get("inspection") or {}
    promotion.package_sha256 = str((inspection.get("package") or {}).get("sha256") or "")
    if task.status != TaskStatus.WAITING:
        promotion.save(update_fields=["package_sha256", "updated_at"])
        return promotion_failed(promotion, f"The package could not be read: {task.message}")
    choices = profile_import_choices(profile=profile, inspection=inspection)
    try:
        import_preview_request(task=task, user=user, choices=choices, enqueue=False)
    except DomainError as exc:
        import_cancel(task=task, user=user)
        promotion.save(update_fields=["package_sha256", "updated_at"])
        return promotion_failed(promotion, f"The profile's choices do not fit the package: {exc.message}")
    import_preview(task_id=task.pk)
    task.refresh_from_db()
    changes = (task.result or {}).get("changes") or {}
    if task.step != TaskStep.PREVIEWED:
        import_cancel(task=task, user=user)
        promotion.save(update_fields=["package_sha256", "updated_at"])
        return promotion_failed(promotion, task.message or "The change-set could not be made.")
    promotion.changes = changes.get("summary") or {}
    promotion.state = (
        PromotionState.WAITING_APPROVAL if profile.requires_approval else PromotionState.PREVIEWING
    )
    promotion.message = task.message
    promotion.save()
    return promotion


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


def local_apply(row: Promotion, *, ready: str, message: str) -> Promotion:
    """Apply ``row`` (``applying``; ``ready`` and ``message`` were its state and message before): the
    choices its change-set was made with, skipping what is unchanged. While another import runs in the
    target the promotion goes back to ``ready`` (the import left waiting) and the 409 is raised."""
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
    try:
        import_apply(task_id=task.pk)
    except BaseException:
        # The import's own row says what happened; the promotion must not stay "applying" for ever.
        promotion_failed(row, "The import stopped unexpectedly; see its report in the target workspace.")
        raise
    task.refresh_from_db()
    report = import_report(task) or {}
    row.counts = report.get("summary") or {}
    row.state = PromotionState.SUCCEEDED if task.status == TaskStatus.SUCCESSFUL else PromotionState.FAILED
    row.message = task.message[:1024]
    row.applied_at = timezone.now()
    row.save(update_fields=["counts", "state", "message", "applied_at", "updated_at"])
    return row
