"""The console's job API: the shape the frontend reads, ETag/If-Match, locks, versions, batch operations."""

from __future__ import annotations

import pytest

from factory.development.models import Job
from factory.development.services import directory_create, job_create, job_submit
from tests.builders import client_for, job_document, two_node_job
from tests.development.fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db

JOB_KEYS = {
    "id",
    "name",
    "directory",
    "processType",
    "owner",
    "document",
    "secretFields",
    "revision",
    "lockHolder",
    "lockedByMe",
    "submitted",
    "scheduleStatus",
    "nodeCount",
    "createdAt",
    "updatedAt",
    "updatedBy",
    "unresolvedReferences",
}


def url(workspace, rest: str = "") -> str:
    return f"/api/workspaces/{workspace.pk}/jobs/{rest}"


@pytest.fixture
def job(workspace, alice):
    return job_create(workspace=workspace, user=alice, document=job_document("daily", directory="/etl"))


def test_create_returns_the_job_locked_by_me(workspace, alice):
    response = client_for(alice).post(
        url(workspace),
        {"document": job_document("new_job", custom={"x": 1})},
        content_type="application/json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == JOB_KEYS
    assert (body["name"], body["lockHolder"], body["lockedByMe"], body["submitted"]) == (
        "new_job",
        "alice",
        True,
        False,
    )
    assert body["document"]["custom"] == {"x": 1}
    assert (body["scheduleStatus"], body["nodeCount"], body["directory"]) == ("STOPPED", 1, "/")
    assert response["ETag"] == '"1"'


def test_create_with_an_invalid_document_names_the_problem(workspace, alice):
    doc = two_node_job("j")
    doc["nodes"][1]["preNodeName"] = ["ghost"]
    response = client_for(alice).post(url(workspace), {"document": doc}, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "ghost" in body["message"] and "load" in body["message"]
    assert "nodes[1].preNodeName[0]" in body["extra"]["fields"]


def test_create_duplicate_is_a_conflict(workspace, alice, job):
    response = client_for(alice).post(
        url(workspace), {"document": job_document("daily")}, content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "job_exists")


def test_get_gives_the_document_and_etag_and_others_see_the_lock(workspace, bob, job):
    response = client_for(bob).get(url(workspace, f"{job.pk}/"))
    assert response.status_code == 200
    body = response.json()
    assert response["ETag"] == '"1"'
    assert (body["directory"], body["lockHolder"], body["lockedByMe"]) == ("/etl", "alice", False)
    assert body["document"]["nodes"][0]["name"] == "DWS_SQL_1"


def test_save_honours_if_match(workspace, alice, job):
    client = client_for(alice)
    body = {"document": two_node_job("daily")}

    saved = client.put(
        url(workspace, f"{job.pk}/"), body, content_type="application/json", HTTP_IF_MATCH='"1"'
    )
    stale = client.put(
        url(workspace, f"{job.pk}/"), body, content_type="application/json", HTTP_IF_MATCH='"1"'
    )
    unconditional = client.put(url(workspace, f"{job.pk}/"), body, content_type="application/json")

    assert saved.status_code == 200 and saved["ETag"] == '"2"'
    assert saved.json()["nodeCount"] == 2
    assert stale.status_code == 412
    assert stale.json()["code"] == "stale"
    assert "Reload it" in stale.json()["message"]
    assert unconditional.status_code == 200 and unconditional["ETag"] == '"3"'


def test_save_without_the_lock_is_refused(workspace, bob, job):
    response = client_for(bob).put(
        url(workspace, f"{job.pk}/"), {"document": job_document("daily")}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json() == {
        "message": "Job daily is locked by alice; lock it yourself before saving it.",
        "code": "locked",
        "extra": {"fields": {}},
    }


def test_lock_and_unlock(workspace, alice, bob, job):
    grabbed = client_for(bob).post(url(workspace, f"{job.pk}/lock/"))
    assert grabbed.status_code == 200
    assert (grabbed.json()["lockHolder"], grabbed.json()["lockedByMe"]) == ("bob", True)
    released = client_for(alice).post(url(workspace, f"{job.pk}/unlock/"))
    assert released.status_code == 200 and released.json()["lockHolder"] is None


def test_submit_then_versions_then_rollback(workspace, alice, job):
    client = client_for(alice)
    submitted = client.post(
        url(workspace, f"{job.pk}/submit/"), {"description": "v1"}, content_type="application/json"
    )
    assert submitted.status_code == 201
    assert (submitted.json()["kind"], submitted.json()["number"], submitted.json()["createdBy"]) == (
        "submitted",
        1,
        "alice",
    )
    assert client.get(url(workspace, f"{job.pk}/")).json()["submitted"] is True
    client.put(
        url(workspace, f"{job.pk}/"), {"document": two_node_job("daily")}, content_type="application/json"
    )

    versions = client.get(url(workspace, f"{job.pk}/versions/?kind=submitted")).json()
    assert versions["count"] == 1
    version_id = versions["results"][0]["id"]
    assert "document" not in versions["results"][0]
    detail = client.get(url(workspace, f"{job.pk}/versions/{version_id}/")).json()
    assert detail["document"]["nodes"][0]["name"] == "DWS_SQL_1" and detail["description"] == "v1"
    all_versions = client.get(url(workspace, f"{job.pk}/versions/")).json()
    assert [v["kind"] for v in all_versions["results"]] == ["saved", "submitted"]

    rolled = client.post(url(workspace, f"{job.pk}/versions/{version_id}/rollback/"))
    assert rolled.status_code == 200
    assert (rolled.json()["nodeCount"], rolled.json()["submitted"]) == (1, False)


def test_submit_description_too_long(workspace, alice, job):
    response = client_for(alice).post(
        url(workspace, f"{job.pk}/submit/"), {"description": "x" * 129}, content_type="application/json"
    )
    assert response.status_code == 400 and "description" in response.json()["extra"]["fields"]


def test_rename_move_copy_delete(workspace, alice, job):
    client = client_for(alice)
    directory_create(workspace=workspace, user=alice, category="job", path="/archive")

    renamed = client.post(
        url(workspace, f"{job.pk}/rename/"), {"name": "nightly"}, content_type="application/json"
    )
    moved = client.post(
        url(workspace, f"{job.pk}/move/"), {"directory": "/archive"}, content_type="application/json"
    )
    missing = client.post(
        url(workspace, f"{job.pk}/move/"), {"directory": "/nope"}, content_type="application/json"
    )
    copied = client.post(
        url(workspace, f"{job.pk}/copy/"), {"name": "nightly_2"}, content_type="application/json"
    )

    assert renamed.json()["document"]["name"] == "nightly"
    assert moved.json()["directory"] == "/archive" and moved.json()["document"]["directory"] == "/archive"
    assert (missing.status_code, missing.json()["message"]) == (404, "Directory /nope does not exist.")
    assert copied.status_code == 201 and copied.json()["directory"] == "/archive"
    assert client.delete(url(workspace, f"{job.pk}/")).status_code == 204
    assert client.get(url(workspace, f"{job.pk}/")).status_code == 404
    assert list(Job.objects.values_list("name", flat=True)) == ["nightly_2"]


def test_schedule_start_and_stop(workspace, alice, job):
    client = client_for(alice)
    refused = client.post(url(workspace, f"{job.pk}/schedule/start/"))
    assert (refused.status_code, refused.json()["code"]) == (409, "not_submitted")
    job_submit(job=job, user=alice)
    assert client.post(url(workspace, f"{job.pk}/schedule/start/")).json()["scheduleStatus"] == "SCHEDULING"
    blocked = client.delete(url(workspace, f"{job.pk}/"))
    assert blocked.status_code == 409 and "stop its scheduling first" in blocked.json()["message"]
    assert client.post(url(workspace, f"{job.pk}/schedule/stop/")).json()["scheduleStatus"] == "STOPPED"


def test_batch_unlock_delete_and_move(hard_workspace, alice, bob):
    mine = job_create(workspace=hard_workspace, user=alice, document=job_document("mine"))
    theirs = job_create(workspace=hard_workspace, user=bob, document=job_document("theirs"))
    directory_create(workspace=hard_workspace, user=alice, category="job", path="/moved")
    client = client_for(alice)
    ids = {"ids": [mine.pk, theirs.pk]}

    unlocked = client.post(url(hard_workspace, "unlock/"), ids, content_type="application/json")
    assert unlocked.json() == {
        "unlocked": 1,
        "refused": [{"id": theirs.pk, "name": "theirs", "reason": "locked by bob"}],
    }
    deleted = client.post(url(hard_workspace, "delete/"), ids, content_type="application/json")
    assert deleted.status_code == 409
    assert (
        deleted.json()["message"] == "Job theirs is locked by bob and cannot be deleted. Nothing was deleted."
    )
    assert Job.objects.count() == 2
    moved = client.post(
        url(hard_workspace, "move/"),
        {"ids": [mine.pk], "directory": "/moved"},
        content_type="application/json",
    )
    assert moved.json() == {"moved": 1}
    assert client.post(
        url(hard_workspace, "delete/"), {"ids": [mine.pk]}, content_type="application/json"
    ).json() == {"deleted": 1}


def test_list_filters_and_pages(workspace, alice, bob):
    for i in range(5):
        job_create(workspace=workspace, user=alice, document=job_document(f"a_{i}"))
    submitted = job_create(workspace=workspace, user=bob, document=job_document("b_0"))
    job_submit(job=submitted, user=bob)
    client = client_for(alice)

    page = client.get(url(workspace, "?limit=2&offset=2")).json()
    assert (page["count"], [j["name"] for j in page["results"]]) == (6, ["a_2", "a_3"])
    assert "document" not in page["results"][0]
    assert [j["name"] for j in client.get(url(workspace, "?submitted=true")).json()["results"]] == ["b_0"]
    assert client.get(url(workspace, "?search=B_")).json()["count"] == 1
    assert client.get(url(workspace, "?lockedByMe=true")).json()["count"] == 5
