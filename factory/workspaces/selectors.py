"""Reads of workspaces and memberships. Every console query is scoped through ``workspace_access_get``."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import QuerySet

from factory.crypto import secret_decrypt
from factory.errors import ErrorCode, NotFound, PermissionDenied
from factory.workspaces.models import AccessKey, Membership, Role, Workspace

_RANK = {Role.VIEWER: 0, Role.DEVELOPER: 1, Role.DEPLOYER: 1, Role.ADMIN: 2}


def workspaces_for_user(*, user: User) -> QuerySet[Workspace]:
    return Workspace.objects.filter(memberships__user=user).order_by("name")


def workspace_access_get(*, user: User, workspace_id: int | str, role: str = Role.VIEWER) -> Membership:
    """The user's membership of a workspace (by pk or public id) with at least ``role``.

    A workspace the user does not belong to is reported as not found, so that names do not leak.
    """
    lookup = (
        {"workspace__pk": int(workspace_id)}
        if str(workspace_id).isdigit()
        else {"workspace__public_id": str(workspace_id)}
    )
    membership = (
        Membership.objects.select_related("workspace").filter(user=user, **lookup).first()
        if user is not None and user.is_authenticated
        else None
    )
    if membership is None:
        raise NotFound("Workspace not found.", code=ErrorCode.WORKSPACE_NOT_FOUND)
    if _RANK[Role(membership.role)] < _RANK[Role(role)]:
        raise PermissionDenied(
            f"Your role in workspace {membership.workspace.name} is {membership.role}; this needs {role}.",
            code=ErrorCode.ROLE_REQUIRED,
        )
    return membership


def role_at_least(*, membership: Membership, role: str) -> bool:
    return _RANK[Role(membership.role)] >= _RANK[Role(role)]


def memberships_for_user(*, user: User) -> QuerySet[Membership]:
    """The user's memberships with their workspaces, in workspace-name order (the session's list)."""
    return Membership.objects.filter(user=user).select_related("workspace").order_by("workspace__name")


def workspace_members_list(*, workspace: Workspace) -> QuerySet[Membership]:
    return Membership.objects.filter(workspace=workspace).select_related("user").order_by("user__username")


def workspace_get_by_name(*, name: str) -> Workspace:
    workspace = Workspace.objects.filter(name=name).first()
    if workspace is None:
        raise NotFound(f"Workspace {name} not found.", code=ErrorCode.WORKSPACE_NOT_FOUND)
    return workspace


def user_get_by_username(*, username: str) -> User:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise NotFound(f"User {username} not found.", code=ErrorCode.USER_NOT_FOUND)
    return user


def access_key_list(*, user: User) -> QuerySet[AccessKey]:
    """The user's own keys, newest first, revoked ones included (shown as revoked)."""
    return AccessKey.objects.filter(user=user).order_by("-created_at", "-pk")


def access_key_secret_get(*, access_key_id: str) -> tuple[AccessKey, str] | None:
    """The key and its decrypted secret, for verifying a v1 request signature. None when the key is
    unknown, revoked or its owner is inactive; the secret must never be shown or logged."""
    key = (
        AccessKey.objects.select_related("user", "workspace")
        .filter(access_key_id=access_key_id, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if key is None:
        return None
    return key, secret_decrypt(ciphertext=key.secret_encrypted)
