"""Import, step 3: apply the user's choices to the workspace in one database transaction.

Order: data connections the user chose to create, environment variables, resources, scripts, then jobs
with called sub-jobs before their callers. References are rewritten by the remap (the user's replacements
and the new names of renamed objects). Every job and script written gets its development state
overwritten, a new version "Imported from <file>" (submitted unless the user chose saved) and the
importing user's lock.

Failures are collected before anything is written (hard locks of other users, scheduled jobs, missing
references, objects that depend on a failed one). Unless ``continueOnError``, any failure rolls the whole
transaction back and the report, written afterwards in its own transaction, says why object by object.
With ``continueOnError`` the others are imported; a write that fails unexpectedly is undone alone (the
development services write in their own atomic block).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from factory.connections.environment import environment_variable_create
from factory.connections.resources import resource_create, resource_update
from factory.connections.services import connection_create
from factory.development.models import JobVersion, ScriptVersion, VersionKind
from factory.development.services import job_import_write, script_import_write
from factory.errors import DomainError
from factory.transfer.models import SubTask, SystemTask, TaskStatus
from factory.transfer.progress import ProgressPublisher, task_progress_clear
from factory.transfer.services.imports_choices import (
    SAVED,
    ImportChoices,
    ImportSecrets,
    import_secrets_unpack,
)
from factory.transfer.services.imports_common import (
    CATEGORY_JOB,
    STEP_APPLY,
    STEP_DONE,
    error_detail,
    package_load,
    task_claim,
    task_fail,
    task_locked,
    upload_delete,
)
from factory.transfer.services.imports_plan import (
    CREATED,
    FAILED,
    OUTCOMES,
    OVERWRITTEN,
    RENAMED,
    SKIPPED,
    Item,
    Plan,
    RolledBack,
    plan_build,
)
from factory.workspaces.models import Workspace

logger = logging.getLogger(__name__)
# The inspection took the task to 50 %; the apply takes it from there to 100 % as objects are written.
APPLY_PROGRESS_START = 50
# Empty config values under secret-looking keys: left by the export's redaction, refused by the connection
# services (secrets go in ``secrets``), so they are dropped from the definition.
_SECRETISH = re.compile(r"pass|pwd|secret|token|private|credential|(^|_)sk$", re.I)

# --- writing -----------------------------------------------------------------------------------------


def _write(
    item: Item,
    *,
    workspace: Workspace,
    user: AbstractBaseUser,
    choices: ImportChoices,
    secrets: dict[str, dict[str, str]],
    description: str,
) -> None:
    doc = item.document or {}
    submit = choices.target_status != SAVED
    if item.type == "connection":
        config = {
            k: v
            for k, v in (doc.get("config") or {}).items()
            if not (v in (None, "") and _SECRETISH.search(str(k)))
        }
        connection_create(
            workspace=workspace,
            user=user,
            name=item.name,
            type=str(doc.get("type") or ""),
            config=config,
            secrets=secrets.get(item.name) or {},
            description=str(doc.get("description") or ""),
        )
        item.detail["secretFields"] = sorted(secrets.get(item.name) or {})
    elif item.type == "environment_variable":
        environment_variable_create(
            workspace=workspace,
            name=item.name,
            value=str(doc.get("value") or ""),
            description=str(doc.get("description") or ""),
        )
    elif item.type == "resource":
        if item.outcome == OVERWRITTEN:
            resource_update(resource=item.existing, user=user, document=doc)
        else:
            resource_create(workspace=workspace, user=user, document=doc)
        item.detail["directory"] = doc.get("directory")
    elif item.type == "script":
        obj = script_import_write(
            workspace=workspace,
            user=user,
            document=doc,
            script=item.existing if item.outcome == OVERWRITTEN else None,
            version_description=description,
            submit=submit,
        )
        item.detail.update(id=obj.pk, directory=obj.document.get("directory"))
    elif item.type == "job":
        obj = job_import_write(
            workspace=workspace,
            user=user,
            document=doc,
            job=item.existing if item.outcome == OVERWRITTEN else None,
            version_description=description,
            submit=submit,
        )
        item.detail.update(id=obj.pk, directory=obj.document.get("directory"))
    if not item.message:
        verb = {CREATED: "Created", OVERWRITTEN: "Overwrote", RENAMED: "Created"}[item.outcome]
        item.message = f"{verb} {item.type.replace('_', ' ')} {item.new_name}."
        if item.detail.get("lockTakenFrom"):
            item.message += f" The lock was taken from {item.detail['lockTakenFrom']}."


def _versions_note(items: list[Item], *, since: datetime, kind: str) -> None:
    """The new version of every job and script written: one query per kind."""
    for object_type, model, fk in (("job", JobVersion, "job_id"), ("script", ScriptVersion, "script_id")):
        ids = {i.detail["id"]: i for i in items if i.type == object_type and "id" in i.detail}
        if not ids:
            continue
        rows = (
            model.objects.filter(**{f"{fk}__in": list(ids)}, kind=kind, created_at__gte=since)
            .order_by(fk, "-number")
            .values_list(fk, "pk", "number")
        )
        for owner, pk, number in rows:
            item = ids[owner]
            if "versionId" not in item.detail:
                item.detail.update(versionId=pk, version=number)


def plan_execute(
    plan: Plan,
    *,
    workspace: Workspace,
    user: AbstractBaseUser,
    choices: ImportChoices,
    secrets: dict[str, dict[str, str]],
    file_name: str,
    publisher: ProgressPublisher | None = None,
) -> list[Item]:
    """Write the plan; raise RolledBack (inside the caller's transaction) when it must be undone.

    ``publisher`` hears of every object as it is written, for the wizard's live progress: the rows
    written here are invisible to it until the commit."""
    items = plan.items
    if any(i.outcome == FAILED for i in items) and not choices.continue_on_error:
        raise RolledBack(items)
    since = timezone.now()
    description = f"Imported from {file_name}"[:128]
    failed = {i.key for i in items if i.outcome == FAILED}
    if publisher is not None:
        publisher.stage(f"Importing {len(items)} object(s)...", total=len(items))
    for item in items:
        if item.outcome not in (FAILED, SKIPPED):
            if publisher is not None:
                publisher.object_running(type=item.type, name=item.name)
            _execute_one(
                item,
                failed=failed,
                workspace=workspace,
                user=user,
                choices=choices,
                secrets=secrets,
                description=description,
            )
        if publisher is not None:
            publisher.object_done(type=item.type, name=item.name, outcome=item.outcome, message=item.message)
        if item.outcome == FAILED:
            failed.add(item.key)
            if not choices.continue_on_error:
                raise RolledBack(items)
    if publisher is not None:
        publisher.stage("Recording the new versions...")
    _versions_note(
        items,
        since=since,
        kind=VersionKind.SAVED if choices.target_status == SAVED else VersionKind.SUBMITTED,
    )
    return items


def _execute_one(
    item: Item,
    *,
    failed: set[tuple[str, str]],
    workspace: Workspace,
    user: AbstractBaseUser,
    choices: ImportChoices,
    secrets: dict[str, dict[str, str]],
    description: str,
) -> None:
    """Write one planned object, or fail it when something it depends on was not imported."""
    dependency = next((d for d in sorted(item.depends_on) if d in failed), None)
    if dependency is not None:
        item.fail(
            f"{item.type.capitalize()} {item.name} uses {dependency[0]} {dependency[1]}, which was not imported."
        )
        return
    try:
        _write(
            item,
            workspace=workspace,
            user=user,
            choices=choices,
            secrets=secrets,
            description=description,
        )
    except DomainError as exc:
        item.fail(f"{item.type.capitalize()} {item.name}: {exc.message}")


# --- the report and the task -------------------------------------------------------------------------


def report_build(
    items: list[Item], *, rolled_back: bool, choices: ImportChoices, file_name: str
) -> dict[str, Any]:
    rows = []
    for item in items:
        row = item.as_report()
        if rolled_back and item.outcome != FAILED:
            row.update(
                outcome=SKIPPED,
                plannedOutcome=item.outcome,
                rolledBack=True,
                message="Not imported: the import was rolled back because other objects failed.",
            )
        rows.append(row)
    summary = {outcome: sum(1 for r in rows if r["outcome"] == outcome) for outcome in OUTCOMES}
    return {
        "fileName": file_name,
        "rolledBack": rolled_back,
        "continueOnError": choices.continue_on_error,
        "targetStatus": choices.target_status,
        "summary": summary,
        "objects": rows,
        **{outcome: [r for r in rows if r["outcome"] == outcome] for outcome in OUTCOMES},
    }


def _report_message(report: dict[str, Any]) -> str:
    summary = report["summary"]
    if report["rolledBack"]:
        reasons = "; ".join(r["message"] for r in report[FAILED][:5])
        return (
            f"Nothing was imported: {summary[FAILED]} object(s) failed ({reasons}). Fix them, or import the "
            "others with continueOnError."
        )
    done = ", ".join(f"{summary[o]} {o}" for o in OUTCOMES if summary[o])
    return f"Import finished: {done or 'nothing to import'}."


def _subtasks(task: SystemTask, rows: list[dict[str, Any]], now: datetime) -> list[SubTask]:
    return [
        SubTask(
            task=task,
            order=order,
            object_type=row["type"],
            object_name=row["name"][:128],
            name=f"Import the {row['name']} {row['type'].replace('_', ' ')}."[:512],
            status=TaskStatus.FAILED if row["outcome"] == FAILED else TaskStatus.SUCCESSFUL,
            outcome=row["outcome"],
            message=row["message"],
            detail={k: v for k, v in row.items() if k not in ("type", "name", "outcome", "message")},
            started_at=task.started_at,
            ended_at=now,
        )
        for order, row in enumerate(rows, start=1)
    ]


def _task_finish(task: SystemTask, *, report: dict[str, Any], status: str, message: str) -> None:
    now = timezone.now()
    SubTask.objects.filter(task=task).delete()
    SubTask.objects.bulk_create(_subtasks(task, report["objects"], now))
    task.result = {**(task.result or {}), "report": report}
    task.status = status
    task.step = STEP_DONE
    task.progress = 100
    task.message = message
    task.ended_at = now
    task.secrets_encrypted = ""
    task.save(
        update_fields=[
            "result",
            "status",
            "step",
            "progress",
            "message",
            "ended_at",
            "secrets_encrypted",
            "updated_at",
        ]
    )


def _secrets(task: SystemTask) -> ImportSecrets:
    return import_secrets_unpack(ciphertext=task.secrets_encrypted)


def import_apply(*, task_id: int) -> None:
    """Step 3 in the background: apply the choices in one transaction and record the report.

    Runs once however often it is delivered: the transaction starts by locking the task row and does
    nothing when the step is already done; a worker killed mid-apply leaves nothing (the transaction
    rolls back) and the redelivered message starts again from scratch.
    """
    task = task_claim(task_id=task_id, step=STEP_APPLY)
    if task is None:
        return
    source = task.params.get("source") or {}
    inspection = (task.result or {}).get("inspection") or {}
    file_name = source.get("fileName") or "the package"
    # The transaction below hides its rows until the commit: the wizard follows this meanwhile.
    publisher = ProgressPublisher(
        public_id=task.public_id, step=STEP_APPLY, start=APPLY_PROGRESS_START, end=100
    )
    publisher.stage(f"Reading {file_name}...")
    try:
        package, _, _ = package_load(
            source=source, expected_sha256=(inspection.get("package") or {}).get("sha256")
        )
        choices = ImportChoices.from_params(task.params["choices"])
        rolled_back: RolledBack | None = None
        try:
            with transaction.atomic():
                row = task_locked(task_id)
                if row is None or row.step != STEP_APPLY or row.status != TaskStatus.RUNNING:
                    return
                user, workspace = row.created_by, row.workspace
                stored = _secrets(row)
                # The parameter values typed in are kept encrypted, apart from params.choices.
                choices = ImportChoices.from_params(row.params["choices"], values=stored)
                secrets = stored.connections
                publisher.stage("Checking the package's objects against the workspace...")
                plan = plan_build(
                    package=package,
                    category=row.params.get("category") or CATEGORY_JOB,
                    workspace=workspace,
                    user=user,
                    choices=choices,
                )
                items = plan_execute(
                    plan,
                    workspace=workspace,
                    user=user,
                    choices=choices,
                    secrets=secrets,
                    file_name=file_name,
                    publisher=publisher,
                )
                report = report_build(items, rolled_back=False, choices=choices, file_name=file_name)
                everything_failed = report["summary"][FAILED] and not any(
                    report["summary"][o] for o in (CREATED, OVERWRITTEN, RENAMED)
                )
                _task_finish(
                    row,
                    report=report,
                    status=TaskStatus.FAILED if everything_failed else TaskStatus.SUCCESSFUL,
                    message=_report_message(report),
                )
        except RolledBack as exc:
            rolled_back = exc
        if rolled_back is not None:
            report = report_build(rolled_back.items, rolled_back=True, choices=choices, file_name=file_name)
            with transaction.atomic():
                row = task_locked(task_id)
                if row is not None and row.step == STEP_APPLY and row.status == TaskStatus.RUNNING:
                    _task_finish(
                        row, report=report, status=TaskStatus.FAILED, message=_report_message(report)
                    )
    except Exception as exc:
        message, code, detail = error_detail(exc)
        if code == "internal_error":
            logger.exception("Import %s: applying the package failed.", task.public_id)
        task_fail(task_id=task_id, message=message, code=code, detail=detail)
        return
    finally:
        # Committed (or failed): the rows say what happened now.
        task_progress_clear(public_id=task.public_id)
    upload_delete(source=source)
