"""Test helpers for people and workspaces, shared by the workspaces, connections and accounts tests."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from factory.workspaces.models import Role, Workspace
from factory.workspaces.services import membership_set, workspace_create

PASSWORD = "pw-for-tests-1"


@cache
def _password_hash(password: str, hasher: str) -> str:
    # Hashing is deliberately slow (PBKDF2); tests create many users with the same password. Keyed by the
    # hasher too: some tests switch to MD5, and a hash made under it fails a login under the default list.
    return make_password(password)


def user_make(username: str, *, password: str = PASSWORD, **extra: object) -> AbstractBaseUser:
    user = get_user_model()(username=username, **extra)
    user.password = _password_hash(password, settings.PASSWORD_HASHERS[0])
    user.save()
    return user


def workspace_make(
    name: str,
    *,
    admin: AbstractBaseUser | None = None,
    developers: tuple[AbstractBaseUser, ...] = (),
    viewers: tuple[AbstractBaseUser, ...] = (),
    **extra: object,
) -> Workspace:
    workspace = workspace_create(name=name, user=admin, **extra)
    for user in developers:
        membership_set(workspace=workspace, user=user, role=Role.DEVELOPER)
    for user in viewers:
        membership_set(workspace=workspace, user=user, role=Role.VIEWER)
    return workspace


def client_for(user: AbstractBaseUser) -> Client:
    client = Client()
    client.force_login(user)
    return client
