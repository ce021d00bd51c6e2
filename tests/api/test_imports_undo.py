"""Import history and Undo through the console API, with a real Celery worker: the history lists each
import with who, when, the source, the package's sha256 and its counts; the preview says what the undo
would do; the undo (202) runs in the worker and is read through the task routes; its undo applies the
import again. Only the import's own user or a workspace admin may undo it."""

from __future__ import annotations

import hashlib
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from factory.development.models import Job
from factory.development.services import job_create
from tests.builders import client_for, job_document, member_make, package_bytes, package_job

JSON = "application/json"
TERMINAL = ("SUCCESSFUL", "FAILED")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def poll(client, url: str, until: tuple[str, ...], timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(url).json()
        if body["status"] in until:
            return body
        if time.monotonic() > deadline:
            pytest.fail(f"task still {body['status']} after {timeout:.0f}s: {body.get('message')}")
        time.sleep(0.2)


def _import(client, base: str, data: bytes, name: str = "jobs.zip") -> dict:
    started = client.post(f"{base}/imports/", {"file": SimpleUploadedFile(name, data), "policy": "overwrite"})
    assert started.status_code == 202, started.content
    task_url = f"{base}/imports/{started.json()['task']['id']}/"
    assert poll(client, task_url, ("WAITING", *TERMINAL))["status"] == "WAITING"
    assert client.post(f"{task_url}apply/", {}, JSON).status_code == 202
    done = poll(client, task_url, TERMINAL)
    assert done["status"] == "SUCCESSFUL", done["message"]
    return done


def test_history_preview_and_undo_through_the_api_and_the_worker(live_worker):
    from tests.transfer.importing import target_build

    t = target_build("api")
    viewer = member_make(t.workspace, "api_vic", "viewer")
    dev, bob, admin, vic = (client_for(u) for u in (t.dev, t.bob, t.admin, viewer))
    base = f"/api/workspaces/{t.workspace.pk}"
    job_create(workspace=t.workspace, user=t.admin, document=job_document("kept", connection="dws2"))
    before = Job.objects.get(workspace=t.workspace, name="kept").document
    data = package_bytes(jobs=[package_job("kept", description="imported"), package_job("fresh")])
    imported = _import(dev, base, data, "two.zip")

    history = dev.get(f"{base}/imports/history/")
    assert history.status_code == 200, history.content
    (row,) = history.json()["results"]
    assert row["id"] == imported["id"] and row["kind"] == "import" and row["createdBy"] == t.dev.username
    assert row["source"]["fileName"] == "two.zip" and row["sha256"] == hashlib.sha256(data).hexdigest()
    assert row["summary"]["overwritten"] == 1 and row["summary"]["created"] == 1
    assert row["canUndo"] is True and row["undoneBy"] is None
    assert bob.get(f"{base}/imports/history/").json()["count"] == 0  # developers see their own
    assert admin.get(f"{base}/imports/history/").json()["count"] == 1  # admins everybody's

    undo_url = f"{base}/imports/{imported['id']}/undo/"
    shown = dev.get(undo_url)
    assert shown.status_code == 200, shown.content
    assert shown.json()["summary"] == (
        "Restore 1 job to the state before the import; delete 1 job and 1 directory it created."
    )
    refused = bob.post(undo_url, {"force": False}, JSON)
    assert (refused.status_code, refused.json()["code"]) == (403, "not_import_owner")
    assert vic.post(undo_url, {}, JSON).json()["code"] == "role_required"

    started = dev.post(undo_url, {"force": False}, JSON)
    assert started.status_code == 202, started.content
    undo_id = started.json()["task"]["id"]
    undone = poll(dev, f"{base}/tasks/{undo_id}/", TERMINAL)
    assert undone["status"] == "SUCCESSFUL", undone["message"]
    assert undone["kind"] == "undo" and undone["result"]["report"]["summary"]["reversed"] == 3
    assert {(s["objectName"], s["detail"]["action"]) for s in undone["subtasks"]} == {
        ("kept", "restore"),
        ("fresh", "delete"),
        ("/etl", "delete"),
    }
    assert Job.objects.get(workspace=t.workspace, name="kept").document == before
    assert not Job.objects.filter(workspace=t.workspace, name="fresh").exists()

    rows = {r["id"]: r for r in admin.get(f"{base}/imports/history/").json()["results"]}
    assert rows[imported["id"]]["undoneBy"] == undo_id and rows[imported["id"]]["canUndo"] is False
    assert rows[undo_id]["undoes"] == imported["id"] and rows[undo_id]["canUndo"] is True
    again = dev.post(undo_url, {}, JSON)
    assert (again.status_code, again.json()["code"]) == (409, "import_not_undoable")

    # Undoing the undo (by an admin) applies the import again.
    redo = admin.post(f"{base}/imports/{undo_id}/undo/", {}, JSON)
    assert redo.status_code == 202, redo.content
    redone = poll(admin, f"{base}/tasks/{redo.json()['task']['id']}/", TERMINAL)
    assert redone["status"] == "SUCCESSFUL", redone["message"]
    assert Job.objects.get(workspace=t.workspace, name="fresh").document["name"] == "fresh"
    assert Job.objects.get(workspace=t.workspace, name="kept").document["description"] == "imported"
