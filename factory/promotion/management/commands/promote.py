"""``manage.py promote``: promote jobs to the target of an environment profile, as the console's Promote.

    manage.py promote --workspace dev --profile to_prod --jobs daily_load,hourly_load [--note TEXT]
    manage.py promote --workspace dev --profile to_prod --directory /etl
    manage.py promote --workspace dev --profile to_prod --changed-since 2026-12-01T00:00:00Z
    manage.py promote --workspace dev --profile to_prod --changed-since last   # since the last promotion
    manage.py promote ... --dry-run     # the change-set, object by object; nothing written

The jobs come with what they depend on. Without ``--dry-run`` the change-set is previewed and then
applied at once (unchanged objects are skipped), unless the profile needs approval: then the promotion
waits for another admin in the console's Deployments room. The change-set and the apply run in this
process, for any target (the console runs them as background tasks); to a remote console or DataArts
Studio the change-set is read through its v1 API and the import driven there; the dry run stages nothing.

Exit status: 0 done (or waiting for approval); 1 refused or failed; 2 wrong usage.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from factory.errors import DomainError
from factory.promotion.models import Promotion, PromotionState
from factory.promotion.promote import (
    PromotionSelection,
    promotion_apply,
    promotion_dry_run,
    promotion_start,
)
from factory.promotion.selectors import profile_get_by_name
from factory.transfer.selectors import workspace_first_admin
from factory.workspaces.models import Role, Workspace
from factory.workspaces.selectors import user_get_by_username, workspace_access_get, workspace_get_by_name


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{value} {key}" for key, value in counts.items() if value) or "nothing"


class Command(BaseCommand):
    help = "Promote jobs (with their dependencies) to the target of an environment profile."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--workspace", required=True, help="The source workspace's name.")
        parser.add_argument("--profile", required=True, help="The environment profile's name.")
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--jobs", help="Job names, comma-separated.")
        what.add_argument("--directory", help="A directory path: every job under it.")
        what.add_argument(
            "--changed-since",
            help="An ISO time, or 'last': every job changed since the last promotion with the profile.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Show the change-set; write nothing.")
        parser.add_argument("--note", default="", help="Why, shown in the Deployments room.")
        parser.add_argument("--user", help="Who promotes (default: the workspace's first admin).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            workspace = workspace_get_by_name(name=options["workspace"])
            user = self._user(workspace, options.get("user"))
            profile = profile_get_by_name(workspace=workspace, name=options["profile"])
            selection = self._selection(options)
            if options["dry_run"]:
                result = promotion_dry_run(
                    workspace=workspace, user=user, profile=profile, selection=selection
                )
                self.stdout.write(
                    f"dry run: promoting to {result.target} would write {_summary(result.summary)}"
                )
                for row in result.objects:
                    reason = f" ({row['message']})" if row["message"] else ""
                    self.stdout.write(f"  {row['change']:<10} {row['type']:<8} {row['name']}{reason}")
                for note in result.notes:
                    self.stdout.write(f"note: {note}")
                return
            promotion = promotion_start(
                workspace=workspace,
                user=user,
                profile=profile,
                selection=selection,
                note=options["note"],
                enqueue=False,
            )
            self._report(promotion, "change-set")
            if promotion.state == PromotionState.PREVIEWING:
                promotion = promotion_apply(promotion=promotion, user=user, enqueue=False)
                self._report(promotion, "applied")
        except DomainError as exc:
            for field, messages in exc.fields.items():
                for message in messages if isinstance(messages, list) else [messages]:
                    self.stderr.write(f"{field}: {message}")
            raise CommandError(exc.message, returncode=1) from exc

    def _report(self, promotion: Promotion, what: str) -> None:
        target = (
            promotion.target_workspace.name if promotion.target_workspace else promotion.target_label or "?"
        )
        if promotion.state == PromotionState.FAILED:
            raise CommandError(f"promotion {promotion.pk} failed: {promotion.message}", returncode=1)
        if what == "change-set":
            self.stdout.write(
                f"promotion {promotion.pk} to {target} (package sha256 {promotion.package_sha256}): "
                f"would write {_summary(promotion.changes)}"
            )
            if promotion.state == PromotionState.WAITING_APPROVAL:
                self.stdout.write("waiting for approval by another admin (the console's Deployments room)")
        else:
            self.stdout.write(f"promotion {promotion.pk} {promotion.state}: {_summary(promotion.counts)}")

    def _selection(self, options: dict[str, Any]) -> PromotionSelection:
        if options.get("jobs"):
            names = tuple(name.strip() for name in options["jobs"].split(",") if name.strip())
            return PromotionSelection(job_names=names)
        if options.get("directory"):
            return PromotionSelection(directory_paths=(options["directory"],))
        since = options["changed_since"]
        if since == "last":
            return PromotionSelection(since_last=True)
        moment = parse_datetime(since)
        if moment is None:
            raise CommandError(f"--changed-since: {since!r} is no ISO time (nor 'last').", returncode=2)
        return PromotionSelection(changed_since=moment)

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
        workspace_access_get(user=user, workspace_id=workspace.pk, role=Role.DEVELOPER)
        return user
