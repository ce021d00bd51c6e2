"""Writes of workspaces, memberships, access keys and browser sessions."""

from __future__ import annotations

import re
import secrets
import string
import uuid
from typing import Any

from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from factory.crypto import secret_encrypt
from factory.errors import Conflict, ErrorCode, NotFound, PermissionDenied, ValidationError
from factory.workspaces.models import AccessKey, LockPolicy, Membership, Role, Workspace
from factory.workspaces.obs import workspace_obs_allow_list_normalize
from factory.workspaces.selectors import workspace_access_get

# Huawei's AKs are 20 upper-case letters and digits, their SKs 40 letters and digits.
ACCESS_KEY_ID_LENGTH = 20
SECRET_ACCESS_KEY_LENGTH = 40
_AK_ALPHABET = string.ascii_uppercase + string.digits
_SK_ALPHABET = string.ascii_letters + string.digits
WORKSPACE_NAME = re.compile(r"[\w-]{1,64}")


def _full_clean(instance: models.Model, **kwargs: Any) -> None:
    """``full_clean`` with Django's errors turned into our domain error (field messages kept)."""
    try:
        instance.full_clean(**kwargs)
    except DjangoValidationError as exc:
        fields = {key: [str(m) for m in messages] for key, messages in exc.message_dict.items()}
        first = next(iter(fields.items()))
        raise ValidationError(f"{first[0]}: {first[1][0]}", fields=fields) from exc


def _installation_project_id() -> str:
    """The project id new workspaces join: one installation is one DataArts project, so that one AK/SK and
    one ``/v1/{project_id}/`` reach every workspace (chosen with the ``workspace`` header)."""
    first = Workspace.objects.order_by("-is_default", "pk").values_list("project_id", flat=True).first()
    return first or uuid.uuid4().hex


@transaction.atomic
def workspace_create(
    *,
    name: str,
    user: User | None,
    lock_policy: str = LockPolicy.SOFT,
    project_id: str | None = None,
    is_default: bool = False,
    description: str = "",
    obs_allow_list: list[Any] | None = None,
) -> Workspace:
    """A new workspace; ``user`` (when given) becomes its admin. A new default workspace replaces the
    project's previous default."""
    if not WORKSPACE_NAME.fullmatch(name or ""):
        raise ValidationError(
            "A workspace name is 1-64 letters, digits, underscores or hyphens.",
            code=ErrorCode.INVALID_NAME,
            fields={"name": ["1-64 letters, digits, underscores or hyphens."]},
        )
    if Workspace.objects.filter(name=name).exists():
        raise Conflict(f"A workspace named {name} already exists.", code=ErrorCode.WORKSPACE_EXISTS)
    workspace = Workspace(
        name=name,
        lock_policy=lock_policy,
        project_id=project_id or _installation_project_id(),
        is_default=is_default,
        description=description,
    )
    if obs_allow_list is not None:
        workspace.obs_allow_list = workspace_obs_allow_list_normalize(entries=obs_allow_list)
    _full_clean(workspace)
    if is_default:
        Workspace.objects.filter(project_id=workspace.project_id, is_default=True).update(is_default=False)
    workspace.save()
    if user is not None:
        membership_set(workspace=workspace, user=user, role=Role.ADMIN)
    return workspace


def workspace_create_by(
    *, user: User, name: str, lock_policy: str = LockPolicy.SOFT, description: str = ""
) -> Workspace:
    """A workspace created from the console: staff users may, and become its admin (its admins then run
    it: lock policy, members, OBS allow-list)."""
    if not getattr(user, "is_staff", False):
        raise PermissionDenied(
            "Only staff users create workspaces; ask an administrator of this console.",
            code=ErrorCode.STAFF_REQUIRED,
        )
    return workspace_create(name=name, user=user, lock_policy=lock_policy, description=description)


@transaction.atomic
def membership_set(*, workspace: Workspace, user: User, role: str) -> Membership:
    """Give ``user`` the ``role`` in ``workspace`` (adding them if needed). The last admin cannot be
    demoted, so that every workspace keeps someone who can change its settings."""
    if role not in Role.values:
        raise ValidationError(
            f"Unknown role {role}; use one of {', '.join(Role.values)}.", code=ErrorCode.INVALID_ROLE
        )
    membership = Membership.objects.select_for_update().filter(workspace=workspace, user=user).first()
    if membership is None:
        membership = Membership(workspace=workspace, user=user, role=role)
    elif membership.role == role:
        return membership
    elif membership.role == Role.ADMIN and _admin_count(workspace=workspace) <= 1:
        raise Conflict("A workspace needs at least one admin.", code=ErrorCode.LAST_ADMIN)
    membership.role = role
    _full_clean(membership)
    membership.save()
    return membership


@transaction.atomic
def membership_remove(*, workspace: Workspace, user: User) -> None:
    membership = Membership.objects.select_for_update().filter(workspace=workspace, user=user).first()
    if membership is None:
        raise NotFound("This user is not a member of the workspace.", code=ErrorCode.MEMBER_NOT_FOUND)
    if membership.role == Role.ADMIN and _admin_count(workspace=workspace) <= 1:
        raise Conflict("A workspace needs at least one admin.", code=ErrorCode.LAST_ADMIN)
    membership.delete()


def _admin_count(*, workspace: Workspace) -> int:
    return Membership.objects.filter(workspace=workspace, role=Role.ADMIN).count()


def workspace_update(
    *,
    workspace: Workspace,
    user: User,
    lock_policy: str | None = None,
    description: str | None = None,
    obs_allow_list: list[Any] | None = None,
) -> Workspace:
    """Change a workspace's default items. Only its admins may (the lock policy binds every member, the
    OBS allow-list decides which buckets and folders every member's imports and exports reach)."""
    workspace_access_get(user=user, workspace_id=workspace.pk, role=Role.ADMIN)
    if obs_allow_list is not None:
        workspace.obs_allow_list = workspace_obs_allow_list_normalize(entries=obs_allow_list)
    if lock_policy is not None:
        if lock_policy not in LockPolicy.values:
            raise ValidationError(
                f"Unknown lock policy {lock_policy}; use soft or hard.",
                code=ErrorCode.INVALID_LOCK_POLICY,
                fields={"lockPolicy": ["Use soft or hard."]},
            )
        workspace.lock_policy = lock_policy
    if description is not None:
        workspace.description = description
    _full_clean(workspace, validate_unique=False)
    workspace.save(update_fields=["lock_policy", "description", "obs_allow_list"])
    return workspace


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def access_key_create(
    *, user: User, workspace: Workspace | None = None, description: str = ""
) -> tuple[AccessKey, str]:
    """A new AK/SK pair for ``user``. The secret is returned here once and stored only encrypted."""
    if workspace is not None:
        workspace_access_get(user=user, workspace_id=workspace.pk)
    secret = _random(_SK_ALPHABET, SECRET_ACCESS_KEY_LENGTH)
    while True:
        access_key_id = _random(_AK_ALPHABET, ACCESS_KEY_ID_LENGTH)
        if not AccessKey.objects.filter(access_key_id=access_key_id).exists():
            break
    key = AccessKey(
        user=user,
        workspace=workspace,
        access_key_id=access_key_id,
        secret_encrypted=secret_encrypt(plaintext=secret),
        description=description,
    )
    _full_clean(key)
    key.save()
    return key, secret


def access_key_revoke(*, user: User | None, access_key_id: str) -> AccessKey:
    """Revoke one of ``user``'s keys (``user=None``: any key, for operators on the command line).
    Revoking twice is harmless; the first revocation time is kept."""
    keys = AccessKey.objects.filter(access_key_id=access_key_id)
    if user is not None:
        keys = keys.filter(user=user)
    key = keys.first()
    if key is None:
        raise NotFound(f"Access key {access_key_id} not found.", code=ErrorCode.ACCESS_KEY_NOT_FOUND)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def access_key_mark_used(*, access_key: AccessKey) -> None:
    """Record a successful signed request (at most one write a minute per key)."""
    now = timezone.now()
    if access_key.last_used_at is None or (now - access_key.last_used_at).total_seconds() >= 60:
        AccessKey.objects.filter(pk=access_key.pk).update(last_used_at=now)
        access_key.last_used_at = now


def session_login(*, request: HttpRequest, username: str, password: str) -> User:
    """Log a browser session in (Django's auth backends check the password; the session key rotates)."""
    user = authenticate(request, username=username, password=password)
    if user is None:
        raise ValidationError(
            "Incorrect username or password.",
            code=ErrorCode.INVALID_CREDENTIALS,
        )
    login(request, user)
    return user


def session_logout(*, request: HttpRequest) -> None:
    logout(request)
