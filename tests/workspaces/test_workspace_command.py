"""``manage.py workspace``: a second workspace one command away, and its members, for automation."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from factory.workspaces.models import LockPolicy, Membership, Role, Workspace
from tests.builders import user_make

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("workspace", *args, stdout=out)
    return out.getvalue()


def test_create_a_workspace_with_its_admin_then_manage_members():
    alice, bob = user_make("alice"), user_make("bob")
    out = run("create", "etl_prod", "--admin", "alice", "--lock-policy", "hard", "--obs-allow", "prod-bucket")

    workspace = Workspace.objects.get(name="etl_prod")
    assert out.splitlines() == [
        "created workspace etl_prod",
        f"public id: {workspace.public_id}",
        f"project id: {workspace.project_id}",
        "admin: alice",
    ]
    assert workspace.lock_policy == LockPolicy.HARD and workspace.obs_allow_list == ["prod-bucket"]
    assert Membership.objects.get(workspace=workspace, user=alice).role == Role.ADMIN

    assert run("member", "etl_prod", "bob", "--role", "developer") == "bob is developer in etl_prod\n"
    assert Membership.objects.get(workspace=workspace, user=bob).role == Role.DEVELOPER
    assert "etl_prod\tpublic id" in run("list") and "2 member(s)" in run("list")
    assert run("member", "etl_prod", "bob", "--remove") == "removed bob from etl_prod\n"
    assert not Membership.objects.filter(workspace=workspace, user=bob).exists()
    # A new workspace without --obs-allow may use any bucket but the console's storage.
    run("create", "etl_test", "--admin", "alice")
    assert Workspace.objects.get(name="etl_test").obs_allow_list == ["*"]


def test_refusals_name_what_is_wrong_and_change_nothing():
    user_make("alice")
    run("create", "etl_prod", "--admin", "alice")

    for args, message in (
        (("create", "etl_prod", "--admin", "alice"), "A workspace named etl_prod already exists."),
        (("create", "bad name!", "--admin", "alice"), "1-64 letters, digits, underscores or hyphens"),
        (("create", "etl_x", "--admin", "nobody"), "User nobody not found."),
        (("create", "etl_y", "--admin", "alice", "--obs-allow", "Bad_Bucket"), "not a valid bucket name"),
        (("member", "etl_prod", "alice", "--remove"), "A workspace needs at least one admin."),
        (("member", "nowhere", "alice", "--role", "viewer"), "Workspace nowhere not found."),
    ):
        with pytest.raises(CommandError, match=message):
            run(*args)
    assert sorted(Workspace.objects.values_list("name", flat=True)) == ["etl_prod"]
