"""``manage.py workspace``: workspaces and their members, for automation.

    manage.py workspace create NAME --admin USER [--lock-policy hard] [--obs-allow BUCKET[/FOLDER/] ...]
    manage.py workspace member NAME USER --role developer      # add, or change the role
    manage.py workspace member NAME USER --remove
    manage.py workspace list

``create`` prints the workspace's ids (``public id`` is DataArts' workspace id, the v1 ``workspace``
header). The same services as the console run here, with the console's rules (the last admin stays).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from factory.errors import DomainError
from factory.workspaces.models import LockPolicy, Membership, Role, Workspace
from factory.workspaces.selectors import user_get_by_username, workspace_get_by_name
from factory.workspaces.services import membership_remove, membership_set, workspace_create


class Command(BaseCommand):
    help = "Create workspaces and manage their members."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create,member,list}")
        create = sub.add_parser("create", help="Create a workspace with its first admin.")
        create.add_argument("name")
        create.add_argument("--admin", required=True, help="The username of its first admin.")
        create.add_argument("--lock-policy", choices=LockPolicy.values, default=LockPolicy.SOFT)
        create.add_argument("--description", default="")
        create.add_argument(
            "--obs-allow",
            action="append",
            metavar="ENTRY",
            help="An OBS allow-list entry ('*', a bucket or bucket/folder/); repeatable. Default: '*' "
            "(any bucket but the console's own storage).",
        )
        member = sub.add_parser("member", help="Add a member, change a role, or remove a member.")
        member.add_argument("workspace")
        member.add_argument("username")
        how = member.add_mutually_exclusive_group(required=True)
        how.add_argument("--role", choices=Role.values)
        how.add_argument("--remove", action="store_true")
        sub.add_parser("list", help="The workspaces, their ids, lock policies and member counts.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _create(self, options: dict[str, Any]) -> None:
        admin = user_get_by_username(username=options["admin"])
        workspace = workspace_create(
            name=options["name"],
            user=admin,
            lock_policy=options["lock_policy"],
            description=options["description"],
            obs_allow_list=options.get("obs_allow"),
        )
        self.stdout.write(f"created workspace {workspace.name}")
        self.stdout.write(f"public id: {workspace.public_id}")
        self.stdout.write(f"project id: {workspace.project_id}")
        self.stdout.write(f"admin: {admin.get_username()}")

    def _member(self, options: dict[str, Any]) -> None:
        workspace = workspace_get_by_name(name=options["workspace"])
        user = user_get_by_username(username=options["username"])
        if options["remove"]:
            membership_remove(workspace=workspace, user=user)
            self.stdout.write(f"removed {user.get_username()} from {workspace.name}")
            return
        membership = membership_set(workspace=workspace, user=user, role=options["role"])
        self.stdout.write(f"{user.get_username()} is {membership.role} in {workspace.name}")

    def _list(self, options: dict[str, Any]) -> None:
        for workspace in Workspace.objects.order_by("name"):
            members = Membership.objects.filter(workspace=workspace).count()
            default = " (default)" if workspace.is_default else ""
            self.stdout.write(
                f"{workspace.name}{default}\tpublic id {workspace.public_id}\t{workspace.lock_policy} lock\t"
                f"{members} member(s)"
            )
