"""Workspaces, memberships and access keys, through their services and selectors."""

from __future__ import annotations

import re

import pytest

from factory.errors import Conflict, NotFound, PermissionDenied, ValidationError
from factory.workspaces.models import AccessKey, LockPolicy, Membership, Role, Workspace
from factory.workspaces.selectors import access_key_secret_get, workspace_access_get
from factory.workspaces.services import (
    access_key_create,
    access_key_revoke,
    membership_remove,
    membership_set,
    workspace_create,
    workspace_update,
)
from tests.builders import user_make, workspace_make

pytestmark = pytest.mark.django_db


def test_creator_is_admin_and_workspaces_share_the_installation_project_id():
    alice = user_make("alice")
    first = workspace_create(name="default", user=alice, is_default=True)
    second = workspace_create(name="etl_prod", user=alice, lock_policy=LockPolicy.HARD)

    assert Membership.objects.get(workspace=first, user=alice).role == Role.ADMIN
    assert second.lock_policy == "hard"
    assert second.project_id == first.project_id
    assert len(first.project_id) == 32
    assert workspace_create(name="other", user=None, project_id="p" * 32).project_id == "p" * 32


def test_a_new_default_workspace_replaces_the_old_default():
    first = workspace_create(name="one", user=None, is_default=True)
    second = workspace_create(name="two", user=None, is_default=True)
    first.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)


@pytest.mark.parametrize("name", ["", "has space", "a/b", "x" * 65])
def test_workspace_names_are_checked(name):
    with pytest.raises(ValidationError):
        workspace_create(name=name, user=None)


def test_duplicate_workspace_name_conflicts():
    workspace_create(name="dup", user=None)
    with pytest.raises(Conflict):
        workspace_create(name="dup", user=None)
    assert Workspace.objects.filter(name="dup").count() == 1


def test_membership_set_adds_and_changes_roles_but_keeps_one_admin():
    admin, bob = user_make("admin1"), user_make("bob")
    workspace = workspace_make("ws", admin=admin)

    membership_set(workspace=workspace, user=bob, role=Role.VIEWER)
    membership_set(workspace=workspace, user=bob, role=Role.DEVELOPER)
    assert Membership.objects.get(workspace=workspace, user=bob).role == Role.DEVELOPER

    with pytest.raises(Conflict) as exc:
        membership_set(workspace=workspace, user=admin, role=Role.VIEWER)
    assert exc.value.code == "last_admin"
    with pytest.raises(Conflict):
        membership_remove(workspace=workspace, user=admin)
    with pytest.raises(ValidationError):
        membership_set(workspace=workspace, user=bob, role="owner")

    membership_remove(workspace=workspace, user=bob)
    with pytest.raises(NotFound):
        workspace_access_get(user=bob, workspace_id=workspace.pk)


def test_only_admins_change_the_lock_policy():
    admin, dev = user_make("admin1"), user_make("dev")
    workspace = workspace_make("ws", admin=admin, developers=(dev,))

    with pytest.raises(PermissionDenied):
        workspace_update(workspace=workspace, user=dev, lock_policy=LockPolicy.HARD)
    workspace.refresh_from_db()
    assert workspace.lock_policy == LockPolicy.SOFT

    workspace_update(workspace=workspace, user=admin, lock_policy=LockPolicy.HARD, description="prod")
    workspace.refresh_from_db()
    assert (workspace.lock_policy, workspace.description) == ("hard", "prod")

    with pytest.raises(ValidationError):
        workspace_update(workspace=workspace, user=admin, lock_policy="medium")
    outsider = user_make("outsider")
    with pytest.raises(NotFound):
        workspace_update(workspace=workspace, user=outsider, description="x")


def test_access_keys_look_like_huaweis_and_the_secret_is_stored_encrypted():
    alice = user_make("alice")
    workspace = workspace_make("ws", admin=alice)

    key, secret = access_key_create(user=alice, workspace=workspace, description="sdk")

    assert re.fullmatch(r"[A-Z0-9]{20}", key.access_key_id)
    assert re.fullmatch(r"[A-Za-z0-9]{40}", secret)
    stored = AccessKey.objects.get(pk=key.pk)
    assert secret not in stored.secret_encrypted
    found, found_secret = access_key_secret_get(access_key_id=key.access_key_id)
    assert (found.pk, found_secret) == (key.pk, secret)
    assert access_key_secret_get(access_key_id="NOSUCHKEY") is None


def test_revoked_keys_no_longer_verify_and_only_the_owner_revokes():
    alice, mallory = user_make("alice"), user_make("mallory")
    key, _ = access_key_create(user=alice)

    with pytest.raises(NotFound):
        access_key_revoke(user=mallory, access_key_id=key.access_key_id)
    assert access_key_secret_get(access_key_id=key.access_key_id) is not None

    access_key_revoke(user=alice, access_key_id=key.access_key_id)
    first = AccessKey.objects.get(pk=key.pk).revoked_at
    access_key_revoke(user=alice, access_key_id=key.access_key_id)
    assert AccessKey.objects.get(pk=key.pk).revoked_at == first
    assert access_key_secret_get(access_key_id=key.access_key_id) is None


def test_keys_of_inactive_users_do_not_verify():
    alice = user_make("alice")
    key, _ = access_key_create(user=alice)
    alice.is_active = False
    alice.save()
    assert access_key_secret_get(access_key_id=key.access_key_id) is None


def test_a_key_for_a_workspace_needs_membership():
    alice, bob = user_make("alice"), user_make("bob")
    workspace = workspace_make("ws", admin=alice)
    with pytest.raises(NotFound):
        access_key_create(user=bob, workspace=workspace)
