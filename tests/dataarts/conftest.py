"""Users, workspaces and access keys for the v1 API tests, and the official SDK pointed at the app."""

from __future__ import annotations

import pytest

from factory.workspaces.models import Role, Workspace
from factory.workspaces.services import access_key_create, membership_set
from tests.builders import user_make, workspace_make
from tests.dataarts.sdk import KeyPair


@pytest.fixture
def alice(db):
    return user_make("alice")


@pytest.fixture
def bob(db):
    return user_make("bob")


@pytest.fixture
def workspace_a(alice) -> Workspace:
    """Alice's workspace, the project's default."""
    return workspace_make("ws_a", admin=alice, is_default=True)


@pytest.fixture
def workspace_b(bob, workspace_a) -> Workspace:
    """Bob's workspace in the same project (one installation is one project); Alice is no member."""
    return workspace_make("ws_b", admin=bob)


@pytest.fixture
def alice_key(alice, workspace_a) -> KeyPair:
    key, secret = access_key_create(user=alice, workspace=workspace_a)
    return KeyPair(key.access_key_id, secret, workspace_a.project_id, key, workspace_a)


@pytest.fixture
def bob_key(bob, workspace_b) -> KeyPair:
    key, secret = access_key_create(user=bob, workspace=workspace_b)
    return KeyPair(key.access_key_id, secret, workspace_b.project_id, key, workspace_b)


@pytest.fixture
def viewer_key(workspace_a) -> KeyPair:
    carol = user_make("carol")
    membership_set(workspace=workspace_a, user=carol, role=Role.VIEWER)
    key, secret = access_key_create(user=carol, workspace=workspace_a)
    return KeyPair(key.access_key_id, secret, workspace_a.project_id, key, workspace_a)


@pytest.fixture
def developer_key(workspace_a) -> KeyPair:
    dave = user_make("dave")
    membership_set(workspace=workspace_a, user=dave, role=Role.DEVELOPER)
    key, secret = access_key_create(user=dave, workspace=workspace_a)
    return KeyPair(key.access_key_id, secret, workspace_a.project_id, key, workspace_a)


@pytest.fixture
def dgc(alice_key: KeyPair):
    """Alice's DgcClient, in process."""
    return alice_key.client()
