"""``manage.py import_jobs``: import a package from a local file or OBS, like the console's wizard.

    manage.py import_jobs DLF_doc1.zip --workspace default --map connection:doctest=dws_prod
    manage.py import_jobs DLF_doc1.zip --workspace default --map DWS_CONNECTION:doctest=dws_prod
    manage.py import_jobs obs://bucket/jobs.zip --workspace prod --policy rename --param env=prod
    manage.py import_jobs scripts.zip --workspace default --category script --dry-run
    manage.py import_jobs DLF_doc1.zip --workspace prod --variable DB_HOST=prod-db --lock-policy skip_locked \
        --release-locks --time-zone GMT+8

The same services as the wizard run here, in this process (no worker needed), and the import is recorded
as a system task like any other. ``--dry-run`` prints what the wizard's second step would show and
changes nothing.

Exit status: 0 everything imported; 1 nothing imported (the package was refused, a choice was wrong, or
an object failed and the import rolled back); 2 wrong usage; 3 imported with failures
(``--continue-on-error``). Errors go to stderr.
"""

from __future__ import annotations

import json
import os
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from factory.development.nodes import DATAARTS_RESOURCE_TYPES, REFERENCE_KINDS, UNRESOLVABLE_KINDS
from factory.errors import DomainError
from factory.packages import PackageError
from factory.transfer.imports import (
    CATEGORIES,
    LOCK_POLICIES,
    POLICIES,
    ImportChoices,
    VariableOverride,
    import_dry_run,
    import_report,
    import_run,
)
from factory.transfer.models import SystemTask, TaskStatus
from factory.transfer.selectors import workspace_first_admin
from factory.workspaces.models import Role
from factory.workspaces.selectors import user_get_by_username, workspace_access_get, workspace_get_by_name

EXIT_FAILED = 1
EXIT_PARTIAL = 3


def _pairs(values: list[str], *, option: str, example: str) -> dict[str, str]:
    result = {}
    for value in values:
        name, sep, replacement = value.partition("=")
        if not sep or not name.strip():
            raise CommandError(f"{option} {value!r}: write it as {example}.", returncode=2)
        result[name.strip()] = replacement
    return result


class Command(BaseCommand):
    help = "Import jobs (or scripts) from a .zip package in a local file or in OBS."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("package", help="A local .zip file, or obs://bucket/key.zip")
        parser.add_argument("--workspace", required=True, help="The target workspace's name.")
        parser.add_argument(
            "--user", help="Who imports and gets the locks (default: the workspace's first admin)."
        )
        parser.add_argument("--category", choices=CATEGORIES, default="job", help="script: Import Script.")
        parser.add_argument("--policy", choices=POLICIES, default="overwrite", help="For names that exist.")
        parser.add_argument(
            "--override",
            action="append",
            default=[],
            metavar="TYPE:NAME=POLICY",
            help="The policy for one object, e.g. job:doc1=skip; repeatable.",
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="TYPE:OLD=NEW",
            help=f"Replace a reference; TYPE is one of {', '.join(REFERENCE_KINDS)} or a DataArts type "
            f"such as DWS_CONNECTION or DLI_QUEUE; repeatable.",
        )
        parser.add_argument(
            "--leave-unresolved",
            action="append",
            default=[],
            metavar="TYPE:NAME",
            help="Import the jobs although this missing script or cloud object (script, dli_queue, "
            "dis_stream, ... or DLI_QUEUE, DIS_STREAM, ...) does not exist; they fail when scheduled, as "
            "in DataArts. Repeatable.",
        )
        parser.add_argument(
            "--param", action="append", default=[], metavar="NAME=VALUE", help="A public job parameter."
        )
        parser.add_argument(
            "--job-param", action="append", default=[], metavar="JOB:NAME=VALUE", help="One job's parameter."
        )
        parser.add_argument("--target-directory", help="A directory to put the package's directories under.")
        parser.add_argument("--saved", action="store_true", help="Import as saved, not submitted, versions.")
        parser.add_argument("--continue-on-error", action="store_true", help="Import the others on failure.")
        parser.add_argument(
            "--variable",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="Set the workspace's environment variable (created when missing) with the import; repeatable.",
        )
        parser.add_argument(
            "--masked-variable",
            action="append",
            default=[],
            metavar="NAME",
            help="Set a masked environment variable, its value read from the environment variable of the "
            "same name of this process (never from the command line); repeatable.",
        )
        parser.add_argument(
            "--lock-policy",
            choices=LOCK_POLICIES,
            default=LOCK_POLICIES[0],
            help="skip_locked: leave objects locked by another user untouched (reported skipped).",
        )
        parser.add_argument(
            "--release-locks", action="store_true", help="Release the locks the import takes once written."
        )
        parser.add_argument(
            "--time-zone",
            default="",
            help="Every job's cron schedule gets this expressionTimeZone (GMT+8, ...).",
        )
        parser.add_argument(
            "--no-skip-unchanged",
            action="store_true",
            help="Write a new version even of objects that already are as the package has them.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show what would be imported and what it would change (new, changed, unchanged); change nothing.",
        )
        parser.add_argument("--json", action="store_true", help="Print the inspection or the report as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            workspace = workspace_get_by_name(name=options["workspace"])
            if options.get("user"):
                user = user_get_by_username(username=options["user"])
                workspace_access_get(user=user, workspace_id=workspace.pk, role=Role.DEVELOPER)
            else:
                admin = workspace_first_admin(workspace=workspace)
                if admin is None:
                    raise CommandError(
                        f"Workspace {workspace.name} has no admin; name the importer with --user."
                    )
                user = admin
            source = self._source(options["package"])
            if options["dry_run"]:
                inspection = import_dry_run(
                    workspace=workspace,
                    user=user,
                    category=options["category"],
                    choices=self._choices(options),
                    policy=options["policy"],
                    **source,
                )
                self._print_inspection(inspection, as_json=options["json"])
                return
            task = import_run(
                workspace=workspace,
                user=user,
                category=options["category"],
                policy=options["policy"],
                choices=self._choices(options),
                **source,
            )
        except PackageError as exc:
            raise CommandError(f"The package was refused: {exc}", returncode=EXIT_FAILED) from exc
        except DomainError as exc:
            raise CommandError(exc.message, returncode=EXIT_FAILED) from exc
        self._print_task(task, as_json=options["json"])
        report = import_report(task) or {}
        if task.status == TaskStatus.FAILED:
            raise CommandError(task.message, returncode=EXIT_FAILED)
        if (report.get("summary") or {}).get("failed"):
            self.stderr.write(f"{report['summary']['failed']} object(s) failed; see above.")
            sys.exit(EXIT_PARTIAL)

    @staticmethod
    def _source(package: str) -> dict[str, str]:
        return {"obs_path": package} if package.startswith("obs://") else {"file_path": package}

    def _choices(self, options: dict[str, Any]) -> ImportChoices:
        """The choices of the command's options (``--policy`` is the import's, given to ``import_run``)."""
        mapping: dict[tuple[str, str], str] = {}
        unresolved: set[tuple[str, str]] = set()
        for key, replace in _pairs(options["map"], option="--map", example="TYPE:OLD=NEW").items():
            kind, sep, name = key.partition(":")
            # DataArts' own type names (the v1 import's resources[].type) name the same kinds.
            kind = DATAARTS_RESOURCE_TYPES[kind][0] if kind in DATAARTS_RESOURCE_TYPES else kind
            if not sep or kind not in REFERENCE_KINDS:
                raise CommandError(
                    f"--map {key}={replace}: TYPE must be one of {', '.join(REFERENCE_KINDS)}, or a DataArts "
                    f"type ({', '.join(DATAARTS_RESOURCE_TYPES)}).",
                    returncode=2,
                )
            mapping[(kind, name)] = replace
        for key in options["leave_unresolved"]:
            kind, sep, name = key.partition(":")
            kind = DATAARTS_RESOURCE_TYPES[kind][0] if kind in DATAARTS_RESOURCE_TYPES else kind
            if not sep or not name or kind not in UNRESOLVABLE_KINDS:
                raise CommandError(
                    f"--leave-unresolved {key}: write it as TYPE:NAME with TYPE one of "
                    f"{', '.join(UNRESOLVABLE_KINDS)} (or a DataArts type such as DLI_QUEUE).",
                    returncode=2,
                )
            unresolved.add((kind, name))
        job_params: dict[str, dict[str, str]] = {}
        for key, value in _pairs(
            options["job_param"], option="--job-param", example="JOB:NAME=VALUE"
        ).items():
            job, sep, name = key.partition(":")
            if not sep:
                raise CommandError(f"--job-param {key}={value}: write it as JOB:NAME=VALUE.", returncode=2)
            job_params.setdefault(job, {})[name] = value
        variables = [
            VariableOverride(name=name, value=value)
            for name, value in _pairs(options["variable"], option="--variable", example="NAME=VALUE").items()
        ]
        for name in options["masked_variable"]:
            if name not in os.environ:
                raise CommandError(
                    f"--masked-variable {name}: set its value in this process's environment variable {name}.",
                    returncode=2,
                )
            variables.append(VariableOverride(name=name, value=os.environ[name], masked=True))
        return ImportChoices(
            overrides=_pairs(options["override"], option="--override", example="TYPE:NAME=POLICY"),
            mapping=mapping,
            unresolved=frozenset(unresolved),
            public_params=_pairs(options["param"], option="--param", example="NAME=VALUE"),
            job_params=job_params,
            target_directory=options.get("target_directory"),
            target_status="saved" if options["saved"] else "submitted",
            continue_on_error=bool(options["continue_on_error"]),
            skip_unchanged=not options["no_skip_unchanged"],
            variables=tuple(variables),
            lock_policy=options["lock_policy"],
            release_locks=bool(options["release_locks"]),
            expression_time_zone=options["time_zone"] or "",
        )

    def _print_inspection(self, inspection: dict[str, Any], *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(inspection, indent=2, ensure_ascii=False))
            return
        package = inspection["package"]
        self.stdout.write(
            f"package {package['fileName']} ({package['layout']} layout, {package['size']} bytes)"
        )
        summary = (inspection.get("changes") or {}).get("summary")
        if summary:
            parts = [f"{summary[kind]} {kind}" for kind in summary if summary[kind]]
            self.stdout.write(f"would import: {', '.join(parts) or 'nothing'}")
        for noun in ("jobs", "scripts", "resources"):
            for obj in inspection[noun]:
                state = "exists" if obj["exists"] else "new"
                if obj.get("lockHolder"):
                    state += f", locked by {obj['lockHolder']}"
                if obj.get("scheduled"):
                    state += ", scheduled"
                if obj.get("blockedReason"):
                    state += f"; overwrite would fail: {obj['blockedReason']}"
                if obj.get("change") and obj["change"] != state:
                    state += f"; import: {obj['change']}"
                    counts = (obj.get("diff") or {}).get("summary") or {}
                    if counts:
                        state += " (" + ", ".join(f"{k} {v}" for k, v in counts.items() if v) + ")"
                    if obj.get("changeMessage"):
                        state += f": {obj['changeMessage']}"
                self.stdout.write(f"  {noun[:-1]} {obj['name']}: {state}")
        for variable in inspection.get("variableChanges") or ():
            message = f": {variable['changeMessage']}" if variable.get("changeMessage") else ""
            self.stdout.write(
                f"  environment variable {variable['name']}: import: {variable['change']}{message}"
            )
        for connection in inspection["connections"]:
            can = "exists" if connection["exists"] else "can be created"
            self.stdout.write(f"  connection definition {connection['name']} ({connection['type']}): {can}")
        groups = inspection["missing"]
        self.stdout.write("missing references:" if groups else "missing references: none")
        for group in groups:
            need = "" if group["required"] else " (optional)"
            if group.get("canLeaveUnresolved"):
                need += " (or --leave-unresolved)"
            candidates = ", ".join(group["candidates"]) or "none"
            for ref in group["references"]:
                used = ", ".join(f"{u['type']} {u['name']}" for u in ref["usedBy"])
                self.stdout.write(f"  {group['label']} {ref['name']}{need}, used by {used}")
                self.stdout.write(f"    candidates: {candidates}")
        for note in inspection["notes"]:
            self.stdout.write(f"note: {note}")
        for warning in inspection.get("warnings") or ():
            self.stdout.write(f"warning: {warning}")

    def _print_task(self, task: SystemTask, *, as_json: bool) -> None:
        report = import_report(task)
        if as_json:
            out = {"taskId": task.public_id, "status": task.status, **(report or {"message": task.message})}
            self.stdout.write(json.dumps(out, indent=2, ensure_ascii=False))
            return
        self.stdout.write(f"task {task.public_id}: {task.status}")
        for row in (report or {}).get("objects", []):
            renamed = f" -> {row['newName']}" if row.get("newName") else ""
            version = f" (version {row['version']})" if row.get("version") else ""
            self.stdout.write(
                f"  {row['outcome']:<11} {row['type']} {row['name']}{renamed}{version}: {row['message']}"
            )
        if task.status != TaskStatus.FAILED:
            self.stdout.write(task.message)
