"""The console API of promotions (the Deployments page): start with a change-set, approve by another
admin, apply; what each member may do; another workspace's promotion is not found. The change-set and
the apply run in the session's Celery worker: the answers come at once (``preparing``, ``applying``) and
the tests poll the promotion as the Deployments room does."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from factory.development.models import Job
from factory.promotion.models import Promotion
from factory.workspaces.models import Role
from tests.builders import client_for, member_make, profile_make, user_make, workspace_make
from tests.promotion.promoting import media_root, node_properties, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return media_root(settings, tmp_path)


def _base(world) -> str:
    return f"/api/workspaces/{world.dev.pk}/promotions/"


def _post(client, path, body=None):
    return client.post(path, json.dumps(body or {}), content_type="application/json")


SETTLE_SECONDS = 120


def _settled(client, path) -> dict:
    """The promotion at ``path`` once its background step (change-set or apply) is over."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        body = client.get(path).json()
        if body["state"] not in ("preparing", "applying"):
            return body
        assert time.monotonic() < deadline, f"promotion still {body['state']}: {body['message']}"
        time.sleep(0.3)


@pytest.mark.django_db(transaction=True)
def test_promote_with_approval_through_the_api(live_worker):
    world = world_build(requires_approval=True)
    requester, approver = client_for(world.dan), client_for(world.bob)
    started = _post(
        requester,
        _base(world),
        {"profileId": world.profile.pk, "jobIds": [world.job.pk], "note": "release 7"},
    )
    assert started.status_code == 201, started.content
    assert started.json()["state"] == "preparing"  # the change-set is made by the worker
    body = _settled(requester, f"{_base(world)}{started.json()['id']}/")
    assert body["state"] == "waiting_approval" and body["note"] == "release 7"
    assert body["requestedBy"] == "dan" and body["targetWorkspaceName"] == "prod"
    assert body["changes"]["new"] == 2 and len(body["packageSha256"]) == 64
    assert body["canApply"] is False and body["canApprove"] is False
    path = f"{_base(world)}{body['id']}/"

    # The requester may not approve their own; another developer is no approver; the approver sees the buttons.
    assert _post(requester, f"{path}approve/").json()["code"] == "own_promotion"
    other = member_make(world.dev, "dora", Role.DEVELOPER)
    assert _post(client_for(other), f"{path}approve/").json()["code"] == "role_required"
    assert client_for(other).get(path).json()["canApprove"] is False
    assert _post(requester, f"{path}apply/").json()["code"] == "promotion_state"
    listed = approver.get(_base(world)).json()
    assert listed["count"] == 1 and listed["results"][0]["canApprove"] is True

    approved = _post(approver, f"{path}approve/")
    assert approved.status_code == 200 and approved.json()["approvedBy"] == "bob"
    applied = _post(requester, f"{path}apply/")
    assert applied.status_code == 200, applied.content
    assert applied.json()["state"] == "applying"  # the import is applied by the worker
    done = _settled(requester, path)
    assert done["state"] == "succeeded" and done["counts"]["created"] == 2, done["message"]
    job = Job.objects.get(workspace=world.prod, name="daily_load")
    assert node_properties(job.document)["connectionName"] == "prod_dws"
    assert requester.get(path).json()["appliedAt"] is not None


@pytest.mark.django_db(transaction=True)
def test_an_admin_cannot_approve_their_own_promotion(live_worker):
    world = world_build(requires_approval=True)
    client = client_for(world.ada)
    started = _post(client, _base(world), {"profileId": world.profile.pk, "jobIds": [world.job.pk]}).json()
    assert _settled(client, f"{_base(world)}{started['id']}/")["state"] == "waiting_approval"
    refused = _post(client, f"{_base(world)}{started['id']}/approve/")
    assert refused.status_code == 403 and refused.json()["code"] == "own_promotion"
    assert Promotion.objects.get().state == "waiting_approval"


def test_another_workspaces_promotion_is_not_found():
    world = world_build()
    stranger = user_make("stranger")
    elsewhere = workspace_make("elsewhere", admin=stranger)
    theirs = Promotion.objects.create(
        workspace=elsewhere,
        profile_name="their_target",
        note="their_secret_note",
        requires_approval=True,
        state="waiting_approval",
    )
    client, base = client_for(world.ada), _base(world)
    for response in (
        client.get(f"{base}{theirs.pk}/"),
        _post(client, f"{base}{theirs.pk}/approve/"),
        _post(client, f"{base}{theirs.pk}/reject/"),
        _post(client, f"{base}{theirs.pk}/apply/"),
    ):
        assert response.status_code == 404 and response.json()["code"] == "promotion_not_found"
        assert "their_secret_note" not in response.content.decode()
    assert client.get(base).json()["count"] == 0
    their_profile = profile_make(workspace=elsewhere, user=stranger, name="their_profile")
    response = _post(client, base, {"profileId": their_profile.pk, "jobIds": [world.job.pk]})
    assert response.status_code == 404 and response.json()["code"] == "profile_not_found"
    assert Promotion.objects.get().state == "waiting_approval"


def test_a_remote_promotion_starts_in_the_background_and_says_it_cannot_be_undone():
    """(It was refused before remote targets were built.) The change-set is read by a Celery task once
    the row commits: the answer is the row, preparing; tests/promotion/test_remote.py follows it."""
    world = world_build()
    remote = profile_make(workspace=world.dev, user=world.ada, name="remote")
    response = _post(client_for(world.ada), _base(world), {"profileId": remote.pk, "jobIds": [world.job.pk]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "preparing" and body["targetKind"] == "remote"
    assert body["targetWorkspaceId"] is None
    assert (
        body["targetLabel"]
        == "https://dataarts.prod.example.com (project prodproject, workspace prodworkspace)"
    )
    assert body["undoable"] is False and body["objects"] == [] and body["canApply"] is False
    assert "Prod-Remote-Secret-1" not in response.content.decode()


def test_a_remote_promotion_whose_worker_was_lost_is_failed_when_read():
    world = world_build()
    remote = profile_make(workspace=world.dev, user=world.ada, name="remote")
    client = client_for(world.ada)
    started = _post(client, _base(world), {"profileId": remote.pk, "jobIds": [world.job.pk]}).json()
    assert (
        client.get(f"{_base(world)}{started['id']}/").json()["state"] == "preparing"
    )  # a task may still run
    Promotion.objects.filter(pk=started["id"]).update(updated_at=timezone.now() - timedelta(days=1))

    listed = client.get(_base(world)).json()["results"][0]

    assert listed["state"] == "failed" and "worker was lost" in listed["message"]


def test_a_remote_promotion_of_nothing_is_refused():
    world = world_build()
    remote = profile_make(workspace=world.dev, user=world.ada, name="remote")
    response = _post(client_for(world.ada), _base(world), {"profileId": remote.pk, "jobIds": [999999]})
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "job_not_found" and response.json()["extra"]["fields"] == {
        "jobs": ["#999999"]
    }
    assert not Promotion.objects.exists()


def test_a_local_promotion_whose_worker_was_lost_is_failed_when_read():
    """Nothing runs its change-set here (no worker, the row never commits): as for a remote target, the
    row is failed on read once it is older than a task may run."""
    world = world_build()
    client = client_for(world.ada)
    started = _post(client, _base(world), {"profileId": world.profile.pk, "jobIds": [world.job.pk]})
    assert started.status_code == 201, started.content
    body = started.json()
    assert body["state"] == "preparing" and body["targetKind"] == "workspace" and body["canApply"] is False
    path = f"{_base(world)}{body['id']}/"
    assert client.get(path).json()["state"] == "preparing"  # a task may still run
    Promotion.objects.filter(pk=body["id"]).update(updated_at=timezone.now() - timedelta(days=1))

    failed = client.get(path).json()

    assert failed["state"] == "failed" and "worker was lost" in failed["message"]
    assert "Import History" in failed["message"]


def test_a_local_promotion_of_nothing_is_refused_at_once():
    world = world_build()
    response = _post(client_for(world.ada), _base(world), {"profileId": world.profile.pk, "jobIds": [999999]})
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "job_not_found"
    assert not Promotion.objects.exists()
