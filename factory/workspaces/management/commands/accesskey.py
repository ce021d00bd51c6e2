"""``manage.py accesskey create USERNAME [--workspace NAME]`` and ``manage.py accesskey revoke ID``.

``create`` prints exactly three lines, ready for an SDK's configuration::

    access key id: <AK>
    secret access key: <SK>
    project id: <project id>
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from factory.errors import DomainError, NotFound
from factory.workspaces.selectors import (
    user_get_by_username,
    workspace_access_get,
    workspace_get_by_name,
    workspaces_for_user,
)
from factory.workspaces.services import access_key_create, access_key_revoke


class Command(BaseCommand):
    help = "Create or revoke an access key (AK/SK) of the DataArts-compatible v1 API."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create,revoke}")
        create = sub.add_parser("create", help="Create a key for a user; prints the secret once.")
        create.add_argument("username")
        create.add_argument(
            "--workspace",
            help="The workspace the key acts on when a request names none, and whose project id to print "
            "(default: the project's default workspace if the user is a member, else the user's first).",
        )
        create.add_argument("--description", default="")
        revoke = sub.add_parser("revoke", help="Revoke a key by its access key id.")
        revoke.add_argument("access_key_id")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "create":
                self._create(options["username"], options.get("workspace"), options.get("description") or "")
            else:
                key = access_key_revoke(user=None, access_key_id=options["access_key_id"])
                self.stdout.write(f"revoked access key id: {key.access_key_id}")
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _create(self, username: str, workspace_name: str | None, description: str) -> None:
        user = user_get_by_username(username=username)
        if workspace_name:
            workspace = workspace_get_by_name(name=workspace_name)
            try:
                workspace_access_get(user=user, workspace_id=workspace.pk)
            except NotFound as exc:
                raise CommandError(f"User {username} is not a member of workspace {workspace_name}.") from exc
        else:
            # The key acts on this workspace when a v1 request names none: the default one, where the
            # user has it, is what such requests meant before keys carried their workspace.
            default = workspaces_for_user(user=user).order_by("-is_default", "name").first()
            if default is None:
                raise CommandError(f"User {username} is a member of no workspace; add them to one first.")
            workspace = default
        key, secret = access_key_create(user=user, workspace=workspace, description=description)
        self.stdout.write(f"access key id: {key.access_key_id}")
        self.stdout.write(f"secret access key: {secret}")
        self.stdout.write(f"project id: {workspace.project_id}")
