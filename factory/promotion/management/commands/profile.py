"""``manage.py profile``: environment profiles as JSON files, like the console's Environments room.

    manage.py profile export --workspace dev --name prod [--out prod.json]
    manage.py profile import --workspace dev prod.json [--replace]

The document never holds secrets. Importing a profile whose target is a remote console needs its access
key and secret key again: ``--access-key`` (or ``PROFILE_ACCESS_KEY``) and the secret key from
``PROFILE_SECRET_KEY`` or typed at the prompt, never on the command line (other users see it there).
Masked parameter values are left unset; the command lists them.

Exit status: 0 done; 1 refused (the errors go to stderr, each naming its field); 2 wrong usage.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from factory.errors import DomainError
from factory.promotion.documents import profile_document
from factory.promotion.selectors import profile_get_by_name, profile_unset_secrets
from factory.promotion.services import profile_import
from factory.transfer.selectors import workspace_first_admin
from factory.workspaces.models import Role, Workspace
from factory.workspaces.selectors import user_get_by_username, workspace_access_get, workspace_get_by_name


class Command(BaseCommand):
    help = "Export an environment profile as JSON, or import one."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="Write a profile as JSON (without its secrets).")
        export.add_argument("--workspace", required=True, help="The source workspace's name.")
        export.add_argument("--name", required=True, help="The profile's name.")
        export.add_argument("--out", help="The file to write (default: standard output).")
        imported = actions.add_parser("import", help="Create (or --replace) a profile from a JSON file.")
        imported.add_argument("file", help="The profile document, or - for standard input.")
        imported.add_argument("--workspace", required=True, help="The workspace the profile belongs to.")
        imported.add_argument("--replace", action="store_true", help="Replace a profile of the same name.")
        imported.add_argument(
            "--user", help="Who imports it, an admin (default: the workspace's first admin)."
        )
        imported.add_argument("--access-key", help="A remote target's access key (or PROFILE_ACCESS_KEY).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            workspace = workspace_get_by_name(name=options["workspace"])
            if options["action"] == "export":
                self._export(workspace, options)
            else:
                self._import(workspace, options)
        except DomainError as exc:
            for field, messages in exc.fields.items():
                for message in messages if isinstance(messages, list) else [messages]:
                    self.stderr.write(f"{field}: {message}")
            raise CommandError(exc.message, returncode=1) from exc

    def _export(self, workspace: Workspace, options: dict[str, Any]) -> None:
        profile = profile_get_by_name(workspace=workspace, name=options["name"])
        text = json.dumps(profile_document(profile=profile), indent=2, ensure_ascii=False) + "\n"
        if not options.get("out"):
            self.stdout.write(text, ending="")
            return
        out = Path(options["out"])
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot write {out}: {exc.strerror}.", returncode=1) from exc
        self.stdout.write(
            f"wrote {out}: profile {profile.name} (no secrets: type them again when importing it)"
        )

    def _user(self, workspace: Workspace, username: str | None) -> User:
        if username:
            user = user_get_by_username(username=username)
        else:
            admin = workspace_first_admin(workspace=workspace)
            if admin is None:
                raise CommandError(
                    f"Workspace {workspace.name} has no admin; name one with --user.", returncode=1
                )
            user = admin
        workspace_access_get(user=user, workspace_id=workspace.pk, role=Role.ADMIN)
        return user

    def _import(self, workspace: Workspace, options: dict[str, Any]) -> None:
        user = self._user(workspace, options.get("user"))
        source = options["file"]
        try:
            text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
            document = json.loads(text)
        except OSError as exc:
            raise CommandError(f"Cannot read {source}: {exc.strerror}.", returncode=1) from exc
        except json.JSONDecodeError as exc:
            raise CommandError(f"{source} is not JSON: {exc}.", returncode=1) from exc
        access_key = options.get("access_key") or os.environ.get("PROFILE_ACCESS_KEY")
        secret_key = os.environ.get("PROFILE_SECRET_KEY")
        profile_data = document.get("profile") if isinstance(document, dict) else None
        target = profile_data.get("target") if isinstance(profile_data, dict) else None
        remote = isinstance(target, dict) and target.get("kind") == "remote"
        if remote and not secret_key and sys.stdin.isatty() and source != "-":
            secret_key = getpass.getpass("The remote target's secret key: ")
        profile, replaced = profile_import(
            workspace=workspace,
            user=user,
            document=document,
            replace=options["replace"],
            access_key=access_key,
            secret_key=secret_key,
        )
        self.stdout.write(
            f"{'replaced' if replaced else 'created'} profile {profile.name} in {workspace.name}"
        )
        unset = profile_unset_secrets(profile=profile)
        if unset:
            self.stdout.write(f"masked values to set in the console: {', '.join(unset)}")
