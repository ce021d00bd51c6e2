"""What the import tests share: a target workspace, the wizard's steps run in-process, and the counts and
folders that show what an import wrote. The packages they import come from ``tests/builders.py``; bad
packages from ``tests/hostile/``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import SimpleUploadedFile

from factory.api.transfer.imports import import_choices_of
from factory.connections.models import DataConnection, ExternalObject
from factory.connections.services import connection_create, external_object_create
from factory.development.models import (
    Directory,
    EnvironmentVariable,
    Job,
    JobVersion,
    Resource,
    Script,
    ScriptVersion,
)
from factory.transfer.imports import (
    ImportChoices,
    import_apply,
    import_apply_request,
    import_choices_store,
    import_create,
    import_inspect,
    import_report,
)
from factory.transfer.models import SubTask, SystemTask
from factory.workspaces.models import Workspace
from tests.builders import user_make, workspace_make

# --- the target of the imports ---------------------------------------------------------------------------

MODELS = (
    Job,
    JobVersion,
    Script,
    ScriptVersion,
    Resource,
    DataConnection,
    ExternalObject,
    EnvironmentVariable,
    Directory,
    SubTask,
)


@dataclass
class Target:
    """Workspace ``tgt``: admin ``ada``, developers ``dev`` and ``bob``; connections ``dws2`` (DWS) and
    ``hive2`` (HIVE); DLI queue ``q2``."""

    workspace: Workspace
    admin: AbstractBaseUser
    dev: AbstractBaseUser
    bob: AbstractBaseUser


def target_build(prefix: str = "", **workspace: Any) -> Target:
    admin, dev, bob = user_make(f"{prefix}ada"), user_make(f"{prefix}dev"), user_make(f"{prefix}bob")
    ws = workspace_make(f"{prefix}tgt", admin=admin, developers=(dev, bob), **workspace)
    connection_create(workspace=ws, user=admin, name="dws2", type="DWS", config={"host": "10.1.1.1"})
    connection_create(workspace=ws, user=admin, name="hive2", type="HIVE")
    external_object_create(workspace=ws, kind="dli_queue", name="q2")
    return Target(ws, admin, dev, bob)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


# --- the wizard's steps, in process ----------------------------------------------------------------------


def start(
    workspace: Workspace,
    user: AbstractBaseUser,
    data: bytes,
    *,
    category: str = "job",
    policy: str = "overwrite",
    file_name: str = "jobs.zip",
) -> SystemTask:
    """Step 1 as the wizard runs it (upload saved to storage), with the inspection run in-process."""
    upload = SimpleUploadedFile(file_name, data, content_type="application/zip")
    task = import_create(
        workspace=workspace, user=user, category=category, policy=policy, upload=upload, enqueue=False
    )
    import_inspect(task_id=task.pk)
    task.refresh_from_db()
    return task


def start_stored(
    workspace: Workspace,
    user: AbstractBaseUser,
    package_file: Path,
    choices: ImportChoices,
    policy: str = "overwrite",
) -> SystemTask:
    """Step 1 as the v1 API's ``jobs/import`` runs it (its choices kept in the task row, the package read
    from a file), with the inspection run in-process (the worker's part)."""
    task = import_create(
        workspace=workspace, user=user, category="job", policy=policy, file_path=package_file
    )
    import_choices_store(task=task, choices=choices)
    import_inspect(task_id=task.pk)
    return task


def apply(task: SystemTask, user: AbstractBaseUser, **choices: Any) -> SystemTask:
    """Step 2 and the apply, in-process."""
    import_apply_request(task=task, user=user, choices=import_choices_of(choices), enqueue=False)
    import_apply(task_id=task.pk)
    task.refresh_from_db()
    return task


def report_row(task: SystemTask, type_: str, name: str) -> dict[str, Any]:
    return next(r for r in import_report(task)["objects"] if r["type"] == type_ and r["name"] == name)


def missing_of(task: SystemTask) -> dict[tuple[str, str], dict[str, Any]]:
    """The inspection's missing references by (kind, name), each with its group's fields."""
    found = {}
    for group in task.result["inspection"]["missing"]:
        for ref in group["references"]:
            found[(group["kind"], ref["name"])] = {**group, **ref}
    return found


# --- what an import leaves behind ------------------------------------------------------------------------


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def media_root(settings: Any, tmp_path: Path) -> Path:
    """Default storage in a fresh folder, so that a test can see what an import left there."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def temp_root(monkeypatch: Any, tmp_path: Path) -> Path:
    """The process's temporary directory, fresh, so that a test can see what an import left there."""
    import tempfile

    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root
