"""Console API: connections, external objects, resources and environment variables of a workspace.

Secrets go in and never come out: the password string must appear in no response of any operation.
"""

from __future__ import annotations

import socket

import pytest

from factory.connections.models import ConnectionType, DataConnection, ExternalObject
from factory.connections.services import connection_create, external_object_create
from factory.development.models import EnvironmentVariable, Job, Resource
from factory.packages.secrets import secret_name_like
from tests.builders import client_for, user_make, workspace_make

pytestmark = pytest.mark.django_db
JSON = "application/json"
PASSWORD = "Very-Secret-DWS-Pa55word"


@pytest.fixture
def ctx():
    admin, dev, viewer = user_make("admin1"), user_make("dev"), user_make("viewer")
    workspace = workspace_make("default", admin=admin, developers=(dev,), viewers=(viewer,))
    other = workspace_make("other", admin=user_make("stranger"))
    return {
        "dev": client_for(dev),
        "viewer": client_for(viewer),
        "ws": workspace,
        "other": other,
        "base": f"/api/workspaces/{workspace.pk}",
        "other_base": f"/api/workspaces/{other.pk}",
    }


def _assert_no_secret(response, *also: str) -> None:
    body = response.content
    assert PASSWORD.encode() not in body
    for text in also:
        assert text.encode() not in body


def test_connection_crud_never_returns_a_secret(ctx):
    dev, base = ctx["dev"], ctx["base"]
    payload = {
        "name": "doctest",
        "type": "DWS",
        "config": {"host": "10.0.0.1", "port": 8000, "userName": "dbadmin"},
        "secrets": {"password": PASSWORD},
        "description": "Doc test DWS",
    }

    created = dev.post(f"{base}/connections/", payload, JSON)
    assert created.status_code == 201
    ciphertext = DataConnection.objects.get(name="doctest").secrets_encrypted
    _assert_no_secret(created, ciphertext)
    body = created.json()
    assert body["secretFields"] == ["password"]
    assert "secrets" not in body and body["createdBy"] == "dev"
    cid = body["id"]

    for response in (dev.get(f"{base}/connections/"), dev.get(f"{base}/connections/{cid}/")):
        assert response.status_code == 200
        _assert_no_secret(response, ciphertext)
    assert dev.get(f"{base}/connections/").json()["results"][0]["config"]["userName"] == "dbadmin"

    updated = dev.patch(
        f"{base}/connections/{cid}/", {"description": "x", "secrets": {"password": PASSWORD + "2"}}, JSON
    )
    assert updated.status_code == 200
    _assert_no_secret(updated, DataConnection.objects.get(pk=cid).secrets_encrypted)
    assert updated.json()["description"] == "x"

    assert dev.delete(f"{base}/connections/{cid}/").status_code == 204
    assert not DataConnection.objects.exists()


def test_a_password_in_config_is_refused_and_not_echoed(ctx):
    response = ctx["dev"].post(
        f"{ctx['base']}/connections/", {"name": "c", "type": "DWS", "config": {"password": PASSWORD}}, JSON
    )
    assert response.status_code == 400
    assert response.json()["code"] == "secret_in_config"
    _assert_no_secret(response)


def test_connection_list_filters_by_type(ctx):
    connection_create(workspace=ctx["ws"], user=None, name="doctest", type="DWS")
    connection_create(workspace=ctx["ws"], user=None, name="hive1", type="HIVE")
    names = [c["name"] for c in ctx["viewer"].get(f"{ctx['base']}/connections/?type=HIVE").json()["results"]]
    assert names == ["hive1"]


def test_duplicate_names_conflict(ctx):
    connection_create(workspace=ctx["ws"], user=None, name="doctest", type="DWS")
    response = ctx["dev"].post(f"{ctx['base']}/connections/", {"name": "doctest", "type": "DWS"}, JSON)
    assert response.status_code == 409
    assert response.json()["code"] == "connection_exists"


def _seed(workspace):
    connection = connection_create(workspace=workspace, user=None, name="doctest", type="DWS")
    obj = external_object_create(workspace=workspace, kind="dli_queue", name="queue1")
    resource = Resource.objects.create(workspace=workspace, name="r1", type="jar", location="obs://b/r1.jar")
    variable = EnvironmentVariable.objects.create(workspace=workspace, name="v1", value="x")
    return {
        "connections": connection.pk,
        "external-objects": obj.pk,
        "resources": resource.pk,
        "environment-variables": variable.pk,
    }


CREATE = {
    "connections": {"name": "new_conn", "type": "DWS", "secrets": {"password": PASSWORD}},
    "external-objects": {"kind": "ges_graph", "name": "graph1"},
    "resources": {"name": "new_res", "type": "jar", "location": "obs://b/new.jar"},
    "environment-variables": {"name": "new_var", "value": "1"},
}
UPDATE = {
    "connections": ("patch", {"description": "changed"}),
    "external-objects": ("patch", {"description": "changed"}),
    "resources": ("put", {"name": "r1", "type": "jar", "location": "obs://b/changed.jar"}),
    "environment-variables": ("patch", {"value": "changed"}),
}
MODELS = {
    "connections": DataConnection,
    "external-objects": ExternalObject,
    "resources": Resource,
    "environment-variables": EnvironmentVariable,
}


@pytest.mark.parametrize("kind", list(CREATE))
def test_viewers_read_but_cannot_write(ctx, kind):
    ids = _seed(ctx["ws"])
    viewer, base = ctx["viewer"], ctx["base"]
    count = MODELS[kind].objects.count()

    assert viewer.get(f"{base}/{kind}/").status_code == 200
    assert viewer.get(f"{base}/{kind}/{ids[kind]}/").status_code == 200
    assert viewer.post(f"{base}/{kind}/", CREATE[kind], JSON).status_code == 403
    method, payload = UPDATE[kind]
    response = getattr(viewer, method)(f"{base}/{kind}/{ids[kind]}/", payload, JSON)
    assert response.status_code == 403
    assert response.json()["code"] == "role_required"
    assert viewer.delete(f"{base}/{kind}/{ids[kind]}/").status_code == 403
    assert MODELS[kind].objects.count() == count


@pytest.mark.parametrize("kind", list(CREATE))
def test_developers_write(ctx, kind):
    ids = _seed(ctx["ws"])
    dev, base = ctx["dev"], ctx["base"]

    created = dev.post(f"{base}/{kind}/", CREATE[kind], JSON)
    assert created.status_code == 201, created.json()
    _assert_no_secret(created)
    method, payload = UPDATE[kind]
    updated = getattr(dev, method)(f"{base}/{kind}/{ids[kind]}/", payload, JSON)
    assert updated.status_code == 200, updated.json()
    assert dev.delete(f"{base}/{kind}/{created.json()['id']}/").status_code == 204


@pytest.mark.parametrize("kind", list(CREATE))
def test_objects_of_another_workspace_are_not_found(ctx, kind):
    theirs = _seed(ctx["other"])
    dev, base = ctx["dev"], ctx["base"]
    url = f"{base}/{kind}/{theirs[kind]}/"

    assert dev.get(url).status_code == 404
    method, payload = UPDATE[kind]
    assert getattr(dev, method)(url, payload, JSON).status_code == 404
    assert dev.delete(url).status_code == 404
    assert MODELS[kind].objects.filter(pk=theirs[kind]).exists()
    # Nor through the other workspace's own URL, which the user is no member of.
    assert dev.get(f"{ctx['other_base']}/{kind}/").status_code == 404
    assert dev.post(f"{ctx['other_base']}/{kind}/", CREATE[kind], JSON).status_code == 404
    assert dev.get(f"{base}/{kind}/").json()["count"] == 0


def test_external_objects_filter_by_kind(ctx):
    external_object_create(workspace=ctx["ws"], kind="dli_queue", name="q1")
    external_object_create(workspace=ctx["ws"], kind="cdm_cluster", name="cdm1")
    body = ctx["viewer"].get(f"{ctx['base']}/external-objects/?kind=cdm_cluster").json()
    assert [(o["kind"], o["name"]) for o in body["results"]] == [("cdm_cluster", "cdm1")]


def test_resources_speak_dataarts_shape(ctx):
    dev, base = ctx["dev"], ctx["base"]
    doc = {
        "name": "spark_etl",
        "type": "jar",
        "location": "obs://dlf-demo/spark_etl.jar",
        "dependFiles": ["obs://dlf-demo/deps.jar"],
        "desc": "main jar",
        "directory": "/spark",
    }
    created = dev.post(f"{base}/resources/", doc, JSON)
    assert created.status_code == 201
    body = created.json()
    assert {k: body[k] for k in doc} == doc

    bad = dev.post(f"{base}/resources/", {**doc, "name": "other", "location": "ftp://x/y.jar"}, JSON)
    assert bad.status_code == 400
    assert "location" in bad.json()["extra"]["fields"]
    bad_name = dev.post(f"{base}/resources/", {**doc, "name": "no spaces please"}, JSON)
    assert bad_name.status_code == 400

    node = {"name": "n", "type": "DLISpark", "properties": [{"name": "resourceName", "value": "spark_etl"}]}
    Job.objects.create(workspace=ctx["ws"], name="etl", document={"name": "etl", "nodes": [node]})
    blocked = dev.delete(f"{base}/resources/{body['id']}/")
    assert blocked.status_code == 409
    assert blocked.json()["code"] == "resource_referenced"


def test_environment_variable_names_are_checked(ctx):
    response = ctx["dev"].post(
        f"{ctx['base']}/environment-variables/", {"name": "bad name", "value": "1"}, JSON
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_name"
    assert list(response.json()["extra"]["fields"]) == ["name"]


def test_lists_are_paginated(ctx):
    for i in range(5):
        EnvironmentVariable.objects.create(workspace=ctx["ws"], name=f"v{i}")
    body = ctx["viewer"].get(f"{ctx['base']}/environment-variables/?limit=2&offset=2").json()
    assert body["count"] == 5
    assert [v["name"] for v in body["results"]] == ["v2", "v3"]


# --- the Connections room: type forms, Test, usages, masked variables ---------------------------------


def test_connection_types_describe_each_form_with_its_secret_fields(ctx):
    body = ctx["viewer"].get("/api/connection-types/").json()
    types = {t["code"]: t for t in body}

    assert set(types) == {c.value for c in ConnectionType}
    dws = {f["name"]: f for f in types["DWS"]["fields"]}
    assert dws["password"]["secret"] is True and dws["password"]["widget"] == "password"
    assert dws["host"]["required"] is True and dws["port"]["default"] == 8000
    assert types["DWS"]["test"] == "postgres" and types["DLI"]["test"] == "none"
    # Every secret field is one the config check would refuse, so it can only travel in secrets.
    for spec in body:
        for field in spec["fields"]:
            assert field["secret"] == secret_name_like(field["name"]), (spec["code"], field["name"])


def test_test_endpoints_answer_ok_message_elapsed_and_viewers_may_not_test(ctx):
    dev, base = ctx["dev"], ctx["base"]
    connection = connection_create(
        workspace=ctx["ws"], user=None, name="dli", type="DLI", config={"region": "r"}, secrets={}
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    unsaved = dev.post(
        f"{base}/connections/test/",
        {"type": "HOST", "config": {"ip": "127.0.0.1", "port": closed}, "secrets": {"password": PASSWORD}},
        JSON,
    )
    saved = dev.post(f"{base}/connections/{connection.pk}/test/", {}, JSON)

    assert unsaved.status_code == 200
    body = unsaved.json()
    assert body["ok"] is False and body["message"].startswith(f"could not connect to 127.0.0.1:{closed}")
    assert isinstance(body["elapsedMs"], int)
    _assert_no_secret(unsaved)
    assert saved.json()["ok"] is False and "nothing to test" in saved.json()["message"]
    assert ctx["viewer"].post(f"{base}/connections/{connection.pk}/test/", {}, JSON).status_code == 403
    other = connection_create(workspace=ctx["other"], user=None, name="x", type="DLI", config={}, secrets={})
    assert (
        dev.post(f"{base}/connections/test/", {"type": "DLI", "connectionId": other.pk}, JSON).status_code
        == 404
    )


def test_usages_list_the_jobs_and_scripts_and_delete_is_allowed_after(ctx):
    base = ctx["base"]
    connection = connection_create(workspace=ctx["ws"], user=None, name="doctest", type="DWS", config={})
    queue = external_object_create(workspace=ctx["ws"], kind="dli_queue", name="q1")
    node = {"name": "n", "type": "DWSSQL", "properties": [{"name": "connectionName", "value": "doctest"}]}
    Job.objects.create(workspace=ctx["ws"], name="doc1", document={"name": "doc1", "nodes": [node]})

    usages = ctx["viewer"].get(f"{base}/connections/{connection.pk}/usages/")
    assert usages.status_code == 200
    assert usages.json() == {"jobs": ["doc1"], "scripts": []}
    assert ctx["viewer"].get(f"{base}/external-objects/{queue.pk}/usages/").json() == {
        "jobs": [],
        "scripts": [],
    }
    assert ctx["dev"].delete(f"{base}/connections/{connection.pk}/").status_code == 204
    assert Job.objects.filter(name="doc1").exists()  # the job keeps the name; an import asks for another


def test_masked_environment_variables_are_never_returned(ctx):
    dev, base = ctx["dev"], ctx["base"]
    created = dev.post(
        f"{base}/environment-variables/", {"name": "api_token", "value": PASSWORD, "masked": True}, JSON
    )
    plain = dev.post(f"{base}/environment-variables/", {"name": "db_password", "value": "x"}, JSON)

    assert created.status_code == 201
    assert {k: created.json()[k] for k in ("value", "masked", "valueSet", "nameLikeSecret")} == {
        "value": "",
        "masked": True,
        "valueSet": True,
        "nameLikeSecret": True,
    }
    vid = created.json()["id"]
    for response in (
        dev.get(f"{base}/environment-variables/"),
        dev.get(f"{base}/environment-variables/{vid}/"),
        dev.patch(f"{base}/environment-variables/{vid}/", {"value": "", "description": "d"}, JSON),
    ):
        assert response.status_code == 200
        _assert_no_secret(response, EnvironmentVariable.objects.get(pk=vid).value_encrypted)
    assert EnvironmentVariable.objects.get(pk=vid).value_encrypted  # the blank edit kept it
    assert plain.json()["nameLikeSecret"] is True and plain.json()["masked"] is False
    refused = dev.patch(f"{base}/environment-variables/{vid}/", {"masked": False}, JSON)
    assert refused.status_code == 400 and refused.json()["code"] == "value_required"
    assert list(refused.json()["extra"]["fields"]) == ["value"]
