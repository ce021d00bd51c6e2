"""Console API of export, tasks and the Download Center, through the test client.

``POST /api/workspaces/<id>/exports/`` answers a small export with the zip itself and a large one (or one
to OBS) with 202 and its task; ``GET .../tasks/<id>/`` follows the task; ``GET .../downloads/`` lists the
user's packages, ``GET .../downloads/<id>/file/`` streams one, ``DELETE .../downloads/<id>/`` removes it.
"""

from __future__ import annotations

import pytest
from django.test import Client

import factory.transfer.exports as export_services
from factory.errors import ValidationError
from factory.transfer.exports import stream as export_package
from factory.transfer.models import ExportArtifact, TaskStatus
from tests.transfer.exporting import (
    CONN_PASSWORD,
    WORLD_SECRETS,
    assert_no_secret,
    export_world_build,
    zip_entries,
)

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    return export_world_build()


@pytest.fixture
def local_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def worker_inline(monkeypatch, local_storage, settings, django_capture_on_commit_callbacks):
    """Background exports run in-process as soon as their rows commit (the real worker is tested in
    tests/transfer/test_export_obs.py)."""
    settings.EXPORT_SYNC_MAX_JOBS = 1
    monkeypatch.setattr(
        "factory.transfer.tasks.export_run.delay", lambda task_id: export_services.export_run(task_id=task_id)
    )


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def base(world) -> str:
    return f"/api/workspaces/{world.workspace.public_id}"


def post_export(world, user, body, capture=None):
    if capture is None:
        return client(user).post(f"{base(world)}/exports/", body, content_type=JSON)
    with capture(execute=True):
        return client(user).post(f"{base(world)}/exports/", body, content_type=JSON)


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


# --- streamed ----------------------------------------------------------------------------------------


def test_one_job_streams_as_dlf_zip(world):
    response = post_export(world, world.dev, {"jobIds": [world.jobs["doc1"].pk]})

    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="DLF_doc1.zip"'
    assert set(zip_entries(body_of(response))) == {"jobs/doc1.job", "manifest.json"}


def test_selected_jobs_with_dependencies_stream_as_jobs_zip(world):
    response = post_export(
        world,
        world.dev,
        {
            "jobIds": list(world.job_ids("doc1", "secret_job")),
            "scope": "with_dependencies",
            "status": "develop",
        },
    )

    assert response["Content-Disposition"] == 'attachment; filename="jobs.zip"'
    data = body_of(response)
    entries = zip_entries(data)
    assert {"jobs/doc1/doc1.job", "jobs/doc1/dws_script.script", "connections/doctest.conn"} <= set(entries)
    assert_no_secret(data, WORLD_SECRETS)


def test_directories_and_the_whole_workspace(world):
    etl = world.jobs["doc1"].directory
    by_dir = body_of(post_export(world, world.dev, {"directoryIds": [etl.pk]}))
    assert {p for p in zip_entries(by_dir) if p.endswith(".job")} == {
        "jobs/doc1/doc1.job",
        "jobs/daily_load/daily_load.job",
    }
    everything = body_of(post_export(world, world.dev, {"all": True, "changedSince": "2000-01-01T00:00:00Z"}))
    assert len([p for p in zip_entries(everything) if p.endswith(".job")]) == 6


def test_a_ticked_directory_with_unticked_jobs_and_subdirectories(world):
    """What the tree sends for a ticked /etl with doc1 unticked, or the whole workspace with /flows
    unticked and /flows/deep ticked again: the directories and the exclusions, not every job id."""
    etl, daily = world.jobs["doc1"].directory, world.jobs["daily_load"].directory
    flows, deep = world.jobs["parent"].directory, world.jobs["grandchild"].directory
    response = post_export(
        world, world.dev, {"directoryIds": [etl.pk], "excludeJobIds": [world.jobs["doc1"].pk]}
    )
    assert response.status_code == 200, response.content
    assert response["Content-Disposition"] == 'attachment; filename="DLF_daily_load.zip"'

    body = {"all": True, "excludeDirectoryIds": [flows.pk, daily.pk], "directoryIds": [deep.pk]}
    jobs = {p for p in zip_entries(body_of(post_export(world, world.dev, body))) if p.endswith(".job")}
    assert jobs == {"jobs/doc1/doc1.job", "jobs/secret_job/secret_job.job", "jobs/grandchild/grandchild.job"}


def test_scripts_with_an_unticked_script(world):
    sql = world.scripts["lonely"].directory
    body = {"category": "script", "directoryIds": [sql.pk], "excludeScriptIds": [world.scripts["lonely"].pk]}
    entries = zip_entries(body_of(post_export(world, world.dev, body)))
    assert {p for p in entries if p.endswith(".script")} == {
        "scripts/dws_script.script",
        "scripts/hive_script.script",
    }


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        ({"jobIds": "doc1", "excludeJobIds": "doc1"}, "export_conflict", "both selected and excluded"),
        ({"all": True, "excludeJobIds": ["x"]}, "invalid", "excludeJobIds"),
        ({"all": True, "excludeDirectoryIds": [0]}, "invalid", "excludeDirectoryIds"),
    ],
)
def test_bad_exclusions_are_refused_with_the_envelope(world, body, code, words):
    body = {k: [world.jobs["doc1"].pk] if v == "doc1" else v for k, v in body.items()}
    response = post_export(world, world.dev, body)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code and words in response.json()["message"]


def test_scripts(world):
    response = post_export(
        world, world.dev, {"category": "script", "scriptIds": [world.scripts["dws_script"].pk]}
    )
    assert response["Content-Disposition"] == 'attachment; filename="DLF_dws_script.zip"'
    assert set(zip_entries(body_of(response))) == {"scripts/dws_script.script", "manifest.json"}


# --- background and the Download Center --------------------------------------------------------------


def test_a_large_export_runs_as_a_task_and_lands_in_the_download_center(
    world, worker_inline, django_capture_on_commit_callbacks
):
    response = post_export(
        world,
        world.dev,
        {"jobIds": list(world.job_ids("doc1", "daily_load"))},
        django_capture_on_commit_callbacks,
    )

    assert response.status_code == 202
    task = response.json()["task"]
    assert set(task) == {
        "id", "kind", "name", "status", "step", "progress", "message", "createdAt", "startedAt", "endedAt",
        "subtasks", "live", "result",
    }  # fmt: skip
    assert task["live"] is None  # only a RUNNING task has live progress
    assert task["kind"] == "export"

    polled = client(world.dev).get(f"{base(world)}/tasks/{task['id']}/").json()
    assert polled["status"] == TaskStatus.SUCCESSFUL and polled["progress"] == 100
    assert polled["result"]["fileName"] == "jobs.zip"

    listing = client(world.dev).get(f"{base(world)}/downloads/").json()
    assert len(listing) == 1
    entry = listing[0]
    assert entry["fileName"] == "jobs.zip" and entry["status"] == TaskStatus.SUCCESSFUL
    assert entry["obsPath"] == "" and entry["taskId"] == task["id"]

    download = client(world.dev).get(entry["downloadUrl"])
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="jobs.zip"'
    data = body_of(download)
    assert entry["size"] == len(data)
    assert {"jobs/doc1/doc1.job", "jobs/daily_load/daily_load.job"} <= set(zip_entries(data))

    assert client(world.dev).delete(f"{base(world)}/downloads/{entry['id']}/").status_code == 204
    assert client(world.dev).get(f"{base(world)}/downloads/").json() == []
    assert client(world.dev).get(entry["downloadUrl"]).status_code == 404


def test_failed_exports_are_not_offered_for_download(
    world, worker_inline, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise ValidationError("Nothing works today.")
        yield b""

    monkeypatch.setattr(export_package, "package_write", broken)
    response = post_export(
        world,
        world.dev,
        {"jobIds": list(world.job_ids("doc1", "daily_load"))},
        django_capture_on_commit_callbacks,
    )

    task = client(world.dev).get(f"{base(world)}/tasks/{response.json()['task']['id']}/").json()
    assert task["status"] == TaskStatus.FAILED and task["message"] == "Nothing works today."
    [entry] = client(world.dev).get(f"{base(world)}/downloads/").json()
    assert entry["status"] == TaskStatus.FAILED and entry["downloadUrl"] is None and entry["size"] is None
    file_url = f"{base(world)}/downloads/{entry['id']}/file/"
    assert client(world.dev).get(file_url).status_code == 404


def test_downloads_and_tasks_are_the_users_own_admins_see_all(
    world, worker_inline, django_capture_on_commit_callbacks
):
    response = post_export(
        world,
        world.dev,
        {"jobIds": list(world.job_ids("doc1", "daily_load"))},
        django_capture_on_commit_callbacks,
    )
    task_id = response.json()["task"]["id"]
    artifact = ExportArtifact.objects.get()

    assert client(world.viewer).get(f"{base(world)}/downloads/").json() == []
    assert client(world.viewer).get(f"{base(world)}/tasks/{task_id}/").status_code == 404
    assert client(world.viewer).get(f"{base(world)}/downloads/{artifact.pk}/file/").status_code == 404
    assert client(world.viewer).delete(f"{base(world)}/downloads/{artifact.pk}/").status_code == 404
    assert len(client(world.admin).get(f"{base(world)}/downloads/").json()) == 1
    assert client(world.admin).get(f"{base(world)}/tasks/{task_id}/").status_code == 200
    # Another workspace's member learns nothing, not even that the workspace exists.
    assert client(world.stranger).get(f"{base(world)}/downloads/").status_code == 404


def test_an_obs_export_is_listed_with_its_path_and_no_download_link(
    world, worker_inline, obs_bucket, s3, django_capture_on_commit_callbacks
):
    response = post_export(
        world, world.dev, {"jobIds": [world.jobs["doc1"].pk], "obsPath": f"obs://{obs_bucket}/exports/"},
        django_capture_on_commit_callbacks,
    )  # fmt: skip

    assert response.status_code == 202  # one job, but OBS: always a task
    [entry] = client(world.dev).get(f"{base(world)}/downloads/").json()
    assert entry["obsPath"] == f"obs://{obs_bucket}/exports/DLF_doc1.zip" and entry["downloadUrl"] is None
    written = s3.get_object(Bucket=obs_bucket, Key="exports/DLF_doc1.zip")["Body"].read()
    assert set(zip_entries(written)) == {"jobs/doc1.job", "manifest.json"}

    again = post_export(
        world, world.dev, {"jobIds": [world.jobs["doc1"].pk], "obsPath": f"obs://{obs_bucket}/exports/"},
        django_capture_on_commit_callbacks,
    )  # fmt: skip
    assert again.status_code == 409 and again.json()["code"] == "obs_object_exists"
    assert again.json()["extra"]["fields"] == {"obsOverwrite": ["The object exists: set to overwrite it."]}
    overwritten = post_export(
        world,
        world.dev,
        {"jobIds": [world.jobs["doc1"].pk], "obsPath": f"obs://{obs_bucket}/exports/", "obsOverwrite": True},
        django_capture_on_commit_callbacks,
    )
    assert overwritten.status_code == 202
    assert len(client(world.dev).get(f"{base(world)}/downloads/").json()) == 2


# --- refusals ----------------------------------------------------------------------------------------


def test_viewers_may_not_export(world):
    response = post_export(world, world.viewer, {"all": True})
    assert response.status_code == 403 and response.json()["code"] == "role_required"


@pytest.mark.parametrize(
    ("body", "status", "code", "words"),
    [
        ({}, 400, "export_empty", "Nothing to export"),
        ({"jobIds": [999999, 999998]}, 404, "job_not_found", "#999998, #999999"),
        ({"directoryIds": [999999]}, 404, "directory_not_found", "999999"),
        ({"all": True, "obsPath": "https://bucket/x"}, 400, "obs_path_invalid", "https://bucket/x"),
        ({"all": True, "scope": "all"}, 400, "invalid", "scope"),
        ({"all": True, "status": "prod"}, 400, "invalid", "status"),
        ({"all": True, "status": "submit"}, 400, "never_submitted", "doc1"),
        ({"all": True, "changedSince": "not a time"}, 400, "invalid", "changedSince"),
        ({"jobIds": ["x"]}, 400, "invalid", "jobIds"),
    ],
)
def test_bad_input_is_refused_with_the_envelope(world, body, status, code, words):
    response = post_export(world, world.dev, body)
    assert response.status_code == status, response.content
    payload = response.json()
    assert payload["code"] == code and words in payload["message"]
    assert set(payload) == {"message", "code", "extra"}


def test_another_workspaces_job_is_reported_like_a_missing_one(world):
    foreign = post_export(world, world.dev, {"jobIds": [world.jobs["foreign"].pk]}).json()
    missing = post_export(world, world.dev, {"jobIds": [999999]}).json()
    assert foreign["code"] == missing["code"] == "job_not_found"
    assert "foreign" not in foreign["message"]


def test_no_response_carries_a_connection_password(world, worker_inline, django_capture_on_commit_callbacks):
    response = post_export(
        world, world.dev, {"all": True, "scope": "with_dependencies"}, django_capture_on_commit_callbacks
    )
    task_id = response.json()["task"]["id"]
    for url in (f"{base(world)}/tasks/{task_id}/", f"{base(world)}/downloads/"):
        assert CONN_PASSWORD.encode() not in client(world.dev).get(url).content
    entry = client(world.dev).get(f"{base(world)}/downloads/").json()[0]
    assert_no_secret(body_of(client(world.dev).get(entry["downloadUrl"])), WORLD_SECRETS)
