"""Promotion to another workspace of this console, or to a remote console or DataArts Studio: the
package built from a selection of the source workspace's jobs (with what they depend on), its change-set
against the profile's target shown first, approved by another member when the profile says so, then
applied so that unchanged objects are not written (promoting again without changes writes nothing).

**To a workspace of this console** the import is the import service itself, run in this process through
its public surface (``factory.transfer.imports``): ``import_create`` with the package saved to the
console's storage as an upload, the inspection, ``import_preview_request`` and the preview, then
``import_apply_request`` and the apply with ``skipUnchanged``. The import task belongs to the requester
(the import's own rule: only its creator continues it), whoever presses Apply. Every choice of the
profile is applied (``_choices``): the reference maps, the parameter and environment-variable overrides,
the text rewrite rules, the duplicate-name, lock and schedule policies, the time zone and the target
status. Such a promotion is undone from the target's Import History.

**To a remote target** (``factory.promotion.remote``) the change-set is read from the remote's v1 API and
the package of what changes is staged in OBS by a Celery task (the promotion ``preparing``), and the
apply drives the remote's v1 ``import`` and follows its system task in another (``applying``); the
command line runs both in its own process (``enqueue=False``). What DataArts' import has no field for is
said in the promotion's message. A remote promotion is not undone from this console.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from factory.errors import Conflict, DomainError, ErrorCode, NotFound, PermissionDenied, ValidationError
from factory.transfer.exports import DEVELOP, WITH_DEPENDENCIES, ExportRequest, export_select, export_write
from factory.transfer.imports import (
    ImportChoices,
    VariableOverride,
    import_apply,
    import_apply_request,
    import_cancel,
    import_create,
    import_dry_run,
    import_inspect,
    import_preview,
    import_preview_request,
    import_report,
)
from factory.transfer.lifecycle import task_enqueue
from factory.transfer.models import SystemTask, TaskStatus, TaskStep
from factory.workspaces.models import Membership, Role, Workspace
from factory.workspaces.selectors import workspace_access_get

from . import tasks
from .models import EnvironmentProfile, Promotion, PromotionState, SchedulePolicy, TargetKind
from .remote import remote_discard, remote_dry_run, remote_label
from .selectors import profile_mapping, profile_rules, profile_values


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


def _target(*, profile: EnvironmentProfile, user: User) -> Workspace:
    """The profile's target workspace, where the user may write (developer at least)."""
    if profile.target_kind != TargetKind.WORKSPACE:
        raise ValidationError(
            f"Profile {profile.name} promotes to a remote console; only promotion to another workspace of "
            "this console is available yet.",
            code=ErrorCode.PROFILE_TARGET_INVALID,
            fields={"profile": ["Choose a profile whose target is a workspace of this console."]},
        )
    if profile.target_workspace_id is None:
        raise ValidationError(
            f"The target workspace of profile {profile.name} was deleted.",
            code=ErrorCode.PROFILE_TARGET_INVALID,
            fields={"profile": ["Its target workspace no longer exists."]},
        )
    return workspace_access_get(
        user=user, workspace_id=profile.target_workspace_id, role=Role.DEVELOPER
    ).workspace


def _export_request(*, profile: EnvironmentProfile, selection: PromotionSelection) -> ExportRequest:
    changed_since = selection.changed_since
    everything = False
    if selection.since_last:
        last = (
            Promotion.objects.filter(profile=profile, state=PromotionState.SUCCEEDED)
            .order_by("-applied_at")
            .values_list("applied_at", flat=True)
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
        everything=everything,
        scope=WITH_DEPENDENCIES,
        status=DEVELOP,
    )


@contextmanager
def _package(*, workspace: Workspace, user: User, request: ExportRequest) -> Iterator[Path]:
    """The package exported to a temporary file, deleted afterwards (the import keeps its own copy)."""
    with tempfile.TemporaryDirectory(prefix="promotion-") as folder:
        written = export_write(workspace=workspace, user=user, request=request, out=Path(folder))
        yield Path(written.location)


def _choices(*, profile: EnvironmentProfile, inspection: dict[str, Any]) -> ImportChoices:
    """The profile's choices for this package: its maps for the references the package has, its per-job
    parameters for the jobs (and parameters) it holds, its environment variables (masked values
    decrypted: they travel only encrypted, in the import's task row), lock policy, schedule policy and
    time zone; unchanged objects are skipped."""
    referenced = {kind: set(names) for kind, names in (inspection.get("references") or {}).items()}
    mapping = {
        (kind, name): new
        for (kind, name), new in profile_mapping(profile=profile).items()
        if name in referenced.get(kind, set()) and new != name
    }
    values = profile_values(profile=profile)
    job_params_of = {j["name"]: {p["name"] for p in j.get("params", [])} for j in inspection.get("jobs", [])}
    job_params = {
        job: {name: value for name, value in params.items() if name in job_params_of[job]}
        for job, params in values.job_params.items()
        if job in job_params_of
    }
    masked = {v["name"] for v in profile.environment_variables or [] if v.get("masked")}
    variables = tuple(
        VariableOverride(name=name, value=value, masked=name in masked)
        for name, value in sorted(values.environment_variables.items())
    )
    return ImportChoices(
        policy=profile.duplicate_policy,
        mapping=mapping,
        public_params=dict(values.public_params),
        job_params={job: params for job, params in job_params.items() if params},
        target_status=profile.target_status,
        skip_unchanged=True,
        rewrite_rules=tuple(profile_rules(profile=profile)),
        keep_schedules=profile.schedule_policy == SchedulePolicy.KEEP_TARGET_SCHEDULES,
        variables=variables,
        lock_policy=profile.lock_policy,
        release_locks=profile.release_locks,
        expression_time_zone=profile.expression_time_zone,
    )


def _failed(promotion: Promotion, message: str) -> Promotion:
    promotion.state = PromotionState.FAILED
    promotion.message = message[:1024]
    promotion.save(update_fields=["state", "message", "updated_at"])
    return promotion


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


def _remote_run(promotion: Promotion, *, step: str, enqueue: bool) -> Promotion:
    """Run a remote step (``preview`` or ``apply``) in a Celery task once the row commits, or here."""
    task = tasks.remote_preview if step == "preview" else tasks.remote_apply
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


def _remote_start(
    *,
    workspace: Workspace,
    user: User,
    profile: EnvironmentProfile,
    selection: PromotionSelection,
    note: str,
    enqueue: bool,
) -> Promotion:
    """The promotion row, its change-set read from the remote in the background (state ``preparing``)."""
    _remote_check(profile=profile, workspace=workspace, user=user)
    request = _export_request(profile=profile, selection=selection)
    export_select(workspace=workspace, request=request)  # a wrong selection is refused now, nothing kept
    label = remote_label(profile)
    promotion = Promotion.objects.create(
        workspace=workspace,
        profile=profile,
        profile_name=profile.name,
        target_kind=TargetKind.REMOTE,
        target_label=label,
        requested_by=user,
        note=note[:1024],
        selection=request.to_params(),
        requires_approval=profile.requires_approval,
        state=PromotionState.PREPARING,
        message=f"Reading the change-set on {label}...",
    )
    return _remote_run(promotion, step="preview", enqueue=enqueue)


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
    that cannot be made leaves a failed promotion saying why. A remote target's change-set is read in a
    Celery task (``enqueue=False``: here), the promotion ``preparing`` until then."""
    if profile.workspace_id != workspace.pk:
        raise NotFound("Environment profile not found.", code=ErrorCode.PROFILE_NOT_FOUND)
    if _is_remote(profile):
        return _remote_start(
            workspace=workspace, user=user, profile=profile, selection=selection, note=note, enqueue=enqueue
        )
    target = _target(profile=profile, user=user)
    request = _export_request(profile=profile, selection=selection)
    promotion = Promotion(
        workspace=workspace,
        profile=profile,
        profile_name=profile.name,
        target_workspace=target,
        requested_by=user,
        note=note[:1024],
        selection=request.to_params(),
        requires_approval=profile.requires_approval,
        message="Building the package...",
    )
    with _package(workspace=workspace, user=user, request=request) as path:
        with path.open("rb") as handle:
            upload = UploadedFile(
                file=handle, name=path.name, content_type="application/zip", size=path.stat().st_size
            )
            task = import_create(
                workspace=target, user=user, policy=profile.duplicate_policy, upload=upload, enqueue=False
            )
    promotion.import_task = task
    promotion.save()
    import_inspect(task_id=task.pk)
    task.refresh_from_db()
    inspection = (task.result or {}).get("inspection") or {}
    promotion.package_sha256 = str((inspection.get("package") or {}).get("sha256") or "")
    if task.status != TaskStatus.WAITING:
        promotion.save(update_fields=["package_sha256", "updated_at"])
        return _failed(promotion, f"The package could not be read: {task.message}")
    try:
        import_preview_request(
            task=task, user=user, choices=_choices(profile=profile, inspection=inspection), enqueue=False
        )
    except DomainError as exc:
        import_cancel(task=task, user=user)
        promotion.save(update_fields=["package_sha256", "updated_at"])
        return _failed(promotion, f"The profile's choices do not fit the package: {exc.message}")
    import_preview(task_id=task.pk)
    task.refresh_from_db()
    changes = (task.result or {}).get("changes") or {}
    if task.step != TaskStep.PREVIEWED:
        import_cancel(task=task, user=user)
        promotion.save(update_fields=["package_sha256", "updated_at"])
        return _failed(promotion, task.message or "The change-set could not be made.")
    promotion.changes = changes.get("summary") or {}
    promotion.state = (
        PromotionState.WAITING_APPROVAL if profile.requires_approval else PromotionState.PREVIEWING
    )
    promotion.message = task.message
    promotion.save()
    return promotion


def promotion_dry_run(
    *, workspace: Workspace, user: User, profile: EnvironmentProfile, selection: PromotionSelection
) -> PromotionDryRun:
    """What promoting would change, read in this process: no promotion, no import task, nothing written
    (for a remote target: read through its v1 API, nothing staged)."""
    if _is_remote(profile):
        return _remote_dry_run(workspace=workspace, user=user, profile=profile, selection=selection)
    target = _target(profile=profile, user=user)
    request = _export_request(profile=profile, selection=selection)
    with _package(workspace=workspace, user=user, request=request) as path:
        inspection = import_dry_run(workspace=target, user=user, file_path=str(path))
        choices = _choices(profile=profile, inspection=inspection)
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
    return PromotionDryRun(
        target=target.name, summary=(checked.get("changes") or {}).get("summary") or {}, objects=objects
    )


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
    workspace, once approved when the profile asks for approval. To a remote target the v1 import runs in
    a Celery task (``enqueue=False``: here), the promotion ``applying`` until it ends."""
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
        row.state = PromotionState.APPLYING
        row.message = "Applying..."
        row.save(update_fields=["state", "message", "updated_at"])
    if row.target_kind == TargetKind.REMOTE:
        return _remote_run(row, step="apply", enqueue=enqueue)
    task = SystemTask.objects.filter(pk=row.import_task_id).first() if row.import_task_id else None
    requester = row.requested_by
    if task is None or requester is None:
        return _failed(row, "The import or the requester's account is gone; promote again.")
    if task.status != TaskStatus.WAITING or task.step != TaskStep.PREVIEWED:
        return _failed(row, f"The change-set is no longer waiting ({task.message}); promote again.")
    profile = row.profile
    if profile is None:
        import_cancel(task=task, user=requester)
        return _failed(row, "The profile was deleted; nothing was written.")
    inspection = (task.result or {}).get("inspection") or {}
    try:
        import_apply_request(
            task=task, user=requester, choices=_choices(profile=profile, inspection=inspection), enqueue=False
        )
    except DomainError as exc:
        import_cancel(task=task, user=requester)
        return _failed(row, f"The import refused the profile's choices: {exc.message}")
    try:
        import_apply(task_id=task.pk)
    except BaseException:
        # The import's own row says what happened; the promotion must not stay "applying" for ever.
        _failed(row, "The import stopped unexpectedly; see its report in the target workspace.")
        raise
    task.refresh_from_db()
    report = import_report(task) or {}
    row.counts = report.get("summary") or {}
    row.state = PromotionState.SUCCEEDED if task.status == TaskStatus.SUCCESSFUL else PromotionState.FAILED
    row.message = task.message[:1024]
    row.applied_at = timezone.now()
    row.save(update_fields=["counts", "state", "message", "applied_at", "updated_at"])
    return row
