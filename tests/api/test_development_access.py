"""Workspace isolation and roles on every development URL: other workspaces' objects are not found,
viewers read but never write."""

from __future__ import annotations

import pytest
from django.test import Client

from factory.development.services import (
    directory_create,
    job_create,
    job_submit,
    script_create,
    script_submit,
)
from factory.workspaces.models import Role
from tests.builders import client_for, job_document, member_make, script_document
from tests.development.fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(hard_workspace, bob):
    """Objects of a workspace ``outsider`` is not a member of."""
    job = job_create(workspace=hard_workspace, user=bob, document=job_document("secret_job"))
    script = script_create(workspace=hard_workspace, user=bob, document=script_document("secret_script"))
    return {
        "workspace": hard_workspace,
        "job": job,
        "job_version": job_submit(job=job, user=bob),
        "script": script,
        "script_version": script_submit(script=script, user=bob),
        "directory": directory_create(workspace=hard_workspace, user=bob, category="job", path="/secret"),
    }


@pytest.fixture
def outsider(workspace):
    return member_make(workspace, "olga", Role.ADMIN)


def _object_urls(o: dict, workspace_id: int) -> list[tuple[str, str]]:
    base = f"/api/workspaces/{workspace_id}"
    job, script = f"{base}/jobs/{o['job'].pk}", f"{base}/scripts/{o['script'].pk}"
    jv, sv = o["job_version"].pk, o["script_version"].pk
    return [
        ("get", f"{job}/"),
        ("put", f"{job}/"),
        ("delete", f"{job}/"),
        *[("post", f"{job}/{op}/") for op in ("submit", "rename", "move", "copy", "lock", "unlock")],
        ("post", f"{job}/schedule/start/"),
        ("post", f"{job}/schedule/stop/"),
        ("get", f"{job}/versions/"),
        ("get", f"{job}/versions/{jv}/"),
        ("post", f"{job}/versions/{jv}/rollback/"),
        ("get", f"{script}/"),
        ("put", f"{script}/"),
        ("delete", f"{script}/"),
        *[("post", f"{script}/{op}/") for op in ("submit", "rename", "move", "copy", "lock", "unlock")],
        ("get", f"{script}/versions/"),
        ("get", f"{script}/versions/{sv}/"),
        ("post", f"{script}/versions/{sv}/rollback/"),
        ("patch", f"{base}/directories/{o['directory'].pk}/"),
        ("delete", f"{base}/directories/{o['directory'].pk}/"),
        ("get", f"{base}/tree/?parent={o['directory'].pk}"),
    ]


BODY = {"name": "x", "directory": "/", "description": "", "document": job_document("x")}


def _call(client: Client, method: str, path: str):
    if method == "get":
        return client.get(path)
    return getattr(client, method)(path, BODY, content_type="application/json")


def test_objects_of_another_workspace_are_not_found_through_my_workspace(workspace, outsider, other):
    client = client_for(outsider)
    for method, path in _object_urls(other, workspace.pk):
        response = _call(client, method, path)
        assert response.status_code == 404, (method, path, response.content)
    for batch in ("jobs", "scripts"):
        for op in ("unlock", "delete"):
            ids = {"ids": [other[batch[:-1]].pk]}
            response = client.post(
                f"/api/workspaces/{workspace.pk}/{batch}/{op}/", ids, content_type="application/json"
            )
            assert response.status_code == 404, (batch, op)
    other["job"].refresh_from_db()
    assert (other["job"].name, other["job"].lock_holder.username) == ("secret_job", "bob")


def test_another_workspace_itself_is_not_found(outsider, other):
    client = client_for(outsider)
    for method, path in _object_urls(other, other["workspace"].pk):
        response = _call(client, method, path)
        assert response.status_code == 404, (method, path)
        assert response.json()["code"] == "workspace_not_found"
    assert client.get(f"/api/workspaces/{other['workspace'].pk}/jobs/").status_code == 404


def test_viewers_read_but_never_write(workspace, alice, victor_viewer):
    job = job_create(workspace=workspace, user=alice, document=job_document("j"))
    version = job_submit(job=job, user=alice)
    client = client_for(victor_viewer)
    base = f"/api/workspaces/{workspace.pk}"

    for path in (
        f"{base}/jobs/",
        f"{base}/jobs/{job.pk}/",
        f"{base}/jobs/{job.pk}/versions/",
        f"{base}/tree/",
    ):
        assert client.get(path).status_code == 200, path
    writes = [
        ("post", f"{base}/jobs/"),
        ("put", f"{base}/jobs/{job.pk}/"),
        ("delete", f"{base}/jobs/{job.pk}/"),
        ("post", f"{base}/jobs/{job.pk}/lock/"),
        ("post", f"{base}/jobs/{job.pk}/unlock/"),
        ("post", f"{base}/jobs/{job.pk}/submit/"),
        ("post", f"{base}/jobs/{job.pk}/versions/{version.pk}/rollback/"),
        ("post", f"{base}/jobs/unlock/"),
        ("post", f"{base}/jobs/delete/"),
        ("post", f"{base}/directories/"),
        ("post", f"{base}/scripts/"),
    ]
    for method, path in writes:
        response = _call(client, method, path)
        assert response.status_code == 403, (method, path)
        assert response.json()["code"] == "role_required"
    job.refresh_from_db()
    assert job.lock_holder == alice


def test_anonymous_users_get_nothing(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=job_document("j"))
    assert Client().get(f"/api/workspaces/{workspace.pk}/jobs/{job.pk}/").status_code == 403
