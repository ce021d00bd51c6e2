"""The wizard's view of a running import: the progress its worker published through the cache, merged
into the task the console API returns while the row says RUNNING, and gone once the rows are committed."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from factory.transfer.models import SystemTask, TaskStatus
from factory.transfer.progress import ProgressPublisher
from tests.builders import client_for, package_bytes, package_job
from tests.transfer.importing import media_root, start, target_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(settings, tmp_path):
    """An inspected import of three jobs, set RUNNING in its apply step with one job published done."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    media_root(settings, tmp_path)
    cache.clear()
    target = target_build()
    task = start(
        target.workspace,
        target.dev,
        package_bytes(jobs=[package_job("a"), package_job("b"), package_job("c")]),
    )
    SystemTask.objects.filter(pk=task.pk).update(status=TaskStatus.RUNNING, step="apply")
    publisher = ProgressPublisher(public_id=task.public_id, step="apply", start=50, end=100)
    publisher.stage("Importing 3 object(s)...", total=3)
    publisher.object_done(type="job", name="a", outcome="created", message="Created job a.")
    publisher.object_running(type="job", name="b")
    publisher.publish(force=True)
    yield target, task
    cache.clear()


def test_a_running_import_shows_the_objects_written_so_far(running):
    target, task = running
    dev = client_for(target.dev)
    body = dev.get(f"/api/workspaces/{target.workspace.pk}/imports/{task.public_id}/").json()
    assert body["status"] == "RUNNING" and 50 < body["progress"] < 100
    assert body["message"] == "Importing 3 object(s)..."
    assert body["subtasks"] == [], "the rows are not committed yet"
    live = body["live"]
    assert (live["done"], live["total"], live["failed"]) == (1, 3, 0)
    assert [(o["name"], o["status"], o["outcome"]) for o in live["objects"]] == [
        ("a", "SUCCESSFUL", "created"),
        ("b", "RUNNING", ""),
    ]

    # The shared task view (the Download Center, the export dialog) reads the same.
    same = dev.get(f"/api/workspaces/{target.workspace.pk}/tasks/{task.public_id}/").json()
    assert same["progress"] == body["progress"] and same["live"] == live


def test_once_committed_the_rows_are_the_truth(running):
    target, task = running
    SystemTask.objects.filter(pk=task.pk).update(
        status=TaskStatus.SUCCESSFUL, step="done", progress=100, message="Import finished: 3 created."
    )
    body = (
        client_for(target.dev).get(f"/api/workspaces/{target.workspace.pk}/imports/{task.public_id}/").json()
    )
    assert body["live"] is None
    assert (body["progress"], body["message"]) == (100, "Import finished: 3 created.")


def test_others_do_not_see_the_progress_of_your_import(running):
    target, task = running
    response = client_for(target.bob).get(f"/api/workspaces/{target.workspace.pk}/imports/{task.public_id}/")
    assert response.status_code == 404


def test_the_schema_documents_the_live_progress(running):
    target, _ = running
    schema = client_for(target.dev).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]
    assert "live" in components["ImportTask"]["properties"]
    assert set(components["LiveProgress"]["properties"]) >= {"done", "total", "failed", "objects"}
