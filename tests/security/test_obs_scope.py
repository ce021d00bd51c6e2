"""OBS paths stay inside the workspace: the console's own storage bucket and prefix (uploads and Download
Center packages, with ``OBS_BUCKET`` set) are never reachable through a user path, and each workspace's
OBS allow-list bounds every path it uses: browse, the wizard, v1 check-file and import, exports, the CLI.

Each test starts from what an outside review did on a deployment with ``OBS_BUCKET`` set: a developer of
workspace B listed every workspace's packages, imported workspace A's Download Center package and
overwrote it by exporting to its path.
"""

from __future__ import annotations

import io
import os
import secrets
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from factory.development.models import Job
from factory.transfer.exports import ExportRequest, export_write
from factory.transfer.imports import import_create, import_inspect
from factory.transfer.models import SystemTask, TaskKind, TaskStatus
from factory.workspaces.models import Role, Workspace
from factory.workspaces.services import membership_set
from tests.builders import user_make
from tests.harness import bucket_delete
from tests.security.world import console_call, db_snapshot, snapshot_diff, v1_call, world_build

STORAGE_PREFIX = "console"


@pytest.fixture
def storage_bucket(s3: Any) -> Any:
    name = f"storage-{secrets.token_hex(5)}"
    s3.create_bucket(Bucket=name)
    yield name
    bucket_delete(s3, name)


@pytest.fixture
def storage_in_obs(settings: Any, storage_bucket: str) -> str:
    """The production layout: uploads and Download Center packages in an OBS bucket, reached with the same
    credentials as users' obs:// paths."""
    settings.OBS_BUCKET = storage_bucket
    settings.OBS_STORAGE_PREFIX = STORAGE_PREFIX
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": storage_bucket,
                "endpoint_url": os.environ["OBS_ENDPOINT"],
                "access_key": os.environ["OBS_ACCESS_KEY_ID"],
                "secret_key": os.environ["OBS_SECRET_ACCESS_KEY"],
                "region_name": settings.OBS_REGION,
                "location": STORAGE_PREFIX,
                "file_overwrite": False,
                "default_acl": None,
            },
        },
    }
    from django.core.files.storage import storages

    storages._storages.pop("default", None)  # the storage handler caches the backend it built
    yield storage_bucket
    storages._storages.pop("default", None)


@pytest.fixture
def scene(db: Any, storage_in_obs: str, obs_bucket: str, s3: Any, tmp_path: Path) -> dict[str, Any]:
    """Two workspaces; A's Download Center package (a real export of A's job) in the console's storage; a
    developer of B; a bucket anyone may use."""
    world = world_build()
    written = export_write(
        workspace=world.a.workspace,
        user=world.a.admin,
        request=ExportRequest(job_names=(world.a.job.name,)),
        out=tmp_path,
    )
    package = Path(written.location).read_bytes()
    key = f"{STORAGE_PREFIX}/exports/{world.a.export_task.public_id}/DLF_{world.a.job.name}.zip"
    s3.put_object(Bucket=storage_in_obs, Key=key, Body=package)
    b_dev = user_make("bravo_dev")
    membership_set(workspace=world.b.workspace, user=b_dev, role=Role.DEVELOPER)
    return {
        "world": world,
        "storage": storage_in_obs,
        "a_package": f"obs://{storage_in_obs}/{key}",
        "a_key": key,
        "a_bytes": package,
        "b_dev": b_dev,
        "shared": obs_bucket,
    }


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ws_base(workspace: Workspace) -> str:
    return f"/api/workspaces/{workspace.pk}"


# --- the console's own storage ------------------------------------------------------------------------


def test_browsing_never_lists_the_console_storage(scene: dict[str, Any]) -> None:
    world, storage, b_dev = scene["world"], scene["storage"], scene["b_dev"]
    client = logged_in(b_dev)
    browse = f"{ws_base(world.b.workspace)}/obs/browse/"

    for path in (
        f"obs://{storage}/{STORAGE_PREFIX}/exports/",
        f"obs://{storage}/",
        f"obs://{storage}/console",
    ):
        answer = client.get(browse, {"path": path})
        assert answer.status_code == 403, path
        assert answer.json()["code"] == "obs_path_forbidden"
        assert world.a.export_task.public_id not in answer.content.decode()

    roots = client.get(browse).json()
    assert scene["shared"] in roots["buckets"] and storage not in roots["buckets"]
    assert client.get(browse, {"path": f"obs://{scene['shared']}/"}).status_code == 200
    # The old route outside any workspace is gone; a non-member learns nothing of the workspace.
    assert client.get("/api/obs/browse/", {"path": f"obs://{storage}/"}).status_code == 404
    stranger = logged_in(user_make("nobody"))
    assert stranger.get(browse, {"path": f"obs://{scene['shared']}/"}).status_code == 404
    # Browsing is for those who import and export: a viewer of A may not.
    assert logged_in(world.viewer).get(f"{ws_base(world.a.workspace)}/obs/browse/").status_code == 403


def test_no_entry_point_imports_another_workspaces_download_center_package(scene: dict[str, Any]) -> None:
    world, b_dev, a_package = scene["world"], scene["b_dev"], scene["a_package"]
    before = db_snapshot()

    wizard = console_call(
        logged_in(b_dev), "POST", f"{ws_base(world.b.workspace)}/imports/", {"obsPath": a_package}
    )
    assert wizard.status_code == 403 and wizard.json()["code"] == "obs_path_forbidden"
    assert "console's own storage" in wizard.json()["message"]

    key = world.keys[world.b.admin.username]
    for operation in ("jobs/check-file", "jobs/import"):
        answer = v1_call(
            Client(),
            key=key,
            method="POST",
            path=f"/v1/{world.project_id}/{operation}",
            workspace=world.b.workspace.public_id,
            body={"path": a_package},
        )
        assert answer.status_code == 400, operation
        assert answer.json()["error_code"] == "DLF.0803", answer.json()
        assert world.a.script.name not in answer.content.decode()  # nothing read from the package

    with pytest.raises(CommandError, match="console's own storage"):
        call_command("import_jobs", "--workspace", world.b.workspace.name, "--dry-run", a_package)
    with pytest.raises(CommandError, match="console's own storage"):
        call_command("import_jobs", "--workspace", world.b.workspace.name, a_package)

    assert snapshot_diff(before, db_snapshot()) == []
    assert not Job.objects.filter(workspace=world.b.workspace, name=world.a.job.name).exists()


def test_no_export_writes_into_the_console_storage(scene: dict[str, Any], s3: Any) -> None:
    world, b_dev, storage = scene["world"], scene["b_dev"], scene["storage"]
    folder = f"obs://{storage}/{STORAGE_PREFIX}/exports/{world.a.export_task.public_id}/"
    before = db_snapshot()

    answer = console_call(
        logged_in(b_dev),
        "POST",
        f"{ws_base(world.b.workspace)}/exports/",
        {"jobIds": [world.b.job.pk], "obsPath": folder, "obsOverwrite": True},
    )
    assert answer.status_code == 403 and answer.json()["code"] == "obs_path_forbidden"
    v1 = v1_call(
        Client(),
        key=world.keys[world.b.admin.username],
        method="POST",
        path=f"/v1/{world.project_id}/jobs/{world.b.job.name}/export",
        workspace=world.b.workspace.public_id,
        body={"obsPath": folder},
    )
    assert v1.status_code == 400 and v1.json()["error_code"] == "DLF.0803"
    with pytest.raises(CommandError, match="console's own storage"):
        call_command(
            "export_jobs",
            "--workspace",
            world.b.workspace.name,
            "--all",
            "--obs-path",
            folder,
            "--obs-overwrite",
        )

    assert snapshot_diff(before, db_snapshot()) == []
    assert s3.get_object(Bucket=storage, Key=scene["a_key"])["Body"].read() == scene["a_bytes"]


# --- the allow-list ----------------------------------------------------------------------------------


def test_admins_edit_the_allow_list_and_every_path_of_the_workspace_follows_it(
    scene: dict[str, Any], s3: Any
) -> None:
    world, shared, b_dev = scene["world"], scene["shared"], scene["b_dev"]
    workspace_url = f"{ws_base(world.b.workspace)}/"
    admin, dev = logged_in(world.b.admin), logged_in(b_dev)
    assert admin.get(workspace_url).json()["obsAllowList"] == ["*"]  # a new workspace: any bucket...

    refused = console_call(dev, "PATCH", workspace_url, {"obsAllowList": [shared]})
    assert refused.status_code == 403 and refused.json()["code"] == "role_required"
    changed = console_call(
        admin, "PATCH", workspace_url, {"obsAllowList": [f"obs://{shared}/team-b", "*", "*"]}
    )
    assert changed.status_code == 200
    assert changed.json()["obsAllowList"] == ["*", f"{shared}/team-b/"]  # normalised, duplicates dropped
    changed = console_call(admin, "PATCH", workspace_url, {"obsAllowList": [f"{shared}/team-b/"]})
    assert changed.json()["obsAllowList"] == [f"{shared}/team-b/"]

    # Browsing starts at the allowed folder; the rest of the bucket is out of reach.
    roots = dev.get(f"{workspace_url}obs/browse/").json()
    assert roots["buckets"] == [] and roots["prefixes"] == [f"obs://{shared}/team-b/"]
    assert dev.get(f"{workspace_url}obs/browse/", {"path": f"obs://{shared}/"}).status_code == 403
    assert dev.get(f"{workspace_url}obs/browse/", {"path": f"obs://{shared}/team-b/"}).status_code == 200

    s3.put_object(Bucket=shared, Key="team-a/DLF_x.zip", Body=scene["a_bytes"])
    outside = console_call(
        dev, "POST", f"{workspace_url}imports/", {"obsPath": f"obs://{shared}/team-a/DLF_x.zip"}
    )
    assert outside.status_code == 403
    assert f"outside the OBS allow-list of workspace {world.b.workspace.name}" in outside.json()["message"]
    assert f"obs://{shared}/team-b/" in outside.json()["message"]
    export_outside = console_call(
        dev,
        "POST",
        f"{workspace_url}exports/",
        {"jobIds": [world.b.job.pk], "obsPath": f"obs://{shared}/team-a/"},
    )
    assert export_outside.status_code == 403
    export_inside = console_call(
        dev,
        "POST",
        f"{workspace_url}exports/",
        {"jobIds": [world.b.job.pk], "obsPath": f"obs://{shared}/team-b/"},
    )
    assert export_inside.status_code == 202, export_inside.json()
    assert (
        not SystemTask.objects.filter(workspace=world.b.workspace, kind=TaskKind.IMPORT)
        .exclude(pk=world.b.import_task.pk)
        .exists()
    )

    # An empty list: no OBS at all for this workspace, and the wizard says why.
    emptied = console_call(admin, "PATCH", workspace_url, {"obsAllowList": []})
    assert emptied.status_code == 200 and emptied.json()["obsAllowList"] == [], emptied.json()
    status = dev.get(f"{workspace_url}obs/status/").json()
    assert status["available"] is False and "allow-list is empty" in status["reason"]


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("Bad_Bucket", "not a valid bucket name"),
        ("", "is empty"),
        ("{storage}", "console's own storage"),
        ("{storage}/console/", "console's own storage"),
        ("obs://{storage}/console/exports/", "console's own storage"),
        ("{shared}/../x/", "may not contain"),
    ],
)
def test_an_allow_list_entry_that_is_not_a_bucket_or_folder_or_reaches_the_storage_is_refused(
    scene: dict[str, Any], entry: str, reason: str
) -> None:
    world = scene["world"]
    raw = entry.format(storage=scene["storage"], shared=scene["shared"])
    answer = console_call(
        logged_in(world.b.admin), "PATCH", f"{ws_base(world.b.workspace)}/", {"obsAllowList": ["*", raw]}
    )
    assert answer.status_code == 400, answer.json()
    assert answer.json()["code"] == "obs_allow_list_invalid" and reason in answer.json()["message"]
    assert "entries[1]" in answer.json()["extra"]["fields"]
    world.b.workspace.refresh_from_db()
    assert world.b.workspace.obs_allow_list == ["*"]


def test_a_folder_of_the_storage_bucket_outside_its_prefix_can_be_allowed(
    scene: dict[str, Any], s3: Any
) -> None:
    world, storage = scene["world"], scene["storage"]
    admin = logged_in(world.b.admin)
    url = f"{ws_base(world.b.workspace)}/"
    assert console_call(admin, "PATCH", url, {"obsAllowList": [f"{storage}/shared/"]}).status_code == 200
    s3.put_object(Bucket=storage, Key="shared/DLF_x.zip", Body=scene["a_bytes"])

    listing = admin.get(f"{url}obs/browse/", {"path": f"obs://{storage}/shared/"}).json()
    assert [o["key"] for o in listing["objects"]] == ["shared/DLF_x.zip"]
    assert admin.get(f"{url}obs/browse/", {"path": f"obs://{storage}/{STORAGE_PREFIX}/"}).status_code == 403


def test_the_allow_list_is_checked_again_when_the_package_is_read(scene: dict[str, Any], s3: Any) -> None:
    """The list may change between step 1 and the worker reading the package: the read follows the list."""
    world, shared = scene["world"], scene["shared"]
    s3.put_object(Bucket=shared, Key="in/DLF_x.zip", Body=scene["a_bytes"])
    task = import_create(
        workspace=world.b.workspace,
        user=world.b.admin,
        category="job",
        policy="overwrite",
        obs_path=f"obs://{shared}/in/DLF_x.zip",
        enqueue=False,
    )
    Workspace.objects.filter(pk=world.b.workspace.pk).update(obs_allow_list=[f"{shared}/elsewhere/"])

    import_inspect(task_id=task.pk)

    task.refresh_from_db()
    assert task.status == TaskStatus.FAILED
    assert "outside the OBS allow-list" in task.message


def test_the_demo_workspace_may_use_its_demo_bucket_only(db: Any, tmp_path: Path) -> None:
    from devtools.run import DEMO_BUCKET
    from factory.demo.services import demo_seed

    demo_seed(var_dir=tmp_path)

    workspace = Workspace.objects.get(name="default")
    assert workspace.obs_allow_list == [DEMO_BUCKET]


def test_a_package_in_storage_is_a_real_export_of_workspace_a(scene: dict[str, Any]) -> None:
    """The scene is what the review used: a package that would give workspace A's job to whoever read it."""
    entries = zipfile.ZipFile(io.BytesIO(scene["a_bytes"])).namelist()
    assert f"jobs/{scene['world'].a.job.name}.job" in entries
