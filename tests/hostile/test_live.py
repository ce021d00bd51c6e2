"""Representative hostile packages through the real machinery: the Celery worker reading them from OBS
(SeaweedFS) or from an upload in default storage, the v1 import polled through ``system-tasks``, and
``manage.py import_jobs`` as a separate process. Only cases that need no lowered limit run on the worker
(it reads its settings at start), except on the command line, where the limit is an environment variable.

Nothing written is checked as the worker leaves it: no row but the failed task, no file left under the
task's ``imports/<id>/`` folder in default storage (FileSystemStorage leaves the emptied folder itself), no ``factory-import-*`` file in the temporary
directory, nothing new in the bucket.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from factory.transfer.models import SystemTask, TaskStatus
from tests.dataarts.sdk import signed_call
from tests.harness import REPO_ROOT, CeleryWorker
from tests.hostile.conftest import (
    Target,
    assert_refusal_names_entry_and_rule,
    assert_rows_unchanged_but_one_failed_task,
    corpus,
    obs_keys,
    obs_put,
    row_counts,
    target_build,
    temp_leftovers,
)
from tests.hostile.generate import hostile_case

TERMINAL = ("SUCCESSFUL", "FAILED")
ON_THE_WORKER = (
    "zip_slip",
    "symlink",
    "deflate_bomb_ratio",
    "deflate_bomb_lying_header",
    "many_entries_at_default_limit",
    "script_200mb",
    "non_utf8_name",
    "zip_in_zip",
    "malformed_json",
    "nodes_10000",
    "node_cycle",
    "pre_node_to_nothing",
)


@pytest.fixture
def live_target(live_worker: CeleryWorker, settings: Any) -> Target:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return target_build()


def _storage_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT) / "imports"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _poll(get: Any, until: tuple[str, ...], timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        body = get()
        if body["status"] in until:
            return body
        if time.monotonic() > deadline:
            pytest.fail(f"task still {body['status']} after {timeout:.0f}s: {body.get('message')}")
        time.sleep(0.2)


def _assert_refused_by_the_worker(
    task_id: str, case: Any, *, before: dict, storage: set, temps: list
) -> None:
    task = SystemTask.objects.get(public_id=task_id)
    assert task.status == TaskStatus.FAILED and task.step == "inspect", task.message
    assert_refusal_names_entry_and_rule(task.message, case)
    assert (task.result["error"]["code"], task.result["error"]["entry"]) == (
        case.expected_code,
        case.expected_entry,
    )
    assert_rows_unchanged_but_one_failed_task(before)
    assert _storage_files() == storage
    task_folder = Path(settings.MEDIA_ROOT) / "imports" / task_id
    assert not task_folder.exists() or not any(task_folder.iterdir())
    assert temp_leftovers(tempfile.gettempdir()) == temps


@pytest.mark.parametrize("name", corpus(only=ON_THE_WORKER))
def test_wizard_obs_path_on_the_worker(name, live_target: Target, s3, hostile_bucket):
    case = hostile_case(name)
    path = obs_put(s3, hostile_bucket, case)
    objects, before = obs_keys(s3, hostile_bucket), row_counts()
    storage, temps = _storage_files(), temp_leftovers(tempfile.gettempdir())

    started = live_target.client.post(live_target.imports_url, {"obsPath": path}, "application/json")
    assert started.status_code == 202, started.content
    url = f"{live_target.imports_url}{started.json()['task']['id']}/"
    body = _poll(lambda: live_target.client.get(url).json(), ("WAITING", *TERMINAL))

    assert body["status"] == "FAILED" and body["inspection"] is None, body["message"]
    _assert_refused_by_the_worker(body["id"], case, before=before, storage=storage, temps=temps)
    assert obs_keys(s3, hostile_bucket) == objects


@pytest.mark.parametrize("name", corpus(only=("zip_slip", "script_200mb", "many_entries_at_default_limit")))
def test_wizard_upload_on_the_worker(name, live_target: Target):
    case = hostile_case(name)
    before, storage, temps = row_counts(), _storage_files(), temp_leftovers(tempfile.gettempdir())

    upload = SimpleUploadedFile(f"{name}.zip", case.data, content_type="application/zip")
    started = live_target.client.post(live_target.imports_url, {"file": upload})
    assert started.status_code == 202, started.content
    url = f"{live_target.imports_url}{started.json()['task']['id']}/"
    body = _poll(lambda: live_target.client.get(url).json(), ("WAITING", *TERMINAL))

    assert body["status"] == "FAILED", body["message"]
    _assert_refused_by_the_worker(body["id"], case, before=before, storage=storage, temps=temps)


@pytest.mark.parametrize("name", corpus(only=("deflate_bomb_ratio", "pre_node_to_nothing")))
def test_v1_import_on_the_worker(name, live_target: Target, s3, hostile_bucket):
    case = hostile_case(name)
    path = obs_put(s3, hostile_bucket, case)
    before, storage, temps = row_counts(), _storage_files(), temp_leftovers(tempfile.gettempdir())

    def call(method: str, path_: str, body: dict | None = None) -> Any:
        raw = json.dumps(body).encode() if body is not None else None
        url = f"/v1/{live_target.project_id}/{path_}"
        return signed_call(Client(), ak=live_target.ak, sk=live_target.sk, method=method, path=url, body=raw)

    started = call("POST", "jobs/import", {"path": path})
    assert started.status_code == 200, started.content
    task_id = started.json()["taskId"]
    body = _poll(lambda: call("GET", f"system-tasks/{task_id}").json(), TERMINAL)

    assert body["status"] == "FAILED" and body["subtasks"] == [], body
    assert_refusal_names_entry_and_rule(body["message"], case)
    _assert_refused_by_the_worker(task_id, case, before=before, storage=storage, temps=temps)


def test_a_package_the_database_cannot_store_does_not_leave_its_task_running(
    live_target: Target, live_worker
):
    case = hostile_case("nul_character_in_a_value")
    upload = SimpleUploadedFile("nul.zip", case.data, content_type="application/zip")
    started = live_target.client.post(live_target.imports_url, {"file": upload})
    task_id = started.json()["task"]["id"]
    _worker_idle(live_worker, lambda: SystemTask.objects.get(public_id=task_id).status != TaskStatus.PENDING)

    task = SystemTask.objects.get(public_id=task_id)
    assert task.status == TaskStatus.FAILED, f"the task is {task.status} with the worker idle"
    second = live_target.client.post(
        live_target.imports_url, {"file": SimpleUploadedFile("next.zip", hostile_case("zip_slip").data)}
    )
    assert second.status_code == 202, second.content


def _worker_idle(worker: CeleryWorker, started: Any, timeout: float = 30.0) -> None:
    """Wait until the task left PENDING and the worker runs nothing any more."""
    from factory.celery import app

    inspect = app.control.inspect(destination=[worker.hostname], timeout=1.0)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if started():
            active, reserved = inspect.active() or {}, inspect.reserved() or {}
            if not active.get(worker.hostname) and not reserved.get(worker.hostname):
                return
        time.sleep(0.2)
    pytest.fail(f"the worker was still busy after {timeout:.0f}s")


# --- the command line as a process --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "environment"),
    [
        ("zip_slip", {}),
        ("nodes_10000", {}),
        ("many_entries", {"PACKAGE_MAX_ENTRIES": "50"}),
    ],
)
def test_cli_process(name, environment, celery_worker: CeleryWorker, transactional_db, tmp_path, settings):
    """``python manage.py import_jobs`` in its own process on the test database: exit status 1, the
    refusal on stderr, nothing on stdout, nothing imported."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    target_build()
    case = hostile_case(name)
    package = tmp_path / f"{name}.zip"
    package.write_bytes(case.data)
    before, temps = row_counts(), temp_leftovers(tempfile.gettempdir())

    done = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "import_jobs",
            str(package),
            "--workspace",
            "hostile_ws",
            "--user",
            "hdev",
        ],
        cwd=REPO_ROOT,
        env={**celery_worker.env, **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("CommandError: The package was refused: "), done.stderr
    assert "Traceback" not in done.stderr
    assert_refusal_names_entry_and_rule(done.stderr, case)
    task = SystemTask.objects.get()
    assert (task.status, task.result["error"]["code"]) == (TaskStatus.FAILED, case.expected_code)
    assert_rows_unchanged_but_one_failed_task(before)
    assert temp_leftovers(tempfile.gettempdir()) == temps
