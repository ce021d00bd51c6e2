"""Every hostile package of the corpus (``tests/hostile/generate.py``), through every entry point of the
import: refused at inspect with a message naming the entry and the rule, and nothing written: no row of
any model but the failed system task, nothing in default storage, no temporary file, nothing in OBS.

Entry points, one parametrized test each (so the count of inputs x entry points is visible):

- the wizard's console API, ``POST /api/workspaces/<ws>/imports/`` with the package uploaded;
- ``manage.py import_jobs PACKAGE`` and ``... --dry-run`` (exit status, stderr);
- the v1 API, ``POST /v1/<project>/jobs/check-file`` and ``POST jobs/import`` + ``GET system-tasks/<id>``
  reading the package from OBS (SeaweedFS), signed with the official SDK's signer.

The Celery tasks run in this process when the request commits, so that the whole corpus runs in a
``db`` test with the limits lowered where a case needs it; ``test_live.py`` runs representative cases
through the real worker.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from factory.transfer.models import SystemTask, TaskStatus
from tests.dataarts.sdk import signed_call
from tests.hostile.conftest import (
    Target,
    assert_nothing_left,
    assert_refusal_names_entry_and_rule,
    assert_rows_unchanged_but_one_failed_task,
    case_settings,
    cli_run,
    corpus,
    obs_keys,
    obs_put,
    row_counts,
)
from tests.hostile.generate import hostile_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def inline_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The import's Celery tasks (the wizard's and the v1 API's) run in this process on commit."""
    from factory.transfer.imports import apply as imports_apply
    from factory.transfer.imports import inspect as imports_inspect
    from factory.transfer.imports import start as import_services
    from factory.transfer.imports import stored as imports_stored

    services = {
        "import_inspect": imports_inspect.import_inspect,
        "import_apply": imports_apply.import_apply,
        "import_apply_stored": imports_stored.import_apply_stored,
    }
    monkeypatch.setattr(import_services, "_enqueue", lambda name, task_id: services[name](task_id=task_id))
    monkeypatch.setattr(
        import_services,
        "_enqueue_chain",
        lambda names, task_id: [services[name](task_id=task_id) for name in names],
    )


def _assert_failed_task(task: SystemTask, case: Any) -> None:
    assert task.status == TaskStatus.FAILED, task.message
    assert task.message.startswith("The package was refused: "), task.message
    assert_refusal_names_entry_and_rule(task.message, case)
    error = task.result["error"]
    assert (error["code"], error["entry"]) == (case.expected_code, case.expected_entry), error
    assert "inspection" not in task.result and "report" not in task.result
    assert not task.subtasks.exists() and task.secrets_encrypted == ""


# --- the wizard ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", corpus())
def test_wizard_upload(
    name, target: Target, media, temp_dir, settings, inline_tasks, django_capture_on_commit_callbacks
):
    case = hostile_case(name)
    case_settings(settings, case)
    before = row_counts()
    upload = SimpleUploadedFile(f"{name}.zip", case.data, content_type="application/zip")

    with django_capture_on_commit_callbacks(execute=True):
        started = target.client.post(target.imports_url, {"file": upload, "policy": "overwrite"})
    assert started.status_code == 202, started.content
    shown = target.client.get(f"{target.imports_url}{started.json()['task']['id']}/")

    body = shown.json()
    assert (body["status"], body["inspection"], body["report"]) == ("FAILED", None, None), body["message"]
    assert_refusal_names_entry_and_rule(body["message"], case)
    assert (body["error"]["code"], body["error"]["entry"]) == (case.expected_code, case.expected_entry)
    _assert_failed_task(SystemTask.objects.get(public_id=body["id"]), case)
    assert_rows_unchanged_but_one_failed_task(before)
    assert_nothing_left(media=media, temp_dir=temp_dir)


# --- the command line ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", corpus())
def test_cli_import(name, target: Target, media, temp_dir, settings, tmp_path, monkeypatch):
    case = hostile_case(name)
    case_settings(settings, case)
    package = tmp_path / f"{name}.zip"
    package.write_bytes(case.data)
    before = row_counts()

    result = cli_run(monkeypatch, str(package), "--workspace", "hostile_ws", "--user", "hdev")

    assert result.status == 1, result
    assert result.stderr.startswith("CommandError: The package was refused: "), result.stderr
    assert_refusal_names_entry_and_rule(result.stderr, case)
    _assert_failed_task(SystemTask.objects.get(), case)
    assert_rows_unchanged_but_one_failed_task(before)
    assert_nothing_left(media=media, temp_dir=temp_dir)


@pytest.mark.parametrize("name", corpus())
def test_cli_dry_run(name, target: Target, media, temp_dir, settings, tmp_path, monkeypatch):
    case = hostile_case(name)
    case_settings(settings, case)
    package = tmp_path / f"{name}.zip"
    package.write_bytes(case.data)
    before = row_counts()

    result = cli_run(monkeypatch, str(package), "--workspace", "hostile_ws", "--dry-run", "--json")

    assert result.status == 1, result
    assert result.stdout == ""
    assert result.stderr.startswith("CommandError: The package was refused: "), result.stderr
    assert_refusal_names_entry_and_rule(result.stderr, case)
    assert_rows_unchanged_but_one_failed_task(before, tasks=0)
    assert_nothing_left(media=media, temp_dir=temp_dir)


# --- the DataArts v1 API, reading from OBS ------------------------------------------------------------


def v1_call(target: Target, method: str, path: str, body: dict | None = None) -> Any:
    raw = json.dumps(body).encode() if body is not None else None
    return signed_call(
        Client(), ak=target.ak, sk=target.sk, method=method, path=f"/v1/{target.project_id}/{path}", body=raw
    )


@pytest.mark.parametrize("name", corpus(reads_message=False))
def test_v1_check_file_answers_an_error_and_writes_nothing(
    name, target: Target, media, temp_dir, settings, s3, hostile_bucket
):
    case = hostile_case(name)
    case_settings(settings, case)
    path = obs_put(s3, hostile_bucket, case)
    objects, before = obs_keys(s3, hostile_bucket), row_counts()

    answer = v1_call(target, "POST", "jobs/check-file", {"path": path})

    assert answer.status_code >= 400, answer.content
    assert set(answer.json()) == {"error_code", "error_msg"}
    assert_rows_unchanged_but_one_failed_task(before, tasks=0)
    assert_nothing_left(media=media, temp_dir=temp_dir)
    assert obs_keys(s3, hostile_bucket) == objects


@pytest.mark.parametrize("name", corpus())
def test_v1_check_file_names_the_entry_and_the_rule(name, target: Target, settings, s3, hostile_bucket):
    case = hostile_case(name)
    case_settings(settings, case)

    answer = v1_call(target, "POST", "jobs/check-file", {"path": obs_put(s3, hostile_bucket, case)})

    assert answer.status_code == 400, answer.content
    assert answer.json()["error_code"] != "DLF.9500"
    assert_refusal_names_entry_and_rule(answer.json()["error_msg"], case)


@pytest.mark.parametrize("name", corpus())
def test_v1_import(
    name,
    target: Target,
    media,
    temp_dir,
    settings,
    s3,
    hostile_bucket,
    inline_tasks,
    django_capture_on_commit_callbacks,
):
    case = hostile_case(name)
    case_settings(settings, case)
    path = obs_put(s3, hostile_bucket, case)
    objects, before = obs_keys(s3, hostile_bucket), row_counts()

    with django_capture_on_commit_callbacks(execute=True):
        started = v1_call(target, "POST", "jobs/import", {"path": path, "sameNamePolicy": "OVERWRITE"})
    assert started.status_code == 200, started.content
    shown = v1_call(target, "GET", f"system-tasks/{started.json()['taskId']}")

    assert shown.status_code == 200, shown.content
    body = shown.json()
    assert (body["status"], body["subtasks"]) == ("FAILED", []), body
    assert_refusal_names_entry_and_rule(body["message"], case)
    _assert_failed_task(SystemTask.objects.get(public_id=body["id"]), case)
    assert_rows_unchanged_but_one_failed_task(before)
    assert_nothing_left(media=media, temp_dir=temp_dir)
    assert obs_keys(s3, hostile_bucket) == objects
