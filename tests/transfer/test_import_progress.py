"""Live progress of an import: what the worker publishes through the cache while its one transaction hides
the rows, and that nothing of it stays behind once the rows are committed."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache

from factory.transfer import progress as progress_module
from factory.transfer.models import SystemTask, TaskStatus
from factory.transfer.progress import (
    MAX_LIVE_OBJECTS,
    ProgressPublisher,
    progress_key,
    task_live_merge,
    task_progress_get,
)
from tests.builders import package_bytes, package_job, package_resource, package_script
from tests.transfer.importing import apply, media_root, start, target_build

pytestmark = pytest.mark.django_db


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_cache_is_shared_between_processes():
    """Web and worker are different processes: a per-process cache would show the wizard nothing."""
    backend = settings.CACHES["default"]["BACKEND"]
    assert backend in (
        "django.core.cache.backends.redis.RedisCache",
        "django.core.cache.backends.filebased.FileBasedCache",
    )
    if settings.REDIS_URL:
        assert backend.endswith("RedisCache") and settings.CACHES["default"]["LOCATION"] == settings.REDIS_URL
    else:
        assert settings.CACHES["default"]["LOCATION"] == str(settings.VAR_DIR / "cache")


def test_the_publisher_throttles_objects_but_always_publishes_stages():
    clock = FakeClock()
    publisher = ProgressPublisher(public_id="p1", step="apply", start=50, end=100, clock=clock)
    publisher.stage("Importing 4 object(s)...", total=4)
    live = task_progress_get(public_id="p1")
    assert {k: live[k] for k in ("step", "progress", "done", "total", "objects", "message")} == {
        "step": "apply",
        "progress": 50,
        "done": 0,
        "total": 4,
        "objects": [],
        "message": "Importing 4 object(s)...",
    }

    publisher.object_done(type="job", name="a", outcome="created", message="Created job a.")
    assert task_progress_get(public_id="p1")["done"] == 0, "written again within 0.25 s"

    clock.now += 0.3
    publisher.object_running(type="job", name="b")
    live = task_progress_get(public_id="p1")
    assert (live["done"], live["progress"]) == (1, 62)
    assert live["objects"] == [
        {
            "order": 1,
            "type": "job",
            "name": "a",
            "status": "SUCCESSFUL",
            "outcome": "created",
            "message": "Created job a.",
        },
        {"order": 2, "type": "job", "name": "b", "status": "RUNNING", "outcome": "", "message": ""},
    ]

    for name in ("b", "c", "d"):
        publisher.object_done(type="job", name=name, outcome="failed" if name == "c" else "overwritten")
    publisher.stage("Recording the new versions...")
    live = task_progress_get(public_id="p1")
    assert (live["done"], live["total"], live["failed"]) == (4, 4, 1)
    assert live["progress"] == 99, "100 only once the rows are committed"
    assert [o["status"] for o in live["objects"]] == ["SUCCESSFUL", "SUCCESSFUL", "FAILED", "SUCCESSFUL"]
    assert live["message"] == "Recording the new versions..."


def test_the_payload_lists_only_the_latest_objects():
    publisher = ProgressPublisher(public_id="p2", step="apply", interval=0)
    publisher.stage("Importing...", total=MAX_LIVE_OBJECTS + 10)
    for i in range(MAX_LIVE_OBJECTS + 10):
        publisher.object_done(type="job", name=f"j{i}", outcome="created", message="x" * 2000)
    live = task_progress_get(public_id="p2")
    assert len(live["objects"]) == MAX_LIVE_OBJECTS
    assert live["objects"][0]["order"] == 11 and live["objects"][-1]["order"] == MAX_LIVE_OBJECTS + 10
    assert len(live["objects"][0]["message"]) <= progress_module.MAX_MESSAGE_CHARS


def test_a_cache_that_is_down_never_fails_the_import(monkeypatch, settings, tmp_path):
    media_root(settings, tmp_path)

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(progress_module.cache, "set", down)
    monkeypatch.setattr(progress_module.cache, "get", down)
    monkeypatch.setattr(progress_module.cache, "delete", down)
    target = target_build()
    task = start(target.workspace, target.dev, package_bytes(jobs=[package_job("a")]))
    task = apply(task, target.dev)
    assert task.status == TaskStatus.SUCCESSFUL
    assert task_live_merge(task).live is None


def test_every_object_is_published_as_it_is_written_and_the_key_is_gone_after_the_commit(
    monkeypatch, settings, tmp_path
):
    media_root(settings, tmp_path)
    published: list[dict] = []
    real_set = progress_module.cache.set

    def spy(key, value, *args, **kwargs):
        published.append(value)
        return real_set(key, value, *args, **kwargs)

    monkeypatch.setattr(progress_module.cache, "set", spy)
    monkeypatch.setattr(progress_module, "PUBLISH_INTERVAL", 0)  # every object, for the record
    target = target_build()
    data = package_bytes(
        jobs=[package_job("j1"), package_job("j2")],
        scripts=[package_script("s1", connection="dws2")],
        resources=[package_resource("r1")],
    )
    task = start(target.workspace, target.dev, data)
    inspect_steps = {p["step"] for p in published}
    assert inspect_steps == {"inspect"} and published[-1]["progress"] == 25
    published.clear()

    task = apply(task, target.dev)
    assert task.status == TaskStatus.SUCCESSFUL, task.message
    assert {p["step"] for p in published} == {"apply"}
    assert published[0]["message"] == "Reading jobs.zip..."
    progresses = [p["progress"] for p in published]
    assert progresses == sorted(progresses) and 50 <= progresses[0] and progresses[-1] == 99
    # Every object went through RUNNING then its outcome, resources and scripts before jobs.
    finished = published[-1]["objects"]
    assert [(o["type"], o["name"], o["status"]) for o in finished] == [
        ("resource", "r1", "SUCCESSFUL"),
        ("script", "s1", "SUCCESSFUL"),
        ("job", "j1", "SUCCESSFUL"),
        ("job", "j2", "SUCCESSFUL"),
    ]
    assert any(o["status"] == "RUNNING" and o["name"] == "j2" for p in published for o in p["objects"])
    midway = [p for p in published if 0 < p["done"] < p["total"]]
    assert midway and all(50 < p["progress"] < 100 for p in midway)
    assert cache.get(progress_key(task.public_id)) is None
    assert task.progress == 100 and task.subtasks.count() == 4


def test_the_live_progress_is_merged_only_while_the_task_runs(settings, tmp_path):
    media_root(settings, tmp_path)
    target = target_build()
    task = start(target.workspace, target.dev, package_bytes(jobs=[package_job("a")]))
    publisher = ProgressPublisher(public_id=task.public_id, step="apply", start=50, end=100)
    publisher.stage("Importing 2 object(s)...", total=2)
    publisher.object_done(type="job", name="a", outcome="created")
    publisher.publish(force=True)

    assert task_live_merge(task).live is None, "WAITING: the row is the truth"
    SystemTask.objects.filter(pk=task.pk).update(status=TaskStatus.RUNNING, step="apply")
    task.refresh_from_db()
    merged = task_live_merge(task)
    assert merged.live["done"] == 1 and merged.progress == 75
    assert merged.message == "Importing 2 object(s)..."
    task.refresh_from_db()
    assert task.progress == 50, "never saved"

    SystemTask.objects.filter(pk=task.pk).update(step="inspect")
    task.refresh_from_db()
    assert task_live_merge(task).live is None, "progress of another step is stale"
