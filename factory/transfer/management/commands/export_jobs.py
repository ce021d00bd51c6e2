"""``manage.py export_jobs``: export jobs of a workspace to a local file or to OBS, like the console.

    manage.py export_jobs --workspace default --jobs doc1,doc2 --with-dependencies --out /tmp/
    manage.py export_jobs --workspace default --directory /etl --status submit --obs-path obs://bkt/exports/
    manage.py export_jobs --workspace default --all --changed-since 2026-01-01T00:00:00+00:00

Prints what it wrote; bad input exits non-zero with the reason on stderr.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware

from factory.errors import DomainError
from factory.transfer.exports import JOBS_ONLY, WITH_DEPENDENCIES, ExportRequest, export_write
from factory.transfer.selectors import workspace_first_admin
from factory.workspaces.models import Role
from factory.workspaces.selectors import user_get_by_username, workspace_access_get, workspace_get_by_name


class Command(BaseCommand):
    help = "Export jobs (optionally with their scripts, resources and connections) to a .zip package."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--workspace", required=True, help="The workspace's name.")
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--jobs", help="Job names, comma-separated.")
        which.add_argument("--all", action="store_true", help="Every job of the workspace.")
        parser.add_argument(
            "--directory",
            action="append",
            default=[],
            help="A job directory (/a/b), recursively; repeatable.",
        )
        parser.add_argument("--changed-since", help="Only jobs updated after this ISO 8601 time.")
        parser.add_argument(
            "--with-dependencies",
            action="store_true",
            help="Also export the scripts, resources, connections and environment variables the jobs use, "
            "and the jobs they call.",
        )
        parser.add_argument("--status", choices=("develop", "submit"), default="develop")
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--out", help="A file, or a folder to write the package into (default: here).")
        where.add_argument(
            "--obs-path", help="obs://bucket/folder/: the package is written into it under its DataArts name."
        )
        parser.add_argument(
            "--obs-overwrite", action="store_true", help="Replace an object of the same name in that folder."
        )
        parser.add_argument("--user", help="Who exports (default: the workspace's first admin).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            workspace = workspace_get_by_name(name=options["workspace"])
            user: User | None
            if options.get("user"):
                user = user_get_by_username(username=options["user"])
                workspace_access_get(user=user, workspace_id=workspace.pk, role=Role.DEVELOPER)
            else:
                user = workspace_first_admin(workspace=workspace)
            written = export_write(
                workspace=workspace,
                user=user,
                request=ExportRequest(
                    job_names=tuple(n.strip() for n in (options.get("jobs") or "").split(",") if n.strip()),
                    directory_paths=tuple(options["directory"]),
                    everything=bool(options["all"]),
                    changed_since=self._since(options.get("changed_since")),
                    scope=WITH_DEPENDENCIES if options["with_dependencies"] else JOBS_ONLY,
                    status=options["status"],
                    obs_path=options.get("obs_path") or "",
                    obs_overwrite=bool(options.get("obs_overwrite")),
                ),
                out=Path(options["out"]) if options.get("out") else None,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        scripts = f", {written.scripts} scripts" if written.scripts else ""
        self.stdout.write(f"wrote {written.location}: {written.jobs} jobs{scripts}, {written.size} bytes")

    @staticmethod
    def _since(value: str | None) -> Any:
        if not value:
            return None
        try:
            moment = parse_datetime(value)
        except ValueError:
            moment = None
        if moment is None:
            raise CommandError(
                f"--changed-since {value!r} is not an ISO 8601 time such as 2026-01-31T08:00:00Z."
            )
        return make_aware(moment) if is_naive(moment) else moment
