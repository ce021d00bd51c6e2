"""The console's tree, directory and node-type endpoints."""

from __future__ import annotations

import pytest
from django.test import Client

from factory.development.models import Directory
from factory.development.services import directory_create, job_create
from tests.builders import client_for, job_document
from tests.development.fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


def test_tree_lists_a_directory_lazily(workspace, alice):
    etl = directory_create(workspace=workspace, user=alice, category="job", path="/etl")
    directory_create(workspace=workspace, user=alice, category="job", path="/etl/daily")
    job_create(workspace=workspace, user=alice, document=job_document("top"))
    job_create(workspace=workspace, user=alice, document=job_document("inner", directory="/etl"))
    client = client_for(alice)

    root = client.get(f"/api/workspaces/{workspace.pk}/tree/?category=job").json()
    inner = client.get(f"/api/workspaces/{workspace.pk}/tree/?category=job&parent={etl.pk}").json()
    found = client.get(f"/api/workspaces/{workspace.pk}/tree/?search=inn").json()

    assert [(d["name"], d["hasChildren"]) for d in root["directories"]] == [("etl", True)]
    assert [e["name"] for e in root["elements"]] == ["top"]
    assert root["elements"][0]["lockedByMe"] is True and root["directory"]["path"] == "/"
    assert [d["path"] for d in inner["directories"]] == ["/etl/daily"]
    assert [(e["name"], e["directory"]) for e in inner["elements"]] == [("inner", "/etl")]
    assert [(e["name"], e["directory"]) for e in found["elements"]] == [("inner", "/etl")]


def test_tree_rejects_an_unknown_category(workspace, alice):
    response = client_for(alice).get(f"/api/workspaces/{workspace.pk}/tree/?category=dashboards")
    assert response.status_code == 400 and "category" in response.json()["extra"]["fields"]


def test_directory_create_rename_move_delete(workspace, alice):
    client = client_for(alice)
    base = f"/api/workspaces/{workspace.pk}/directories/"

    created = client.post(base, {"category": "job", "path": "/a"}, content_type="application/json")
    client.post(base, {"category": "job", "path": "/b"}, content_type="application/json")
    orphan = client.post(base, {"category": "job", "path": "/x/y"}, content_type="application/json")
    assert created.status_code == 201
    assert created.json() == {
        "id": created.json()["id"],
        "category": "job",
        "name": "a",
        "path": "/a",
        "parentId": None,
        "depth": 1,
    }
    assert (orphan.status_code, orphan.json()["message"]) == (404, "Directory /x does not exist.")

    directory_id = created.json()["id"]
    job_create(workspace=workspace, user=alice, document=job_document("j", directory="/a"))
    renamed = client.patch(f"{base}{directory_id}/", {"name": "a2"}, content_type="application/json")
    moved = client.patch(f"{base}{directory_id}/", {"parentPath": "/b"}, content_type="application/json")
    assert renamed.json()["path"] == "/a2"
    assert moved.json()["path"] == "/b/a2" and moved.json()["depth"] == 2

    not_empty = client.delete(f"{base}{directory_id}/")
    assert (not_empty.status_code, not_empty.json()["code"]) == (409, "directory_not_empty")
    assert not_empty.json()["message"] == "Directory /b/a2 is not empty."


def test_node_types_describe_the_registry(alice):
    response = client_for(alice).get("/api/node-types/")
    assert response.status_code == 200
    types = {t["code"]: t for t in response.json()}
    dws = {f["name"]: f for f in types["DWSSQL"]["fields"]}
    assert dws["connectionName"]["refersTo"] == "connection"
    assert dws["connectionName"]["connectionType"] == "DWS"


def test_node_types_need_a_login(db):
    assert Client().get("/api/node-types/").status_code == 403
    assert not Directory.objects.exists()
