"""``manage.py import_undo``: undo an import as a whole, like the console's Import History.

    manage.py import_undo 3f2a...          # undo the import 3f2a... (its public id)
    manage.py import_undo 3f2a... --dry-run
    manage.py import_undo 3f2a... --force  # reverse the objects changed since the import too
    manage.py import_undo 9c1b...          # undo an undo: the import is applied again

The same services as the console run here, in this process (no worker needed), and the undo is recorded
as a system task like any other. ``--dry-run`` prints what the undo would do and changes nothing.

Exit status: 0 undone (or, with --dry-run, it can be); 1 nothing undone (it cannot be undone, or an
object failed and the undo rolled back); 2 wrong usage. Errors go to stderr.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from factory.errors import DomainError
from factory.transfer.models import SystemTask, TaskKind, TaskStatus
from factory.transfer.selectors import workspace_first_admin
from factory.transfer.undo import (
    import_undo,
    import_undo_create,
    import_undo_preview,
    undo_report,
    undo_target_get,
)
from factory.workspaces.models import Role
from factory.workspaces.selectors import role_at_least, user_get_by_username, workspace_access_get

EXIT_FAILED = 1


class Command(BaseCommand):
    help = "Undo an import (or an undo, which applies the import again) as a whole."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("task_id", help="The import's task id (as the console and import_jobs show it).")
        parser.add_argument(
            "--user", help="Who undoes (default: who started the import, else the workspace's first admin)."
        )
        parser.add_argument("--force", action="store_true", help="Reverse objects changed since too.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be undone; change nothing."
        )
        parser.add_argument("--json", action="store_true", help="Print the preview or the report as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        public_id = options["task_id"]
        task = (
            SystemTask.objects.filter(public_id=public_id, kind__in=(TaskKind.IMPORT, TaskKind.UNDO))
            .select_related("workspace", "created_by")
            .first()
        )
        if task is None:
            raise CommandError(f"No import or undo has the id {public_id}.", returncode=EXIT_FAILED)
        try:
            if options.get("user"):
                user = user_get_by_username(username=options["user"])
            else:
                someone = task.created_by or workspace_first_admin(workspace=task.workspace)
                if someone is None:
                    raise CommandError("Nobody can undo it: name the user with --user.", returncode=2)
                user = someone
            membership = workspace_access_get(user=user, workspace_id=task.workspace.pk, role=Role.DEVELOPER)
            target = undo_target_get(
                workspace=task.workspace,
                user=user,
                public_id=public_id,
                is_admin=user.is_superuser or role_at_least(membership=membership, role=Role.ADMIN),
            )
            if options["dry_run"]:
                self._print_preview(
                    import_undo_preview(target=target, user=user, force=options["force"]), options
                )
                return
            undo = import_undo_create(target=target, user=user, force=options["force"], enqueue=False)
        except DomainError as exc:
            raise CommandError(exc.message, returncode=EXIT_FAILED) from exc
        import_undo(task_id=undo.pk)
        undo.refresh_from_db()
        self._print_report(undo, as_json=options["json"])
        if undo.status != TaskStatus.SUCCESSFUL:
            raise CommandError(undo.message, returncode=EXIT_FAILED)

    def _print_preview(self, preview: dict[str, Any], options: dict[str, Any]) -> None:
        if options["json"]:
            self.stdout.write(json.dumps(preview, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(preview["summary"])
            for row in preview["objects"]:
                self.stdout.write(f"  {row['action']:<9} {row['type']} {row['name']}: {row['message']}")
            if preview["truncated"]:
                self.stdout.write(f"  ... {preview['total'] - len(preview['objects'])} more")
        if preview["refusal"]:
            raise CommandError(preview["refusal"], returncode=EXIT_FAILED)

    def _print_report(self, undo: SystemTask, *, as_json: bool) -> None:
        report = undo_report(undo)
        if as_json:
            self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
            return
        self.stdout.write(f"task {undo.public_id}: {undo.status}")
        for row in report["objects"]:
            self.stdout.write(f"  {row['outcome']:<9} {row['type']} {row['name']}: {row['message']}")
        self.stdout.write(undo.message)
