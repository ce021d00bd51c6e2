"""The console's script API: the same operations as jobs, with the script's own shape."""

from __future__ import annotations

import pytest

from factory.development.models import Script
from factory.development.services import directory_create
from tests.builders import client_for, script_document
from tests.development.fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


def test_script_lifecycle(workspace, alice, bob):
    client = client_for(alice)
    base = f"/api/workspaces/{workspace.pk}/scripts/"
    doc = script_document("report", type="HiveSQL", connectionName="hive_conn", queueName="q")

    created = client.post(base, {"document": doc}, content_type="application/json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["type"], body["connectionName"], body["lockedByMe"]) == ("HiveSQL", "hive_conn", True)
    assert body["document"]["queueName"] == "q" and created["ETag"] == '"1"'
    detail = f"{base}{body['id']}/"

    saved = client.put(
        detail,
        {"document": {**doc, "content": "SELECT 2;"}, "newVersion": True},
        content_type="application/json",
        HTTP_IF_MATCH='"1"',
    )
    stale = client.put(detail, {"document": doc}, content_type="application/json", HTTP_IF_MATCH='"1"')
    not_mine = client_for(bob).put(detail, {"document": doc}, content_type="application/json")
    assert saved.status_code == 200 and saved.json()["document"]["content"] == "SELECT 2;"
    assert stale.status_code == 412
    assert (not_mine.status_code, not_mine.json()["code"]) == (409, "locked")

    submitted = client.post(f"{detail}submit/", {"description": "ok"}, content_type="application/json")
    assert submitted.status_code == 201
    versions = client.get(f"{detail}versions/").json()
    assert [(v["kind"], v["number"]) for v in versions["results"]] == [("submitted", 1), ("saved", 1)]
    assert client.get(detail).json()["submitted"] is True

    directory_create(workspace=workspace, user=alice, category="script", path="/sql")
    moved = client.post(
        f"{base}move/", {"ids": [body["id"]], "directory": "/sql"}, content_type="application/json"
    )
    assert moved.json() == {"moved": 1}
    assert client.get(detail).json()["directory"] == "/sql"
    assert client.post(f"{base}unlock/", {"ids": [body["id"]]}, content_type="application/json").json() == {
        "unlocked": 1,
        "refused": [],
    }
    assert client.get(f"{base}?type=HiveSQL").json()["count"] == 1
    assert client.delete(detail).status_code == 204
    assert not Script.objects.exists()


def test_invalid_script_names_the_field(workspace, alice):
    response = client_for(alice).post(
        f"/api/workspaces/{workspace.pk}/scripts/",
        {"document": script_document("s", type="COBOL")},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "COBOL" in response.json()["message"] and "type" in response.json()["extra"]["fields"]
