"""``manage.py import_undo``: undo an import without a worker; ``--dry-run`` changes nothing, ``--json``
prints what a script can read, and the exit status says whether anything was undone."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from factory.development.models import Job
from factory.development.services import job_create
from factory.transfer.models import SystemTask, TaskKind, TaskStatus
from tests.builders import job_document, package_bytes, package_job
from tests.transfer.importing import target_build

pytestmark = pytest.mark.django_db


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_dry_run_then_undo_then_undo_the_undo(tmp_path):
    t = target_build()
    job_create(workspace=t.workspace, user=t.dev, document=job_document("old", connection="dws2"))
    before = Job.objects.get(workspace=t.workspace, name="old").document
    package = tmp_path / "jobs.zip"
    package.write_bytes(package_bytes(jobs=[package_job("old", description="new"), package_job("added")]))
    report = json.loads(
        run("import_jobs", str(package), "--workspace", t.workspace.name, "--user", "dev", "--json")
    )
    task_id = report["taskId"]

    shown = run("import_undo", task_id, "--dry-run")
    assert shown.splitlines()[0] == (
        "Restore 1 job to the state before the import; delete 1 job and 1 directory it created."
    )
    assert Job.objects.filter(workspace=t.workspace, name="added").exists()  # nothing changed
    as_json = json.loads(run("import_undo", task_id, "--dry-run", "--json"))
    assert as_json["counts"]["delete"] == {"job": 1, "directory": 1}

    done = json.loads(run("import_undo", task_id, "--json"))
    assert done["status"] == TaskStatus.SUCCESSFUL and done["summary"]["reversed"] == 3
    assert {(o["name"], o["action"]) for o in done["objects"]} == {
        ("old", "restore"),
        ("added", "delete"),
        ("/etl", "delete"),
    }
    assert Job.objects.get(workspace=t.workspace, name="old").document == before
    assert not Job.objects.filter(workspace=t.workspace, name="added").exists()

    with pytest.raises(CommandError, match="undone already") as refused:
        run("import_undo", task_id)
    assert refused.value.returncode == 1
    text = run("import_undo", done["taskId"], "--user", "ada")  # the admin undoes the undo
    assert "reversed" in text.splitlines()[-1]
    assert Job.objects.get(workspace=t.workspace, name="old").document["description"] == "new"
    assert SystemTask.objects.filter(kind=TaskKind.UNDO, status=TaskStatus.SUCCESSFUL).count() == 2


def test_only_the_importer_or_an_admin_may_undo(tmp_path):
    t = target_build()
    package = tmp_path / "jobs.zip"
    package.write_bytes(package_bytes(jobs=[package_job("added")]))
    task_id = json.loads(
        run("import_jobs", str(package), "--workspace", t.workspace.name, "--user", "dev", "--json")
    )["taskId"]
    with pytest.raises(CommandError, match="Only the user who started this import"):
        run("import_undo", task_id, "--user", "bob")
    with pytest.raises(CommandError, match="No import or undo has the id nope"):
        run("import_undo", "nope")
    assert Job.objects.filter(workspace=t.workspace, name="added").exists()
