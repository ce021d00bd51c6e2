"""Promotion to another workspace of this console, or to a remote console or DataArts Studio: the
package built from a selection of the source workspace's jobs (with what they depend on), its change-set
against the profile's target shown first, approved by another member when the profile says so, then
applied so that unchanged objects are not written (promoting again without changes writes nothing).
What is applied is what the change-set was made with: a profile edited in the meantime changes the next
promotion, not this one.

**To a workspace of this console** (``factory.promotion.local``) the import is the import service itself,
run by a Celery task (the promotion ``preparing``, then ``applying`` while another applies it): every choice of the profile (``profile_import_choices``: the reference maps, the
parameter and environment-variable overrides, masked parameters written masked, the text rewrite rules,
the duplicate-name, lock and schedule policies, the time zone and the target status) goes into the
import's preview, whose recorded choices the apply uses (asked for in the request, so that a busy target
answers 409 at once). Such a promotion is undone from the target's Import History.

**To a remote target** (``factory.promotion.remote``) the change-set is read from the remote's v1 API and
the package of what changes is staged in OBS by a Celery task (the promotion ``preparing``), and the
apply drives the remote's v1 ``import`` and follows its system task in another (``applying``); the
command line runs the steps of either kind of target in its own process (``enqueue=False``). What DataArts' import has no field for is
said in the promotion's message. A remote promotion is not undone from this console.

"Everything changed since the last promotion" (``since_last``) counts from when the last successful
promotion's package was built. An object that promotion left skipped (locked by another user with the
lock policy ``skip_locked``) and did not change since is not selected again: select it explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from factory.errors import Conflict, ErrorCode, NotFound, PermissionDenied, ValidationError
from factory.transfer.exports import DEVELOP, WITH_DEPENDENCIES, ExportRequest, export_select
from factory.transfer.imports import import_cancel
from factory.transfer.lifecycle import task_enqueue
from factory.transfer.models import TaskStatus
from factory.workspaces.models import Membership, Role, Workspace
from factory.workspaces.selectors import workspace_access_get

from . import tasks
from .local import local_apply_request, local_dry_run, local_stale_fail, local_target, requester_check
from .models import EnvironmentProfile, Promotion, PromotionState, TargetKind
from .remote import remote_discard, remote_dry_run, remote_label, remote_stale_fail


@dataclass(frozen=True)
class PromotionSelection:
    """What to promote: ticked jobs (ids or names), directories (ids or paths), jobs changed since a time,
    or (``since_last``) everything changed since the last successful promotion with the same profile
    (everything when there was none). The jobs' scripts, resources, connections and called jobs come
    with them."""

    job_ids: tuple[int, ...] = ()
    job_names: tuple[str, ...] = ()
    directory_ids: tuple[int, ...] = ()
    directory_paths: tuple[str, ...] = ()
    changed_since: datetime | None = None
    since_last: bool = False
    # Unticked inside the ticked directories (the tree's check boxes).
    exclude_job_ids: tuple[int, ...] = ()
    exclude_directory_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class PromotionDryRun:
    """What promoting would change, nothing written: the change-set's summary and each object's change."""

    target: str
    summary: dict[str, int]
    objects: list[dict[str, Any]]
    # What the target cannot take of the profile (a remote DataArts import has no field for it).
    notes: tuple[str, ...] = ()


# --- the pieces --------------------------------------------------------------------------------------------


def _export_request(*, profile: EnvironmentProfile, selection: PromotionSelection) -> ExportRequest:
    changed_since = selection.changed_since
    everything = False
    if selection.since_last:
        # Since the last successful promotion's package was built (its ``created_at``, taken before the
        # export), so that what changed while it waited for approval is promoted the next time.
        last = (
            Promotion.objects.filter(profile=profile, state=PromotionState.SUCCEEDED)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        changed_since, everything = (last, False) if last else (None, True)
    return ExportRequest(
        job_ids=selection.job_ids,
        job_names=selection.job_names,
        directory_ids=selection.directory_ids,
        directory_paths=selection.directory_paths,
        exclude_job_ids=selection.exclude_job_ids,
        exclude_directory_ids=selection.exclude_directory_ids,
        changed_since=changed_since,
        changed_with_dependencies=True,
        everything=everything,
        scope=WITH_DEPENDENCIES,
        status=DEVELOP,
    )


def _is_admin(*, workspace: Workspace, user: User) -> bool:
    return Membership.objects.filter(workspace=workspace, user_id=user.pk, role=Role.ADMIN).exists()


def _may_approve(*, workspace: Workspace, user: User) -> bool:
    """An admin or a deployer of the workspace approves and rejects (and applies what they approved)."""
    return Membership.objects.filter(
        workspace=workspace, user_id=user.pk, role__in=(Role.ADMIN, Role.DEPLOYER)
    ).exists()


def _locked(promotion: Promotion, *states: str) -> Promotion:
    row = Promotion.objects.select_for_update().get(pk=promotion.pk)
    if row.state not in states:
        raise Conflict(
            f"Promotion {row.pk} is {row.get_state_display().lower()}; this needs it "
            f"{' or '.join(PromotionState(s).label.lower() for s in states)}.",
            code=ErrorCode.PROMOTION_STATE,
        )
    return row


# --- a remote target (a console or DataArts Studio over the v1 API: factory.promotion.remote) ------------


def _is_remote(profile: EnvironmentProfile) -> bool:
    return profile.target_kind == TargetKind.REMOTE


def _remote_check(*, profile: EnvironmentProfile, workspace: Workspace, user: User) -> None:
    """A remote profile is used by developers of the source workspace; its target must be complete."""
    workspace_access_get(user=user, workspace_id=workspace.pk, role=Role.DEVELOPER)
    if not (profile.remote_endpoint and profile.remote_project_id and profile.remote_obs_folder):
        raise ValidationError(
            f"Profile {profile.name} has no complete remote target (endpoint, project id, OBS folder).",
            code=ErrorCode.PROFILE_TARGET_INVALID,
            fields={"profile": ["Complete its remote target first."]},
        )


STEP_TASKS = {
    (TargetKind.WORKSPACE, "preview"): tasks.local_preview,
    (TargetKind.WORKSPACE, "apply"): tasks.local_apply,
    (TargetKind.REMOTE, "preview"): tasks.remote_preview,
    (TargetKind.REMOTE, "apply"): tasks.remote_apply,
}


def _step_run(promotion: Promotion, *, step: str, enqueue: bool) -> Promotion:
    """Run a step (``preview`` or ``apply``) of the promotion's kind of target in a Celery task once the
    row commits, or here."""
    task = STEP_TASKS[(TargetKind(promotion.target_kind), step)]
    if not enqueue:
        task(promotion.pk)
        promotion.refresh_from_db()
        return promotion

    def undo() -> None:
        Promotion.objects.filter(pk=promotion.pk).update(
            state=PromotionState.FAILED, message="The task queue is not reachable; promote again."
        )

    task_enqueue(lambda: task.delay(promotion.pk), on_failure=undo, what=f"promotion {promotion.pk}'s {step}")
    return promotion


def _remote_dry_run(
    *, workspace: Workspace, user: User, profile: EnvironmentProfile, selection: PromotionSelection
) -> PromotionDryRun:
    _remote_check(profile=profile, workspace=workspace, user=user)
    request = _export_request(profile=profile, selection=selection)
    result = remote_dry_run(workspace=workspace, user=user, profile=profile, request=request)
    return PromotionDryRun(
        target=remote_label(profile),
        summary=result["summary"],
        objects=result["objects"],
        notes=tuple(result["notes"]),
    )


# --- the operations ----------------------------------------------------------------------------------------


def promotion_start(
    *,
    workspace: Workspace,
    user: User,
    profile: EnvironmentProfile,
    selection: PromotionSelection,
    note: str = "",
    enqueue: bool = True,
) -> Promotion:
    """Build the package, start the import into the target with the profile's choices and preview it.
    Refused (nothing kept) when the profile, the target or the selection is wrong; a package or change-set
    that cannot be made leaves a failed promotion saying why. The change-set is made in a Celery task
    (``enqueue=False``: here), the promotion ``preparing`` until then."""
    if profile.workspace_id != workspace.pk:
        raise NotFound("Environment profile not found.", code=ErrorCode.PROFILE_NOT_FOUND)
    target_fields: dict[str, Any]
    if _is_remote(profile):
        _remote_check(profile=profile, workspace=workspace, user=user)
        label = remote_label(profile)
        target_fields = {"target_kind": TargetKind.REMOTE, "target_label": label}
        message = f"Reading the change-set on {label}..."
    else:
        target = local_target(profile=profile, user=user)
        target_fields = {"target_kind": TargetKind.WORKSPACE, "target_workspace": target}
        message = f"Building the package and its change-set in workspace {target.name}..."
    request = _export_request(profile=profile, selection=selection)
    export_select(workspace=workspace, request=request)  # a wrong selection is refused now, nothing kept
    promotion = Promotion.objects.create(
        workspace=workspace,
        profile=profile,
        profile_name=profile.name,
        **target_fields,
        requested_by=user,
        note=note[:1024],
        selection=request.to_params(),
        requires_approval=profile.requires_approval,
        state=PromotionState.PREPARING,
        message=message,
    )
    return _step_run(promotion, step="preview", enqueue=enqueue)


def promotion_dry_run(
    *, workspace: Workspace, user: User, profile: EnvironmentProfile, selection: PromotionSelection
) -> PromotionDryRun:
    """What promoting would change, read in this process: no promotion, no import task, nothing written
    (for a remote target: read through its v1 API, nothing staged)."""
    if _is_remote(profile):
        return _remote_dry_run(workspace=workspace, user=user, profile=profile, selection=selection)
    request = _export_request(profile=profile, selection=selection)
    target, summary, objects = local_dry_run(workspace=workspace, user=user, profile=profile, request=request)
    return PromotionDryRun(target=target, summary=summary, objects=objects)


def _decide_check(*, promotion: Promotion, user: User) -> None:
    if promotion.requested_by_id == user.pk:
        raise PermissionDenied(
            "Nobody approves or rejects their own promotion: another admin or deployer of the workspace decides.",
            code=ErrorCode.OWN_PROMOTION,
        )
    if not _may_approve(workspace=promotion.workspace, user=user):
        raise PermissionDenied(
            f"Only an admin or a deployer of workspace {promotion.workspace.name} approves or rejects a "
            "promotion.",
            code=ErrorCode.ROLE_REQUIRED,
        )


@transaction.atomic
def promotion_approve(*, promotion: Promotion, user: User) -> Promotion:
    """Another admin or deployer of the source workspace approves: the promotion may then be applied."""
    _decide_check(promotion=promotion, user=user)
    row = _locked(promotion, PromotionState.WAITING_APPROVAL)
    row.state = PromotionState.APPROVED
    row.approved_by = user
    row.decided_at = timezone.now()
    row.message = f"Approved by {user.username}."
    row.save(update_fields=["state", "approved_by", "decided_at", "message", "updated_at"])
    return row


def promotion_reject(*, promotion: Promotion, user: User) -> Promotion:
    """Another admin or deployer rejects: the import is cancelled and never applied."""
    _decide_check(promotion=promotion, user=user)
    with transaction.atomic():
        row = _locked(promotion, PromotionState.WAITING_APPROVAL, PromotionState.APPROVED)
        row.state = PromotionState.REJECTED
        row.approved_by = user
        row.decided_at = timezone.now()
        row.message = f"Rejected by {user.username}; nothing was written."
        row.save(update_fields=["state", "approved_by", "decided_at", "message", "updated_at"])
    task = row.import_task
    if task is not None and task.status == TaskStatus.WAITING and row.requested_by is not None:
        import_cancel(task=task, user=row.requested_by)
    if row.target_kind == TargetKind.REMOTE:
        remote_discard(row)
    return row


def promotion_apply(*, promotion: Promotion, user: User, enqueue: bool = True) -> Promotion:
    """Apply the previewed import, skipping what is unchanged: by the requester or an admin of the source
    workspace, once approved when the profile asks for approval. To a workspace of this console: refused
    (403, nothing changed) when the requester may no longer write in the target, and (409, the promotion
    left as it was) while another import runs there. The import (to a remote target: the v1 import) runs
    in a Celery task (``enqueue=False``: here), the promotion ``applying`` until it ends."""
    if user.pk not in (promotion.requested_by_id, promotion.approved_by_id) and not _is_admin(
        workspace=promotion.workspace, user=user
    ):
        raise PermissionDenied(
            "Only the requester or an admin of the workspace applies a promotion.",
            code=ErrorCode.ROLE_REQUIRED,
        )
    ready = PromotionState.APPROVED if promotion.requires_approval else PromotionState.PREVIEWING
    with transaction.atomic():
        row = _locked(promotion, ready)
        if row.target_kind == TargetKind.WORKSPACE:
            requester_check(row)
        before = row.message
        row.state = PromotionState.APPLYING
        row.message = "Applying..."
        row.save(update_fields=["state", "message", "updated_at"])
    if row.target_kind == TargetKind.WORKSPACE:
        row = local_apply_request(row, ready=ready, message=before)
        if row.state != PromotionState.APPLYING:
            return row  # failed, saying why
    return _step_run(row, step="apply", enqueue=enqueue)


def promotion_stale_fail(*, workspace_id: int) -> int:
    """The workspace's promotions whose background step lost its worker, failed (``remote_stale_fail``)."""
    return local_stale_fail(workspace_id=workspace_id) + remote_stale_fail(workspace_id=workspace_id)
