"""People and workspaces for the development-state tests (service and API): a soft-lock and a hard-lock
workspace, two developers, an admin and a viewer in each. Star-imported by the conftest and API tests."""

from __future__ import annotations

import pytest

from factory.workspaces.models import LockPolicy, Role
from tests.builders import member_make, workspace_make


@pytest.fixture
def workspace(db):
    return workspace_make("dev", lock_policy=LockPolicy.SOFT)


@pytest.fixture
def hard_workspace(db):
    return workspace_make("strict", lock_policy=LockPolicy.HARD)


def _everywhere(workspace, hard_workspace, username: str, role: str):
    member_make(hard_workspace, username, role)
    return member_make(workspace, username, role)


@pytest.fixture
def alice(workspace, hard_workspace):
    return _everywhere(workspace, hard_workspace, "alice", Role.DEVELOPER)


@pytest.fixture
def bob(workspace, hard_workspace):
    return _everywhere(workspace, hard_workspace, "bob", Role.DEVELOPER)


@pytest.fixture
def carol_admin(workspace, hard_workspace):
    return _everywhere(workspace, hard_workspace, "carol", Role.ADMIN)


@pytest.fixture
def victor_viewer(workspace, hard_workspace):
    return _everywhere(workspace, hard_workspace, "victor", Role.VIEWER)
