"""Users, workspaces and access keys for the v1 API tests, and the official SDK pointed at the app."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from factory.workspaces.models import AccessKey, Role, Workspace
from factory.workspaces.services import access_key_create, membership_set, workspace_create
from tests.dataarts.sdk import sdk_client


@dataclass
class KeyPair:
    """An AK/SK pair as ``manage.py accesskey create`` prints it, and the objects behind it."""

    ak: str
    sk: str
    project_id: str
    key: AccessKey
    workspace: Workspace

    def client(self, endpoint: str | None = None):
        kwargs = {"endpoint": endpoint} if endpoint else {}
        return sdk_client(ak=self.ak, sk=self.sk, project_id=self.project_id, **kwargs)


def _user(username: str):
    return get_user_model().objects.create_user(username=username, password="pw-for-tests-1")


@pytest.fixture
def alice(db):
    return _user("alice")


@pytest.fixture
def bob(db):
    return _user("bob")


@pytest.fixture
def workspace_a(alice) -> Workspace:
    """Alice's workspace, the project's default."""
    return workspace_create(name="ws_a", user=alice, is_default=True)


@pytest.fixture
def workspace_b(bob, workspace_a) -> Workspace:
    """Bob's workspace in the same project (one installation is one project); Alice is no member."""
    return workspace_create(name="ws_b", user=bob)


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
    carol = _user("carol")
    membership_set(workspace=workspace_a, user=carol, role=Role.VIEWER)
    key, secret = access_key_create(user=carol, workspace=workspace_a)
    return KeyPair(key.access_key_id, secret, workspace_a.project_id, key, workspace_a)


@pytest.fixture
def developer_key(workspace_a) -> KeyPair:
    dave = _user("dave")
    membership_set(workspace=workspace_a, user=dave, role=Role.DEVELOPER)
    key, secret = access_key_create(user=dave, workspace=workspace_a)
    return KeyPair(key.access_key_id, secret, workspace_a.project_id, key, workspace_a)


@pytest.fixture
def dgc(alice_key: KeyPair):
    """Alice's DgcClient, in process."""
    return alice_key.client()
