"""``manage.py accesskey``: the three lines an SDK user copies, and clear errors."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from factory.workspaces.models import AccessKey
from factory.workspaces.selectors import access_key_secret_get
from tests.builders import user_make, workspace_make

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("accesskey", *args, stdout=out)
    return out.getvalue()


def test_create_prints_exactly_three_lines_and_the_key_verifies():
    alice = user_make("alice")
    workspace = workspace_make("default", admin=alice, project_id="a" * 32)

    lines = run("create", "alice").splitlines()

    assert len(lines) == 3
    ak = re.fullmatch(r"access key id: ([A-Z0-9]{20})", lines[0]).group(1)
    sk = re.fullmatch(r"secret access key: ([A-Za-z0-9]{40})", lines[1]).group(1)
    assert lines[2] == f"project id: {workspace.project_id}"
    key, secret = access_key_secret_get(access_key_id=ak)
    assert (key.user, key.workspace, secret) == (alice, workspace, sk)


def test_create_for_a_named_workspace_prints_its_project_id():
    alice = user_make("alice")
    workspace_make("aaa_first", admin=alice, project_id="1" * 32)
    second = workspace_make("zzz_second", admin=alice, project_id="2" * 32)

    lines = run("create", "alice", "--workspace", "zzz_second").splitlines()

    assert lines[2] == f"project id: {second.project_id}"


def test_create_without_workspace_picks_the_default_workspace_the_user_is_in():
    """The key's workspace is where v1 requests without a ``workspace`` header act."""
    alice = user_make("alice")
    workspace_make("aaa_sandbox", admin=alice)
    main = workspace_make("zzz_main", admin=alice, is_default=True)

    ak = run("create", "alice").splitlines()[0].removeprefix("access key id: ")

    assert AccessKey.objects.get(access_key_id=ak).workspace == main


def test_create_errors_name_the_problem():
    alice = user_make("alice")
    user_make("bob")
    workspace_make("ws", admin=alice)

    with pytest.raises(CommandError, match="User nobody not found"):
        run("create", "nobody")
    with pytest.raises(CommandError, match="Workspace nowhere not found"):
        run("create", "alice", "--workspace", "nowhere")
    with pytest.raises(CommandError, match="not a member of workspace ws"):
        run("create", "bob", "--workspace", "ws")
    with pytest.raises(CommandError, match="member of no workspace"):
        run("create", "bob")
    assert not AccessKey.objects.exists()


def test_revoke():
    alice = user_make("alice")
    workspace_make("ws", admin=alice)
    ak = run("create", "alice").splitlines()[0].removeprefix("access key id: ")

    assert run("revoke", ak).strip() == f"revoked access key id: {ak}"
    assert access_key_secret_get(access_key_id=ak) is None
    with pytest.raises(CommandError, match="Access key NOPE not found"):
        run("revoke", "NOPE")
