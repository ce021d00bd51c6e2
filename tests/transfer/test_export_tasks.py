"""Background exports: large selections and OBS paths become a SystemTask and a Download Center entry;
the task body (``export_run``) is idempotent, reports progress and leaves nothing half-written.

The Celery path itself (a real worker, SeaweedFS) is in ``test_export_obs.py``; here the task body runs
in the test process."""

from __future__ import annotations

import json
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from factory.errors import Conflict
from factory.obs import ObsError
from factory.transfer.exports import ExportRequest, export_artifact_delete, export_run, export_start
from factory.transfer.exports import stream as export_package
from factory.transfer.models import ExportArtifact, SystemTask, TaskStatus
from factory.transfer.selectors import export_artifact_list
from tests.transfer.exporting import zip_entries

pytestmark = pytest.mark.django_db


@pytest.fixture
def local_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def small_sync_limit(settings):
    settings.EXPORT_SYNC_MAX_JOBS = 1


@pytest.fixture
def enqueued(monkeypatch):
    """The task ids handed to Celery (nothing is sent to a broker)."""
    sent: list[int] = []
    monkeypatch.setattr("factory.transfer.tasks.export_run.delay", sent.append)
    return sent


def start(world, django_capture_on_commit_callbacks, **request):
    with django_capture_on_commit_callbacks(execute=True):
        return export_start(workspace=world.workspace, user=world.dev, request=ExportRequest(**request))


def test_small_exports_stream_at_once(export_world, enqueued, django_capture_on_commit_callbacks):
    started = start(export_world, django_capture_on_commit_callbacks, job_names=("doc1",))

    assert started.task is None and started.file_name == "DLF_doc1.zip"
    assert set(zip_entries(b"".join(started.stream))) == {"jobs/doc1.job", "manifest.json"}
    assert enqueued == [] and not SystemTask.objects.exists()


def test_large_exports_become_a_task_and_a_download(
    export_world, enqueued, local_storage, small_sync_limit, django_capture_on_commit_callbacks
):
    started = start(export_world, django_capture_on_commit_callbacks, job_names=("doc1", "daily_load"))

    task = started.task
    assert task.status == TaskStatus.PENDING and task.kind == "export"
    assert enqueued == [task.pk]  # sent once the rows were committed
    artifact = ExportArtifact.objects.get(task=task)
    assert (artifact.file_name, artifact.user, artifact.size) == ("jobs.zip", export_world.dev, None)

    export_run(task_id=task.pk)

    task.refresh_from_db()
    artifact.refresh_from_db()
    assert (task.status, task.step, task.progress) == (TaskStatus.SUCCESSFUL, "done", 100)
    assert task.started_at and task.ended_at and task.attempts == 1
    assert artifact.storage_name == f"exports/{task.public_id}/jobs.zip"
    with default_storage.open(artifact.storage_name, "rb") as handle:
        data = handle.read()
    assert artifact.size == len(data)
    assert set(zip_entries(data)) == {"jobs/doc1/doc1.job", "jobs/daily_load/daily_load.job", "manifest.json"}
    assert task.result["fileName"] == "jobs.zip" and task.result["jobs"] == ["daily_load", "doc1"]
    assert "2 jobs" in task.message


def test_the_result_of_a_task_lists_the_references_of_its_manifest(
    export_world, enqueued, local_storage, small_sync_limit, django_capture_on_commit_callbacks
):
    task = start(
        export_world,
        django_capture_on_commit_callbacks,
        job_names=("doc1", "daily_load"),
        scope="with_dependencies",
    ).task
    export_run(task_id=task.pk)

    task.refresh_from_db()
    with default_storage.open(ExportArtifact.objects.get(task=task).storage_name, "rb") as handle:
        with zipfile.ZipFile(handle) as archive:
            manifest = json.loads(archive.read("manifest.json"))
    assert task.status == TaskStatus.SUCCESSFUL, task.message
    assert manifest["references"], "the jobs refer to something"
    assert task.result["references"] == manifest["references"]
    assert task.result["jobs"] == ["daily_load", "doc1"] and task.result["fileName"] == "jobs.zip"


def test_a_task_delivered_twice_runs_once(
    export_world, enqueued, local_storage, small_sync_limit, django_capture_on_commit_callbacks
):
    task = start(export_world, django_capture_on_commit_callbacks, job_names=("doc1", "daily_load")).task
    export_run(task_id=task.pk)
    task.refresh_from_db()
    first = (task.ended_at, task.attempts, ExportArtifact.objects.get(task=task).storage_name)

    export_run(task_id=task.pk)

    task.refresh_from_db()
    assert (task.ended_at, task.attempts, ExportArtifact.objects.get(task=task).storage_name) == first


def test_a_task_whose_worker_died_is_taken_over(
    export_world, enqueued, local_storage, small_sync_limit, settings, django_capture_on_commit_callbacks
):
    task = start(export_world, django_capture_on_commit_callbacks, job_names=("doc1", "daily_load")).task
    SystemTask.objects.filter(pk=task.pk).update(status=TaskStatus.RUNNING, attempts=1)
    export_run(task_id=task.pk)  # still fresh: another worker may be on it
    assert SystemTask.objects.get(pk=task.pk).status == TaskStatus.RUNNING

    stale = timezone.now() - timezone.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    SystemTask.objects.filter(pk=task.pk).update(updated_at=stale)
    export_run(task_id=task.pk)

    task.refresh_from_db()
    assert task.status == TaskStatus.SUCCESSFUL and task.attempts == 2


def test_a_failure_while_writing_leaves_nothing_behind(
    export_world, enqueued, local_storage, small_sync_limit, monkeypatch, django_capture_on_commit_callbacks
):
    task = start(export_world, django_capture_on_commit_callbacks, job_names=("doc1", "daily_load")).task
    real_write = export_package.package_write

    def broken_write(**kwargs):
        stream = real_write(**kwargs)
        yield next(stream)
        raise ObsError("The disk went away.", code="obs_write_failed")

    monkeypatch.setattr(export_package, "package_write", broken_write)
    export_run(task_id=task.pk)

    task.refresh_from_db()
    assert task.status == TaskStatus.FAILED and task.message == "The disk went away."
    artifact = ExportArtifact.objects.get(task=task)
    assert artifact.storage_name == "" and artifact.size is None
    assert not default_storage.exists(f"exports/{task.public_id}/jobs.zip")
    assert not list(local_storage.rglob("*.zip"))


def test_a_job_deleted_before_the_task_runs_fails_it_by_name(
    export_world, enqueued, local_storage, small_sync_limit, django_capture_on_commit_callbacks
):
    task = start(export_world, django_capture_on_commit_callbacks, job_names=("doc1", "daily_load")).task
    export_world.jobs["doc1"].delete()

    export_run(task_id=task.pk)

    task.refresh_from_db()
    assert task.status == TaskStatus.FAILED and "doc1" in task.message


def test_an_obs_path_always_runs_in_the_background(
    export_world, enqueued, obs_bucket, django_capture_on_commit_callbacks
):
    started = start(
        export_world,
        django_capture_on_commit_callbacks,
        job_names=("doc1",),
        obs_path=f"obs://{obs_bucket}/out/",
    )

    assert started.task is not None
    assert ExportArtifact.objects.get(task=started.task).obs_path == f"obs://{obs_bucket}/out/DLF_doc1.zip"
    folder = start(
        export_world,
        django_capture_on_commit_callbacks,
        job_names=("doc1",),
        obs_path=f"obs://{obs_bucket}/a/b",
    )
    assert ExportArtifact.objects.get(task=folder.task).obs_path == f"obs://{obs_bucket}/a/b/DLF_doc1.zip"


def test_an_obs_path_without_obs_is_refused_at_once(
    export_world, enqueued, settings, django_capture_on_commit_callbacks
):
    settings.OBS_ENDPOINT = ""
    with pytest.raises(ObsError) as caught:
        start(
            export_world, django_capture_on_commit_callbacks, job_names=("doc1",), obs_path="obs://bkt/out/"
        )
    assert caught.value.code == "obs_unavailable"
    assert not SystemTask.objects.exists()


def test_download_center_entries_are_per_user_and_admins_see_all(
    export_world, enqueued, local_storage, small_sync_limit, django_capture_on_commit_callbacks
):
    mine = start(export_world, django_capture_on_commit_callbacks, job_names=("doc1", "daily_load")).task
    with django_capture_on_commit_callbacks(execute=True):
        theirs = export_start(
            workspace=export_world.workspace,
            user=export_world.admin,
            request=ExportRequest(job_names=("parent", "child")),
        ).task
    ws = export_world.workspace

    assert [a.task for a in export_artifact_list(workspace=ws, user=export_world.dev, is_admin=False)] == [
        mine
    ]
    assert {a.task for a in export_artifact_list(workspace=ws, user=export_world.admin, is_admin=True)} == {
        mine,
        theirs,
    }


def test_deleting_a_download_removes_its_file_but_not_while_running(
    export_world, enqueued, local_storage, small_sync_limit, django_capture_on_commit_callbacks
):
    task = start(export_world, django_capture_on_commit_callbacks, job_names=("doc1", "daily_load")).task
    artifact = ExportArtifact.objects.get(task=task)
    ws, dev = export_world.workspace, export_world.dev

    with pytest.raises(Conflict):
        export_artifact_delete(workspace=ws, user=dev, is_admin=False, artifact_id=artifact.pk)

    export_run(task_id=task.pk)
    name = ExportArtifact.objects.get(pk=artifact.pk).storage_name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        export_artifact_delete(workspace=ws, user=dev, is_admin=False, artifact_id=artifact.pk)
    assert not default_storage.exists(name)
    assert not ExportArtifact.objects.filter(pk=artifact.pk).exists()
