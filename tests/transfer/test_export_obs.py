"""Background exports for real: a Celery worker process, PostgreSQL and SeaweedFS standing in for OBS.

Exports to ``obs://bucket/prefix/`` land at ``<prefix><file name>``, to ``obs://bucket/key.zip`` at that
key; large exports land in the Download Center. A missing bucket, a refused write or a failure half-way
through fail the task with a message naming the culprit and leave no object, no multipart upload and no
ready download behind.
"""

from __future__ import annotations

import time

import pytest
from django.test import Client

from factory.obs import ObsError
from factory.transfer.exports import ExportRequest, export_run, export_start
from factory.transfer.exports import stream as export_package
from factory.transfer.models import ExportArtifact, SystemTask, TaskStatus
from tests.transfer.exporting import WORLD_SECRETS, assert_no_secret, export_world_build, zip_entries

JSON = "application/json"


def wait_done(task_pk: int, timeout: float = 60.0) -> SystemTask:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        task = SystemTask.objects.get(pk=task_pk)
        if task.status in (TaskStatus.SUCCESSFUL, TaskStatus.FAILED):
            return task
        time.sleep(0.2)
    raise AssertionError(f"export task {task_pk} still {task.status} ({task.step}) after {timeout:.0f}s")


def objects_in(s3, bucket: str) -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def uploads_in(s3, bucket: str) -> list[str]:
    return [u["Key"] for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])]


def start(world, **request):
    return export_start(workspace=world.workspace, user=world.dev, request=ExportRequest(**request))


# --- through the worker ------------------------------------------------------------------------------


def test_export_writes_the_dataarts_file_name_into_the_folder(live_worker, obs_bucket, s3):
    world = export_world_build()

    folder = start(world, job_names=("doc1",), scope="with_dependencies", obs_path=f"obs://{obs_bucket}/out/")
    no_slash = start(world, job_names=("doc1", "secret_job"), obs_path=f"obs://{obs_bucket}/named")

    for started in (folder, no_slash):
        task = wait_done(started.task.pk)
        assert task.status == TaskStatus.SUCCESSFUL, task.message
    assert sorted(objects_in(s3, obs_bucket)) == ["named/jobs.zip", "out/DLF_doc1.zip"]
    single = s3.get_object(Bucket=obs_bucket, Key="out/DLF_doc1.zip")["Body"].read()
    assert {"jobs/doc1.job", "scripts/dws_script.script", "connections/doctest.conn"} <= set(
        zip_entries(single)
    )
    batch = s3.get_object(Bucket=obs_bucket, Key="named/jobs.zip")["Body"].read()
    assert {"jobs/doc1/doc1.job", "jobs/secret_job/secret_job.job", "manifest.json"} == set(
        zip_entries(batch)
    )
    assert_no_secret(batch, WORLD_SECRETS)
    artifact = ExportArtifact.objects.get(task=no_slash.task)
    assert artifact.obs_path == f"obs://{obs_bucket}/named/jobs.zip" and artifact.size == len(batch)
    assert uploads_in(s3, obs_bucket) == []


def test_an_export_names_a_folder_never_an_object_to_replace(live_worker, obs_bucket, s3):
    """A user path could name any object the server may write (another workspace's package): an export
    takes a folder, writes DataArts' own file name into it, and replaces nothing unless asked to."""
    world = export_world_build()
    s3.put_object(Bucket=obs_bucket, Key="theirs/it.zip", Body=b"another workspace's package")
    s3.put_object(Bucket=obs_bucket, Key="out/DLF_doc1.zip", Body=b"an earlier export")

    with pytest.raises(ObsError, match="names a file; give the OBS folder") as named:
        start(world, job_names=("doc1",), obs_path=f"obs://{obs_bucket}/theirs/it.zip")
    assert named.value.code == "obs_path_invalid"
    with pytest.raises(ObsError, match=r"DLF_doc1.zip already exists.*overwrite") as exists:
        start(world, job_names=("doc1",), obs_path=f"obs://{obs_bucket}/out/")
    assert exists.value.code == "obs_object_exists" and exists.value.status == 409
    assert ExportArtifact.objects.count() == 0
    assert (
        s3.get_object(Bucket=obs_bucket, Key="theirs/it.zip")["Body"].read() == b"another workspace's package"
    )
    assert s3.get_object(Bucket=obs_bucket, Key="out/DLF_doc1.zip")["Body"].read() == b"an earlier export"

    replaced = wait_done(
        start(world, job_names=("doc1",), obs_path=f"obs://{obs_bucket}/out/", obs_overwrite=True).task.pk
    )
    assert replaced.status == TaskStatus.SUCCESSFUL, replaced.message
    body = s3.get_object(Bucket=obs_bucket, Key="out/DLF_doc1.zip")["Body"].read()
    assert "jobs/doc1.job" in zip_entries(body)


@pytest.mark.django_db
def test_an_object_written_meanwhile_fails_the_export_instead_of_being_replaced(obs_bucket, s3):
    """Checked again right before the write: someone else's object that appeared while the task waited in
    the queue is kept, and the task says why it failed."""
    world = export_world_build()
    started = start(world, job_names=("doc1",), obs_path=f"obs://{obs_bucket}/race/")
    s3.put_object(Bucket=obs_bucket, Key="race/DLF_doc1.zip", Body=b"written meanwhile")

    export_run(task_id=started.task.pk)  # the worker's body, run here once the object exists

    task = SystemTask.objects.get(pk=started.task.pk)
    assert task.status == TaskStatus.FAILED
    assert f"obs://{obs_bucket}/race/DLF_doc1.zip already exists" in task.message
    assert s3.get_object(Bucket=obs_bucket, Key="race/DLF_doc1.zip")["Body"].read() == b"written meanwhile"
    assert uploads_in(s3, obs_bucket) == []


def test_a_missing_bucket_fails_the_task_naming_it(live_worker, obs_bucket, s3):
    world = export_world_build()
    missing = f"{obs_bucket}-nope"

    task = wait_done(start(world, job_names=("doc1",), obs_path=f"obs://{missing}/out/").task.pk)

    assert task.status == TaskStatus.FAILED
    assert missing in task.message and "does not exist" in task.message
    artifact = ExportArtifact.objects.get(task=task)
    assert artifact.size is None and artifact.storage_name == ""
    client = Client()
    client.force_login(world.dev)
    [entry] = client.get(f"/api/workspaces/{world.workspace.public_id}/downloads/").json()
    assert entry["status"] == TaskStatus.FAILED and entry["downloadUrl"] is None
    assert missing not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_a_large_export_lands_in_the_download_center(live_worker, settings):
    settings.EXPORT_SYNC_MAX_JOBS = 2  # decided in the web process; the worker only writes
    world = export_world_build()
    client = Client()
    client.force_login(world.dev)
    base = f"/api/workspaces/{world.workspace.public_id}"

    response = client.post(f"{base}/exports/", {"all": True, "scope": "with_dependencies"}, content_type=JSON)
    assert response.status_code == 202
    task_id = response.json()["task"]["id"]
    wait_done(SystemTask.objects.get(public_id=task_id).pk)

    assert client.get(f"{base}/tasks/{task_id}/").json()["status"] == TaskStatus.SUCCESSFUL
    [entry] = client.get(f"{base}/downloads/").json()
    assert entry["fileName"] == "jobs.zip" and entry["status"] == TaskStatus.SUCCESSFUL
    data = b"".join(client.get(entry["downloadUrl"]).streaming_content)
    assert entry["size"] == len(data)
    assert len([p for p in zip_entries(data) if p.endswith(".job")]) == 6
    assert_no_secret(data, WORLD_SECRETS)


def test_a_task_sent_twice_is_done_once(live_worker, obs_bucket, s3):
    from factory.transfer.tasks import export_run as export_run_task

    world = export_world_build()
    started = start(world, job_names=("doc1",), obs_path=f"obs://{obs_bucket}/twice/")
    export_run_task.delay(started.task.pk)  # a duplicate delivery, racing the first

    task = wait_done(started.task.pk)
    time.sleep(1.0)  # let the duplicate reach the worker and find the task taken
    task.refresh_from_db()
    assert task.status == TaskStatus.SUCCESSFUL and task.attempts == 1
    assert objects_in(s3, obs_bucket) == ["twice/DLF_doc1.zip"]


# --- in this process, to break things on purpose -----------------------------------------------------


@pytest.mark.django_db
def test_a_failure_half_way_leaves_no_object_and_no_upload(obs_bucket, s3, monkeypatch, settings):
    settings.OBS_ENDPOINT = settings.OBS_ENDPOINT or pytest.fail("OBS_ENDPOINT is not set")
    world = export_world_build()
    task = start(world, job_names=("doc1", "daily_load"), obs_path=f"obs://{obs_bucket}/half/").task
    real_write = export_package.package_write

    def dies_after_a_part(**kwargs):
        yield from real_write(**kwargs)
        yield b"\0" * (9 * 1024 * 1024)  # more than one 8 MiB part: the upload has started for real
        raise OSError("the network went away")

    monkeypatch.setattr(export_package, "package_write", dies_after_a_part)
    export_run(task_id=task.pk)

    task.refresh_from_db()
    assert task.status == TaskStatus.FAILED and "OSError" in task.message
    assert objects_in(s3, obs_bucket) == [] and uploads_in(s3, obs_bucket) == []


@pytest.mark.django_db
def test_a_refused_write_fails_naming_the_path(obs_bucket, s3, settings):
    world = export_world_build()
    task = start(world, job_names=("doc1",), obs_path=f"obs://{obs_bucket}/refused/").task
    settings.OBS_SECRET_ACCESS_KEY = "not-the-secret-key-of-this-server"
    settings.OBS_MAX_ATTEMPTS = 1

    export_run(task_id=task.pk)

    task.refresh_from_db()
    assert task.status == TaskStatus.FAILED
    assert f"obs://{obs_bucket}/refused/DLF_doc1.zip" in task.message
    assert objects_in(s3, obs_bucket) == []


@pytest.mark.django_db
def test_the_command_writes_to_obs_and_refuses_a_missing_bucket(obs_bucket, s3):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    export_world_build()
    out = io.StringIO()
    call_command(
        "export_jobs",
        "--workspace",
        "exp",
        "--jobs",
        "doc1",
        "--obs-path",
        f"obs://{obs_bucket}/cli/",
        stdout=out,
    )

    assert out.getvalue().startswith(f"wrote obs://{obs_bucket}/cli/DLF_doc1.zip: 1 jobs, ")
    assert objects_in(s3, obs_bucket) == ["cli/DLF_doc1.zip"]
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "export_jobs", "--workspace", "exp", "--all", "--obs-path", f"obs://{obs_bucket}-gone/x/"
        )
