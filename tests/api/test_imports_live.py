"""The import wizard end to end: the console API, a real Celery worker and SeaweedFS as OBS.

Run with the services: ``.venv/bin/python -m devtools.servers run --need postgres,redis,seaweedfs --
.venv/bin/python -m pytest tests/api/test_imports_live.py``.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from factory.connections.models import DataConnection
from factory.development.models import Job, JobVersion, VersionKind
from factory.transfer.models import SystemTask, TaskStatus
from tests.builders import client_for, package_bytes, package_job
from tests.hostile.packages import HOSTILE
from tests.transfer.exporting import export_world_build
from tests.transfer.importing import counts

JSON = "application/json"
TERMINAL = ("SUCCESSFUL", "FAILED")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def poll(client, url: str, until: tuple[str, ...], timeout: float = 60.0) -> dict:
    """GET ``url`` (a task) until its status is one of ``until``, as the browser polls it."""
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(url).json()
        if body["status"] in until:
            return body
        if time.monotonic() > deadline:
            pytest.fail(f"task still {body['status']} after {timeout:.0f}s: {body.get('message')}")
        time.sleep(0.2)


def test_the_reference_worked_example_through_obs_and_the_worker(live_worker, obs_bucket, s3):
    """Export doc1 (DWS SQL on connection doctest) to OBS, delete doctest, import from OBS choosing another
    DWS connection: doc1 now uses it, with a new submitted version and the importer's lock."""
    world = export_world_build()
    dev = client_for(world.dev)
    base = f"/api/workspaces/{world.workspace.pk}"

    exported = dev.post(
        f"{base}/exports/",
        {"jobIds": [world.jobs["doc1"].pk], "obsPath": f"obs://{obs_bucket}/exports/"},
        JSON,
    )
    assert exported.status_code == 202, exported.content
    export_task = poll(dev, f"{base}/tasks/{exported.json()['task']['id']}/", TERMINAL)
    assert export_task["status"] == "SUCCESSFUL", export_task["message"]
    package_path = export_task["result"]["obsPath"]
    assert package_path == f"obs://{obs_bucket}/exports/DLF_doc1.zip"

    doctest = DataConnection.objects.get(workspace=world.workspace, name="doctest")
    assert dev.delete(f"{base}/connections/{doctest.pk}/").status_code == 204

    browsed = dev.get(f"{base}/obs/browse/", {"path": f"obs://{obs_bucket}/exports/"}).json()
    assert [o["path"] for o in browsed["objects"]] == [package_path]
    started = dev.post(f"{base}/imports/", {"obsPath": package_path, "policy": "overwrite"}, JSON)
    assert started.status_code == 202, started.content
    task_url = f"{base}/imports/{started.json()['task']['id']}/"

    inspected = poll(dev, task_url, ("WAITING", *TERMINAL))
    assert inspected["status"] == "WAITING", inspected["message"]
    (group,) = inspected["inspection"]["missing"]
    assert (group["kind"], group["connectionType"], group["references"][0]["name"]) == (
        "connection",
        "DWS",
        "doctest",
    )
    assert group["candidates"] == ["unused_conn"]

    applied = dev.post(
        f"{task_url}apply/",
        {"mapping": [{"kind": "connection", "name": "doctest", "replace": "unused_conn"}]},
        JSON,
    )
    assert applied.status_code == 202, applied.content
    done = poll(dev, task_url, TERMINAL)
    assert done["status"] == "SUCCESSFUL", done["message"]

    doc1 = Job.objects.get(pk=world.jobs["doc1"].pk)
    props = {p["name"]: p["value"] for p in doc1.document["nodes"][0]["properties"]}
    assert props["connectionName"] == "unused_conn"
    version = JobVersion.objects.filter(job=doc1, kind=VersionKind.SUBMITTED).latest("number")
    assert version.description == "Imported from DLF_doc1.zip" and version.created_by == world.dev
    assert doc1.lock_holder == world.dev and doc1.is_submitted
    assert done["report"]["overwritten"][0]["versionId"] == version.pk


def test_an_uploaded_package_is_read_by_the_worker_from_storage(live_worker, settings):
    world = export_world_build()
    dev = client_for(world.dev)
    base = f"/api/workspaces/{world.workspace.pk}"
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = package_bytes(jobs=[package_job("uploaded")])
    started = dev.post(f"{base}/imports/", {"file": SimpleUploadedFile("up.zip", data), "policy": "skip"})
    task_url = f"{base}/imports/{started.json()['task']['id']}/"
    assert poll(dev, task_url, ("WAITING", *TERMINAL))["status"] == "WAITING"
    dev.post(f"{task_url}apply/", {}, JSON)

    assert poll(dev, task_url, TERMINAL)["status"] == "SUCCESSFUL"
    assert Job.objects.filter(workspace=world.workspace, name="uploaded").exists()
    # This import's upload is deleted (other tests of the session may leave theirs: look at this one's).
    task_id = started.json()["task"]["id"]
    media = settings.MEDIA_ROOT
    imports_dir = media / "imports" / task_id if hasattr(media, "__truediv__") else None
    assert imports_dir is None or not any(p.is_file() for p in imports_dir.rglob("*"))


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing_object", "There is no OBS object at obs://{bucket}/nothing-here.zip"),
        ("missing_bucket", "The OBS bucket 'no-such-bucket-42' does not exist"),
        ("hostile", "The package was refused: ../evil.job: entry path leads outside the package"),
    ],
)
def test_unreadable_or_refused_obs_packages_fail_the_task_and_write_nothing(
    live_worker, obs_bucket, s3, case, message
):
    world = export_world_build()
    dev = client_for(world.dev)
    base = f"/api/workspaces/{world.workspace.pk}"
    path = {
        "missing_object": f"obs://{obs_bucket}/nothing-here.zip",
        "missing_bucket": "obs://no-such-bucket-42/x.zip",
        "hostile": f"obs://{obs_bucket}/evil.zip",
    }[case]
    s3.put_object(Bucket=obs_bucket, Key="evil.zip", Body=HOSTILE["zip_slip"][0]())
    before = counts()

    started = dev.post(f"{base}/imports/", {"obsPath": path}, JSON)
    body = poll(dev, f"{base}/imports/{started.json()['task']['id']}/", TERMINAL)

    assert body["status"] == "FAILED"
    assert message.format(bucket=obs_bucket) in body["message"]
    assert counts() == before


def test_a_worker_killed_mid_apply_leaves_no_partial_import_and_no_task_stuck_running(live_worker):
    world = export_world_build()
    dev = client_for(world.dev)
    base = f"/api/workspaces/{world.workspace.pk}"
    from django.core.files.uploadedfile import SimpleUploadedFile

    many = package_bytes(
        jobs=[package_job(f"bulk_{i:04d}", directory=f"/bulk/d{i % 20}") for i in range(600)], layout="batch"
    )
    started = dev.post(f"{base}/imports/", {"file": SimpleUploadedFile("bulk.zip", many)})
    task_url = f"{base}/imports/{started.json()['task']['id']}/"
    assert poll(dev, task_url, ("WAITING", *TERMINAL))["status"] == "WAITING"
    dev.post(f"{task_url}apply/", {}, JSON)
    poll(dev, task_url, ("RUNNING", *TERMINAL), timeout=30)
    live_worker.kill()

    imported = Job.objects.filter(workspace=world.workspace, name__startswith="bulk_").count()
    task = SystemTask.objects.get(public_id=started.json()["task"]["id"])
    assert imported in (0, 600), "a partial import is visible"
    if task.status == TaskStatus.RUNNING:
        # The message is redelivered only after the broker's visibility timeout; the read path's safety
        # net fails the task once Celery's time limit has passed without progress.
        SystemTask.objects.filter(pk=task.pk).update(
            updated_at=timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1)
        )
        body = dev.get(task_url).json()
        assert body["status"] == "FAILED" and "worker stopped" in body["message"]
        assert imported == 0
    live_worker.start()
    retry = dev.post(
        f"{base}/imports/",
        {"file": SimpleUploadedFile("small.zip", package_bytes(jobs=[package_job("after")]))},
    )
    assert retry.status_code == 202


def test_two_imports_racing_for_one_workspace_one_wins(transactional_db, monkeypatch):
    """The check runs under a lock of the workspace row (and a partial unique index backs it): of two
    imports started at the same instant, exactly one is accepted."""
    import threading

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from factory.errors import Conflict
    from factory.transfer.imports import import_create
    from factory.transfer.imports import start as import_services
    from tests.harness import require_postgresql
    from tests.transfer.importing import target_build

    require_postgresql("racing imports")
    monkeypatch.setattr(import_services, "_enqueue", lambda name, task_id: None)
    target = target_build()
    for round_ in range(5):
        barrier, results = threading.Barrier(2), []

        def start(user, results=results, barrier=barrier):
            try:
                barrier.wait()
                data = package_bytes(jobs=[package_job("raced")])
                import_create(workspace=target.workspace, user=user, upload=SimpleUploadedFile("r.zip", data))
                results.append("accepted")
            except Conflict as exc:
                results.append(exc.code)
            finally:
                connection.close()

        threads = [threading.Thread(target=start, args=(u,)) for u in (target.dev, target.bob)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) == ["accepted", "import_running"], (round_, results)
        SystemTask.objects.filter(status=TaskStatus.PENDING).update(status=TaskStatus.FAILED)


def test_the_wizard_sees_objects_fill_in_while_the_worker_applies(live_worker):
    """The apply writes everything in one transaction, invisible until it commits; the worker's progress,
    published through the shared cache, shows some objects done (not all) while the task is RUNNING, and
    once it finished the committed rows take over."""
    world = export_world_build()
    dev = client_for(world.dev)
    base = f"/api/workspaces/{world.workspace.pk}"
    from django.core.files.uploadedfile import SimpleUploadedFile

    total = 3000  # about 2 s of apply on a 2-core box (written in batches): polls land part way through
    many = package_bytes(
        jobs=[package_job(f"live_{i:04d}", directory=f"/live/d{i % 10}") for i in range(total)],
        layout="batch",
    )
    started = dev.post(f"{base}/imports/", {"file": SimpleUploadedFile("live.zip", many)})
    task_url = f"{base}/imports/{started.json()['task']['id']}/"
    assert poll(dev, task_url, ("WAITING", *TERMINAL))["status"] == "WAITING"
    dev.post(f"{task_url}apply/", {}, JSON)

    midway: list[dict] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        body = dev.get(task_url).json()
        if body["status"] in TERMINAL:
            break
        live = body["live"]
        if body["status"] == "RUNNING" and live and 0 < live["done"] < live["total"]:
            midway.append(body)
        time.sleep(0.05)
    assert body["status"] == "SUCCESSFUL", body["message"]
    assert midway, "no poll saw the apply part way through"
    seen = midway[len(midway) // 2]
    assert 0 < seen["progress"] < 100
    assert seen["live"]["total"] == total and seen["live"]["objects"]
    assert all(o["status"] in ("RUNNING", "SUCCESSFUL") for o in seen["live"]["objects"])
    assert {o["name"] for o in seen["live"]["objects"]} <= {f"live_{i:04d}" for i in range(total)}
    assert seen["subtasks"] == [], "the rows of a running apply are not visible"
    assert Job.objects.filter(workspace=world.workspace, name__startswith="live_").count() == total
    assert body["live"] is None and body["progress"] == 100 and len(body["subtasks"]) == total
