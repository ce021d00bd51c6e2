"""Configure Owner through the console API: POST .../jobs/owner/ and .../scripts/owner/."""

from __future__ import annotations

import pytest

from factory.development.models import Job, Script
from factory.development.services import job_create, script_create
from tests.builders import client_for, job_document, member_make, script_document
from tests.development.fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


def post(user, workspace, plural: str, body: dict):
    return client_for(user).post(
        f"/api/workspaces/{workspace.pk}/{plural}/owner/", body, content_type="application/json"
    )


def test_developer_changes_the_owner_of_ticked_jobs(workspace, alice):
    a = job_create(workspace=workspace, user=alice, document=job_document("a"))
    b = job_create(workspace=workspace, user=alice, document=job_document("b"))

    response = post(alice, workspace, "jobs", {"ids": [a.pk, b.pk], "owner": "dana"})

    assert response.status_code == 200, response.json()
    assert response.json() == {"changed": 2, "skipped": 0}
    listed = client_for(alice).get(f"/api/workspaces/{workspace.pk}/jobs/").json()["results"]
    assert {row["name"]: row["owner"] for row in listed} == {"a": "dana", "b": "dana"}
    detail = client_for(alice).get(f"/api/workspaces/{workspace.pk}/jobs/{a.pk}/").json()
    assert detail["document"]["basicConfig"]["owner"] == "dana"


def test_migrate_scripts_from_current_owner(workspace, alice):
    script_create(workspace=workspace, user=alice, document=script_document("s1", owner="bob"))
    script_create(workspace=workspace, user=alice, document=script_document("s2", owner="erin"))

    response = post(alice, workspace, "scripts", {"currentOwner": "bob", "owner": "frank"})

    assert response.json() == {"changed": 1, "skipped": 0}
    assert dict(Script.objects.values_list("name", "owner")) == {"s1": "frank", "s2": "erin"}


def test_viewer_is_refused(workspace, alice, victor_viewer):
    job = job_create(workspace=workspace, user=alice, document=job_document("a"))

    response = post(victor_viewer, workspace, "jobs", {"ids": [job.pk], "owner": "dana"})

    assert response.status_code == 403
    assert Job.objects.get().owner == "alice"


def test_non_member_gets_not_found(workspace, hard_workspace, alice):
    outsider = member_make(hard_workspace, "oscar", "developer")
    job = job_create(workspace=workspace, user=alice, document=job_document("a"))

    response = post(outsider, workspace, "jobs", {"ids": [job.pk], "owner": "dana"})

    assert response.status_code == 404
    assert Job.objects.get().owner == "alice"


def test_ids_of_another_workspace_are_not_found(workspace, hard_workspace, alice):
    elsewhere = job_create(workspace=hard_workspace, user=alice, document=job_document("x"))

    response = post(alice, workspace, "jobs", {"ids": [elsewhere.pk], "owner": "dana"})

    assert response.status_code == 404
    assert response.json()["code"] == "job_not_found"
    assert Job.objects.get().owner == "alice"


def test_hard_lock_of_someone_else_is_a_409_naming_the_job(hard_workspace, alice, bob):
    job = job_create(workspace=hard_workspace, user=bob, document=job_document("theirs"))

    response = post(alice, hard_workspace, "jobs", {"ids": [job.pk], "owner": "dana"})

    assert response.status_code == 409
    assert response.json()["code"] == "locked"
    assert "theirs (locked by bob)" in response.json()["message"]
    assert Job.objects.get().owner == "bob"


def test_too_long_owner_is_a_400_on_the_owner_field(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=job_document("a"))

    response = post(alice, workspace, "jobs", {"ids": [job.pk], "owner": "x" * 129})

    assert response.status_code == 400
    body = response.json()
    assert "128" in body["message"]
    assert "owner" in body["extra"]["fields"]
    assert Job.objects.get().owner == "alice"
