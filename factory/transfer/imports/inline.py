"""The import in the calling process, without a worker: ``import_dry_run`` (what step 2 would show; the
v1 ``check-file`` and ``import_jobs --dry-run``) and ``import_run`` (the whole import, ``import_jobs``)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User

from factory.packages import Package, PackageError
from factory.transfer.imports.apply import import_apply
from factory.transfer.imports.changes import CHANGE_KINDS
from factory.transfer.imports.choices import ImportChoices
from factory.transfer.imports.common import (
    CATEGORIES,
    CATEGORY_JOB,
    SOURCE_FILE,
    SOURCE_OBS,
    PackageRefused,
    error_detail,
    package_load,
    source_label,
)
from factory.transfer.imports.inspect import import_inspect, package_inspect
from factory.transfer.imports.items import FAILED, SKIPPED
from factory.transfer.imports.plan import plan_build
from factory.transfer.imports.preview import changes_compare
from factory.transfer.imports.request import import_apply_request, import_cancel
from factory.transfer.imports.start import _check_choice, import_create
from factory.transfer.models import SystemTask, TaskStatus
from factory.workspaces.models import Workspace
from factory.workspaces.obs import workspace_obs_path


def import_dry_run(
    *,
    workspace: Workspace,
    user: User,
    category: str = CATEGORY_JOB,
    obs_path: str | None = None,
    file_path: str | None = None,
    choices: ImportChoices | None = None,
    policy: str = "overwrite",
) -> dict[str, Any]:
    """What step 2 would show, without a task row: read and inspect the package in this process. With
    ``choices`` (``import_jobs --dry-run``), also what importing with them would change: each job,
    script and resource gets its ``change`` (new, changed, unchanged, skipped, failed) with the reason
    (``changeMessage``) and, when it changes, its structural ``diff``; ``changes`` sums them up."""
    _check_choice(category, CATEGORIES, "category")
    if obs_path is not None:
        source = {
            "type": SOURCE_OBS,
            "obsPath": str(workspace_obs_path(workspace=workspace, value=obs_path)),
            "fileName": obs_path.rsplit("/", 1)[-1],
        }
    else:
        source = {
            "type": SOURCE_FILE,
            "path": str(Path(str(file_path)).resolve()),
            "fileName": Path(str(file_path)).name,
        }
    try:
        package, digest, size = package_load(source=source, workspace=workspace)
    except PackageError as exc:
        message, _, detail = error_detail(exc)  # the package format's code is in detail["code"]
        raise PackageRefused(message, fields=detail) from exc
    with package:
        inspection = package_inspect(package=package, workspace=workspace, user=user, category=category)
        if choices is not None:
            _changes_add(
                inspection,
                package=package,
                workspace=workspace,
                user=user,
                category=category,
                choices=replace(choices, policy=choices.policy or policy),
            )
    inspection["package"].update(
        fileName=source["fileName"], source=source_label(source), sha256=digest, size=size
    )
    return inspection


def _changes_add(
    inspection: dict[str, Any],
    *,
    package: Package,
    workspace: Workspace,
    user: User,
    category: str,
    choices: ImportChoices,
) -> None:
    plan = plan_build(
        package=package, category=category, workspace=workspace, user=user, choices=choices, lock=False
    )
    rows = {
        (noun[:-1], row["name"]): row for noun in ("jobs", "scripts", "resources") for row in inspection[noun]
    }
    summary = dict.fromkeys(CHANGE_KINDS, 0)
    for compared in changes_compare(plan, workspace=workspace, user=user, choices=choices):
        change, diff = compared.classified.change, compared.classified.diff
        summary[change] += 1
        row = rows.get((compared.item.type, compared.item.name))
        if row is None and compared.item.type == "environment_variable":
            # The package's variables and those the choices set: what each would become, and why.
            reason = compared.classified.reason or compared.item.message
            inspection.setdefault("variableChanges", []).append(
                {"name": compared.item.name, "change": change, "changeMessage": reason}
            )
        if row is None:
            continue
        row["change"] = change
        if change in (SKIPPED, FAILED):
            row["changeMessage"] = compared.item.message
        if diff is not None and diff.changed:
            row["diff"] = diff.to_dict()
    inspection["changes"] = {"summary": summary}


def import_run(
    *,
    workspace: Workspace,
    user: User,
    category: str,
    policy: str,
    choices: ImportChoices,
    obs_path: str | None = None,
    file_path: str | None = None,
) -> SystemTask:
    """The whole import in this process (``manage.py import_jobs``): the same task row and services as the
    wizard, without a worker. Returns the finished task; a refused choice cancels it and re-raises."""
    task = import_create(
        workspace=workspace,
        user=user,
        category=category,
        policy=policy,
        obs_path=obs_path,
        file_path=file_path,
        enqueue=False,
    )
    import_inspect(task_id=task.pk)
    task.refresh_from_db()
    if task.status != TaskStatus.WAITING:
        return task
    try:
        import_apply_request(
            task=task, user=user, choices=replace(choices, policy=choices.policy or policy), enqueue=False
        )
    except Exception:
        import_cancel(task=task, user=user)
        raise
    import_apply(task_id=task.pk)
    task.refresh_from_db()
    return task
