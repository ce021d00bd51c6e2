"""The two background steps of a remote promotion (``factory.promotion.tasks``), each on the
``Promotion`` row, and the dry run. Each may run twice (a message delivered again after a worker
stopped) and then does its work once:

- the change-set (``remote_preview_run``) names its staged object on the row before writing it; run
  again, it deletes that object first; an object whose promotion failed or moved on meanwhile is deleted;
- the apply (``remote_apply_run``) marks the row (``remote_task_id = "asking"``, committed on its own)
  before it asks for the import: run again with the mark and no task id, it does not ask a second time
  but fails, saying the import may have been asked for; with a task id it follows that task.

What the apply sends is what was previewed: the staged object is refused unless it has the sha256 the
change-set recorded, and the promotion is refused when its profile was saved after it was asked for
(its endpoint, keys, maps, parameters or policies may be others)."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from huaweicloudsdkdgc.v1.model import (
    ImportFileReq,
    ImportJobRequest,
    JobResourceInfo,
    ListSystemTasksRequest,
)

from factory.errors import DomainError, ErrorCode, ServiceUnavailable
from factory.obs import ObsError
from factory.transfer.exports import ExportRequest
from factory.workspaces.models import Workspace

from ..local import promotion_failed
from ..models import DuplicatePolicy, EnvironmentProfile, Promotion, PromotionState, TargetKind
from .client import Remote, RemoteFailure, call, raw, remote_connect, remote_label
from .plan import CHANGED, NEW, UNCHANGED, remote_plan
from .staging import StagedChanged, package_of, stage, staged_delete, staged_name, staged_read

logger = logging.getLogger(__name__)

# DataArts' ``sameNamePolicy`` and ``targetStatus`` for the profile's policies.
SAME_NAME_POLICY = {DuplicatePolicy.OVERWRITE: "OVERWRITE", DuplicatePolicy.SKIP: "SKIP"}
TARGET_STATUS = {"submitted": "SUBMITTED", "saved": "SAVED"}
TASK_RUNNING = frozenset({"RUNNING", "WAITING", "PENDING", "INIT"})
# ``remote_task_id`` while the import is being asked for (before the remote answers with its task id).
ASKING = "asking"


def _claimed(promotion_id: int, state: str) -> Promotion | None:
    with transaction.atomic():
        row = Promotion.objects.select_for_update().filter(pk=promotion_id).first()
        if row is None or row.state != state:
            return None  # gone, or done by a message delivered before
        return row


def _failed(row: Promotion, message: str, *, staged: str = "") -> None:
    """The promotion failed; ``staged``, an object it staged that nothing will read, is deleted."""
    if staged:
        staged_delete(staged, promotion_id=row.pk, why="its promotion failed")
        Promotion.objects.filter(pk=row.pk, staged_path=staged).update(staged_path="")
    promotion_failed(row, message)


def remote_dry_run(
    *, workspace: Workspace, user: User, profile: EnvironmentProfile, request: ExportRequest
) -> dict[str, Any]:
    """What promoting to the remote would change, read now; nothing staged, nothing written:
    ``{"summary": {...}, "objects": [...], "notes": [...]}``."""
    with package_of(workspace=workspace, user=user, request=request) as package:
        try:
            plan = remote_plan(profile=profile, package=package, remote=remote_connect(profile=profile))
        except RemoteFailure as exc:
            raise ServiceUnavailable(exc.message, code=ErrorCode.REMOTE_FAILED) from exc
    return {"summary": plan.summary, "objects": [o.row() for o in plan.objects], "notes": plan.notes}


def remote_preview_run(*, promotion_id: int) -> None:
    """The change-set against the remote, and the package of what changes staged in OBS (see the module)."""
    row = _claimed(promotion_id, PromotionState.PREPARING)
    if row is None:
        return
    if row.staged_path:  # delivered again after a worker stopped: what the first run staged goes
        staged_delete(row.staged_path, promotion_id=promotion_id, why="staged by a run that stopped")
        Promotion.objects.filter(pk=promotion_id).update(staged_path="")
        row.staged_path = ""
    profile, user = row.profile, row.requested_by
    if profile is None or user is None:
        promotion_failed(row, "The profile or the requester's account was deleted; promote again.")
        return
    label = remote_label(profile)
    staged, sha256 = "", ""
    try:
        remote = remote_connect(profile=profile)
        request = ExportRequest.from_params(row.selection)
        with package_of(workspace=row.workspace, user=user, request=request) as package:
            plan = remote_plan(profile=profile, package=package, remote=remote)
            if plan.to_send:
                target = staged_name(promotion=row, profile=profile)
                staged = str(target)
                # On the row before it is written: a run delivered again finds it and deletes it.
                Promotion.objects.filter(pk=promotion_id).update(
                    staged_path=staged, updated_at=timezone.now()
                )
                sha256 = stage(plan=plan, promotion=row, user=user, target=target)
    except RemoteFailure as exc:
        _failed(row, exc.message, staged=staged)
        return
    except ObsError as exc:
        _failed(row, f"The package could not be staged in OBS for {label}: {exc.message}", staged=staged)
        return
    except DomainError as exc:
        _failed(row, f"The package could not be built: {exc.message}", staged=staged)
        return
    except Exception:
        logger.exception("The change-set of promotion %s against %s failed", promotion_id, label)
        _failed(
            row,
            f"The change-set against {label} could not be made (an unexpected error; see the log).",
            staged=staged,
        )
        raise
    summary = plan.summary
    sent = len(plan.to_send)
    head = f"{summary[NEW]} new, {summary[CHANGED]} changed, {summary[UNCHANGED]} unchanged on {label}" + (
        f"; {sent} staged at {staged}." if sent else "; nothing to send."
    )
    with transaction.atomic():
        locked = Promotion.objects.select_for_update().get(pk=promotion_id)
        moved_on = locked.state != PromotionState.PREPARING  # failed as stale meanwhile
        if not moved_on:
            locked.changes = summary
            locked.object_rows = [o.row() for o in plan.objects]
            locked.staged_path = staged
            locked.package_sha256 = sha256
            locked.state = (
                PromotionState.WAITING_APPROVAL if locked.requires_approval else PromotionState.PREVIEWING
            )
            locked.message = " ".join([head, *plan.notes])[:1024]
            locked.save()
    if moved_on and staged:
        staged_delete(staged, promotion_id=promotion_id, why="its promotion moved on while it was staged")


def _import_request(*, promotion: Promotion, profile: EnvironmentProfile) -> ImportJobRequest:
    """``ImportJob`` of the staged package, its fields made for what is staged (``StagedChanged`` when the
    object is not the one previewed)."""
    with staged_read(promotion=promotion) as package:
        plan = remote_plan(profile=profile, package=package, remote=None)
    job_params = [{"name": job, "params": params} for job, params in plan.job_params.items() if params]
    return ImportJobRequest(
        workspace=profile.remote_workspace_id or None,
        body=ImportFileReq(
            path=promotion.staged_path,
            same_name_policy=SAME_NAME_POLICY.get(DuplicatePolicy(profile.duplicate_policy), "OVERWRITE"),
            target_status=TARGET_STATUS.get(profile.target_status, "SUBMITTED"),
            params=plan.public_params or None,
            jobs_param=job_params or None,
            resources=[
                JobResourceInfo(name=name, type=v1_type, replace=new)
                for (_, name), (v1_type, new) in sorted(plan.sent_mapping.items())
            ]
            or None,
        ),
    )


def _asking_mark(promotion_id: int) -> bool:
    """Mark the row before the import is asked for, committed on its own (False: another run did)."""
    with transaction.atomic():
        return (
            Promotion.objects.filter(
                pk=promotion_id, state=PromotionState.APPLYING, remote_task_id=""
            ).update(remote_task_id=ASKING, updated_at=timezone.now())
            == 1
        )


def _import_ask(remote: Remote, promotion: Promotion, request: ImportJobRequest) -> str:
    """``ImportJob`` (the row marked first): its task id, saved on the row."""
    if not _asking_mark(promotion.pk):
        raise RemoteFailure(f"Another run of promotion {promotion.pk} is asking for its import.")
    try:
        answer = raw(call(remote, "The import", "import_job", request))
    except RemoteFailure:
        Promotion.objects.filter(pk=promotion.pk, remote_task_id=ASKING).update(remote_task_id="")
        raise
    task_id = str(answer.get("taskId") or answer.get("task_id") or "")
    if not task_id:
        raise RemoteFailure(f"The import on {remote.label} answered no task id.")
    Promotion.objects.filter(pk=promotion.pk).update(remote_task_id=task_id, updated_at=timezone.now())
    return task_id


def _wait(remote: Remote, task_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + settings.PROMOTION_REMOTE_WAIT_SECONDS
    interval = settings.PROMOTION_REMOTE_POLL_SECONDS
    while True:
        task = raw(
            call(
                remote,
                f"Following the import's system task {task_id}",
                "list_system_tasks",
                ListSystemTasksRequest(workspace=remote.workspace, task_id=task_id),
            )
        )
        if str(task.get("status") or "").upper() not in TASK_RUNNING:
            return task
        if time.monotonic() > deadline:
            raise RemoteFailure(
                f"The import's system task {task_id} on {remote.label} was still running after "
                f"{settings.PROMOTION_REMOTE_WAIT_SECONDS} s; see it there."
            )
        time.sleep(interval)


def _outcomes(
    rows: list[dict[str, Any]], subtasks: list[dict[str, Any]], task_status: str
) -> list[dict[str, Any]]:
    """Each object's row with the subtask that names it (DataArts' subtasks name the object)."""
    out = []
    for row in rows:
        if row["change"] == UNCHANGED:
            out.append({**row, "status": "UNCHANGED", "report": "Not sent: unchanged on the remote."})
            continue
        match = next(
            (
                s
                for s in subtasks
                if f" {row['name']} " in f" {s.get('name') or ''} ".replace(".", " ")
                and row["type"] in str(s.get("name") or "").lower()
            ),
            None,
        )
        status = str((match or {}).get("status") or task_status)
        out.append({**row, "status": status, "report": str((match or {}).get("message") or "")})
    return out


def _refusal(row: Promotion, profile: EnvironmentProfile | None) -> tuple[str, bool] | None:
    """Why the apply may not go on, and whether the staged object is to be deleted; None when it may."""
    label = row.target_label
    if row.remote_task_id == ASKING:
        return (
            f"The import on {label} may have been asked for before the worker stopped (no task id came "
            "back): see the remote's system tasks, and promote again if it is not there.",
            False,
        )
    if profile is None and row.remote_task_id:
        return (
            f"The profile was deleted while system task {row.remote_task_id} on {label} ran; see it there.",
            False,
        )
    if profile is None:
        return "The profile was deleted; nothing was sent.", True
    if profile.updated_at > row.created_at:
        if row.remote_task_id:
            return (
                f"Profile {profile.name} was changed while the import's system task {row.remote_task_id} "
                f"on {label} ran; see it there.",
                False,
            )
        return (
            f"Profile {profile.name} was changed after this promotion was asked for: what it says now is "
            f"not what the change-set showed. Nothing was sent to {label}; promote again.",
            True,
        )
    return None


def remote_apply_run(*, promotion_id: int) -> None:
    """``ImportJob`` with the staged package and the profile's fields, then its system task followed to
    the end; the outcome on the row."""
    row = _claimed(promotion_id, PromotionState.APPLYING)
    if row is None:
        return
    profile = row.profile
    refused = _refusal(row, profile)
    if refused is not None:
        message, discard = refused
        _failed(row, message, staged=row.staged_path if discard else "")
        return
    assert profile is not None  # refused without one
    rows = list(row.object_rows or [])
    unchanged = sum(1 for r in rows if r.get("change") == UNCHANGED)
    label = remote_label(profile)
    if not row.staged_path:
        Promotion.objects.filter(pk=promotion_id).update(
            state=PromotionState.SUCCEEDED,
            counts={"unchanged": unchanged},
            object_rows=_outcomes(rows, [], "UNCHANGED"),
            message=f"Nothing written on {label}: every object is unchanged there.",
            applied_at=timezone.now(),
            updated_at=timezone.now(),
        )
        return
    task_id = row.remote_task_id  # set: delivered again after a worker stopped; the import was asked for
    asked = bool(task_id)  # from then on the staged object may be read by the remote: it stays
    try:
        remote = remote_connect(profile=profile)
        if not task_id:
            request = _import_request(promotion=row, profile=profile)
            asked = True
            task_id = _import_ask(remote, row, request)
        task = _wait(remote, task_id)
    except StagedChanged as exc:  # not ours any more: left where it is
        promotion_failed(row, exc.message)
        return
    except RemoteFailure as exc:
        _failed(row, exc.message, staged="" if asked else row.staged_path)
        return
    except DomainError as exc:
        promotion_failed(row, f"The staged package {row.staged_path} could not be read: {exc.message}")
        return
    except Exception:
        logger.exception("Promotion %s to %s stopped unexpectedly", promotion_id, label)
        promotion_failed(row, f"The import on {label} stopped unexpectedly; see its system task there.")
        raise
    status = str(task.get("status") or "").upper()
    subtasks = [s for s in task.get("subtasks") or [] if isinstance(s, dict)]
    failed = [s for s in subtasks if str(s.get("status") or "").upper() == "FAILED"]
    outcomes = _outcomes(rows, subtasks, status)
    counts = {
        "created": sum(1 for r in outcomes if r["change"] == NEW and r["status"] == "SUCCESSFUL"),
        "overwritten": sum(1 for r in outcomes if r["change"] == CHANGED and r["status"] == "SUCCESSFUL"),
        "unchanged": unchanged,
        "failed": sum(1 for r in outcomes if r["status"] == "FAILED"),
    }
    ok = status == "SUCCESSFUL" and not failed
    reason = str(task.get("message") or "")
    if not ok and failed:
        reason = "; ".join(f"{s.get('name')}: {s.get('message') or 'failed'}" for s in failed[:5])
    message = (
        f"Imported on {label} (system task {task_id}): {reason or status}"
        if ok
        else f"The import on {label} ended {status or 'without a status'}: {reason or 'no message'}"
    )
    Promotion.objects.filter(pk=promotion_id).update(
        state=PromotionState.SUCCEEDED if ok else PromotionState.FAILED,
        counts=counts,
        object_rows=outcomes,
        message=message[:1024],
        applied_at=timezone.now(),
        updated_at=timezone.now(),
    )


def remote_stale_fail(*, workspace_id: int) -> int:
    """Remote promotions left preparing or applying longer than a task may run have no worker any more:
    failed, so that the Deployments room does not wait for ever.

    A message delivered again after a worker stopped runs its step again (see the module), but one that
    is lost with its worker never does, and the project has no periodic (beat) task to sweep such rows:
    so this runs when the workspace's promotions are read, as ``tasks_stale_fail`` does for transfer
    tasks. One conditional UPDATE that matches no row in the common case (it takes no lock then)."""
    limit = settings.CELERY_TASK_TIME_LIMIT + settings.PROMOTION_REMOTE_WAIT_SECONDS
    return Promotion.objects.filter(
        workspace_id=workspace_id,
        target_kind=TargetKind.REMOTE,
        state__in=(PromotionState.PREPARING, PromotionState.APPLYING),
        updated_at__lt=timezone.now() - timedelta(seconds=limit),
    ).update(
        state=PromotionState.FAILED,
        message="Its background task stopped (the worker was lost); see the remote's system tasks, then promote again.",
        updated_at=timezone.now(),
    )
