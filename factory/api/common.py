"""What every console API view shares: the workspace from the URL, checked against the user's role."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.models import User
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.views import APIView

from factory.workspaces.models import Membership, Role, Workspace
from factory.workspaces.selectors import workspace_access_get


def request_user(request: Request) -> User:
    """The signed-in account. Every console view but login sits behind ``IsAuthenticated`` (the default
    permission), so ``request.user`` is never the anonymous user there; the stubs cannot know that."""
    return cast(User, request.user)


class WorkspaceApi(APIView):
    """Base of views under ``/api/workspaces/<workspace_id>/``.

    Reads need membership (any role); writes need ``write_role`` (developer by default). Subclasses may
    set ``write_role = Role.ADMIN`` for admin-only operations. ``self.workspace`` and ``self.membership``
    are set before the handler runs.
    """

    write_role: str = Role.DEVELOPER
    read_role: str = Role.VIEWER
    workspace: Workspace
    membership: Membership

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        role = self.read_role if request.method in SAFE_METHODS else self.write_role
        self.membership = workspace_access_get(
            user=request_user(request), workspace_id=kwargs["workspace_id"], role=role
        )
        self.workspace = self.membership.workspace
