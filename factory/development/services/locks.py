"""Edit locks of jobs and scripts: one holder each, under the workspace's soft or hard policy.

Soft: anyone may take (grab) or release a lock. Hard: a lock can be taken only once released, and
released only by its holder, except by workspace admins, who may always. Editing, saving and
submitting need the lock; scheduling does not. Renaming, moving and deleting need that the user
*could* take the lock (so a hard lock held by someone else blocks them).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TypeVar

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from factory.development.models import Job, Script
from factory.development.selectors.selection import ObjectSelection, selection_missing, selection_queryset
from factory.errors import LockError, NotFound
from factory.workspaces.models import LockPolicy, Membership, Role, Workspace

LockedModel = Job | Script
Locked = TypeVar("Locked", Job, Script)


@dataclass(frozen=True)
class BatchUnlockResult:
    """What a batch unlock did: how many it released, and which objects it refused, with why."""

    unlocked: int = 0
    refused: list[dict] = field(default_factory=list)  # [{"id", "name", "reason"}]


def _label(obj: LockedModel) -> str:
    return f"{type(obj).__name__} {obj.name}"


def _holder_name(obj: LockedModel) -> str:
    holder = obj.lock_holder
    return holder.get_username() if holder is not None else "another user"


def _is_admin(*, workspace: Workspace | int, user: User) -> bool:
    """A workspace admin, or a superuser (DataArts' "DARTS Administrator"): not held back by hard locks."""
    if getattr(user, "is_superuser", False):
        return True
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    return Membership.objects.filter(workspace_id=workspace_id, user_id=user.pk, role=Role.ADMIN).exists()


def locks_overridable(*, workspace: Workspace, user: User) -> bool:
    """Whether others' locks keep ``user`` from nothing in ``workspace`` (soft policy, or an admin): one
    check for a whole batch instead of one per locked object."""
    return workspace.lock_policy == LockPolicy.SOFT or _is_admin(workspace=workspace, user=user)


def _policy(obj: LockedModel) -> str:
    return obj.workspace.lock_policy


def lock_can_acquire(*, obj: LockedModel, user: User) -> str | None:
    """None when ``user`` may take the lock of ``obj`` now, else why not (e.g. "locked by bob")."""
    if obj.lock_holder_id is None or obj.lock_holder_id == user.pk:
        return None
    if _policy(obj) == LockPolicy.SOFT or _is_admin(workspace=obj.workspace_id, user=user):
        return None
    return f"locked by {_holder_name(obj)}"


def lock_can_release(*, obj: LockedModel, user: User) -> str | None:
    """None when ``user`` may release the lock of ``obj``; the same rule as taking it."""
    return lock_can_acquire(obj=obj, user=user)


def lock_require_held(*, obj: LockedModel, user: User, action: str) -> None:
    """Raise LockError unless ``user`` holds the lock (``action`` is e.g. "saving")."""
    if obj.lock_holder_id == user.pk:
        return
    if obj.lock_holder_id is None:
        raise LockError(f"Lock {type(obj).__name__.lower()} {obj.name} before {action} it.")
    raise LockError(f"{_label(obj)} is locked by {_holder_name(obj)}; lock it yourself before {action} it.")


def lock_require_acquirable(*, obj: LockedModel, user: User, action: str) -> None:
    """Raise LockError when someone else's lock keeps ``user`` from ``action`` (e.g. "renamed")."""
    reason = lock_can_acquire(obj=obj, user=user)
    if reason is not None:
        raise LockError(f"{_label(obj)} is {reason} and cannot be {action}.")


def _lock_set(*, obj: LockedModel, holder: User | None, expected_holder_id: int | None) -> None:
    # A conditional UPDATE: of two users taking a free lock at once, only one wins.
    now = timezone.now() if holder is not None else None
    changed = (
        type(obj)
        .objects.filter(pk=obj.pk, lock_holder_id=expected_holder_id)
        .update(lock_holder=holder, locked_at=now)
    )
    if not changed:
        obj.refresh_from_db(fields=["lock_holder", "locked_at"])
        raise LockError(f"{_label(obj)} was just locked by {_holder_name(obj)}.")
    obj.lock_holder, obj.locked_at = holder, now


def _lock(*, obj: Locked, user: User) -> Locked:
    if obj.lock_holder_id == user.pk:
        return obj
    reason = lock_can_acquire(obj=obj, user=user)
    if reason is not None:
        raise LockError(f"{_label(obj)} is {reason}; it can be locked once {_holder_name(obj)} unlocks it.")
    _lock_set(obj=obj, holder=user, expected_holder_id=obj.lock_holder_id)
    return obj


def _unlock(*, obj: Locked, user: User) -> Locked:
    if obj.lock_holder_id is None:
        return obj
    reason = lock_can_release(obj=obj, user=user)
    if reason is not None:
        raise LockError(
            f"{_label(obj)} is {reason}; only {_holder_name(obj)} or a workspace admin can unlock it."
        )
    _lock_set(obj=obj, holder=None, expected_holder_id=obj.lock_holder_id)
    return obj


def _batch_unlock(
    *,
    model: type[Locked],
    workspace: Workspace,
    user: User,
    ids: Collection[int],
    selection: ObjectSelection | None,
) -> BatchUnlockResult:
    selection = selection if selection is not None else ObjectSelection(ids=tuple(ids))
    rows = list(
        selection_queryset(workspace=workspace, model=model, selection=selection)
        .select_related("lock_holder")
        .only("id", "name", "workspace", "lock_holder__username")
    )
    missing = selection_missing(selection=selection, found={row.pk for row in rows})
    if missing:
        raise NotFound(f"{model.__name__} {missing[0]} does not exist.", code=model.not_found_code)
    free_for_all = locks_overridable(workspace=workspace, user=user)
    allowed, refused = [], []
    for row in sorted(rows, key=lambda r: r.name):
        if row.lock_holder_id is None:
            continue
        if free_for_all or row.lock_holder_id == user.pk:
            allowed.append(row.pk)
        else:
            refused.append({"id": row.pk, "name": row.name, "reason": f"locked by {_holder_name(row)}"})
    unlocked = model.objects.filter(pk__in=allowed).update(lock_holder=None, locked_at=None) if allowed else 0
    return BatchUnlockResult(unlocked=unlocked, refused=refused)


def job_lock(*, job: Job, user: User) -> Job:
    return _lock(obj=job, user=user)


def job_unlock(*, job: Job, user: User) -> Job:
    return _unlock(obj=job, user=user)


@transaction.atomic
def jobs_unlock(
    *,
    workspace: Workspace,
    user: User,
    job_ids: Collection[int] = (),
    selection: ObjectSelection | None = None,
) -> BatchUnlockResult:
    """Release the locks of the given jobs that ``user`` may release; the others are listed as refused."""
    return _batch_unlock(model=Job, workspace=workspace, user=user, ids=job_ids, selection=selection)


def script_lock(*, script: Script, user: User) -> Script:
    return _lock(obj=script, user=user)


def script_unlock(*, script: Script, user: User) -> Script:
    return _unlock(obj=script, user=user)


@transaction.atomic
def scripts_unlock(
    *,
    workspace: Workspace,
    user: User,
    script_ids: Collection[int] = (),
    selection: ObjectSelection | None = None,
) -> BatchUnlockResult:
    """Release the locks of the given scripts that ``user`` may release; the others are listed as refused."""
    return _batch_unlock(model=Script, workspace=workspace, user=user, ids=script_ids, selection=selection)
