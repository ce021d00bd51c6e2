"""The job detail names the node properties that refer to objects the workspace does not hold (the canvas
flags those nodes), read afresh from the document in a constant number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from factory.development.services import job_create, job_save
from tests.development.fixtures import *  # noqa: F403
from tests.development.helpers import job_document
from tests.factories import (
    DataConnectionFactory,
    ExternalObjectFactory,
    JobFactory,
    ResourceFactory,
    ScriptFactory,
)

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def node(name: str, type_: str, **properties: str) -> dict:
    return {
        "name": name,
        "type": type_,
        "location": {"x": 0, "y": 0},
        "preNodeName": [],
        "properties": [{"name": k, "value": v} for k, v in properties.items()],
    }


def many_kinds_job(name: str, suffix: str = "") -> dict:
    """One node per kind of referable object; every name ends in ``suffix``."""
    return job_document(
        name,
        nodes=[
            node(f"dws{suffix}", "DWSSQL", scriptName=f"s{suffix}", connectionName=f"dws_x{suffix}"),
            node(f"dli{suffix}", "DLISQL", scriptName=f"d{suffix}", queueName=f"q{suffix}"),
            node(f"ges{suffix}", "ImportGES", graphName=f"g{suffix}", schemaPath="obs://b/s"),
            node(f"dis{suffix}", "DISTransferTask", streamName=f"st{suffix}"),
            node(f"cdm{suffix}", "CDMJob", clusterName=f"c{suffix}", jobName="j"),
            node(f"sub{suffix}", "SubJob", subJobName=f"child{suffix}"),
        ],
    )


def test_the_detail_lists_each_node_property_naming_a_missing_object(workspace, alice):
    DataConnectionFactory(workspace=workspace, name="dws_ok", type="DWS")
    ScriptFactory(workspace=workspace, name="present_script")
    ExternalObjectFactory(workspace=workspace, kind="ges_graph", name="g")
    ResourceFactory(workspace=workspace, name="present_res")
    # The same names in another workspace resolve nothing here.
    other = JobFactory().workspace
    DataConnectionFactory(workspace=other, name="dws_x", type="DWS")
    ExternalObjectFactory(workspace=other, kind="dis_stream", name="st")
    doc = many_kinds_job("flagged")
    doc["nodes"].append(node("fine", "DWSSQL", scriptName="present_script", connectionName="dws_ok"))
    doc["nodes"].append(node("builtin", "DLISQL", scriptName="present_script", queueName="default"))
    job = job_create(workspace=workspace, user=alice, document=doc)

    body = client_for(alice).get(f"/api/workspaces/{workspace.pk}/jobs/{job.pk}/").json()

    assert body["unresolvedReferences"] == [
        {"node": "cdm", "kind": "cdm_cluster", "name": "c", "property": "clusterName"},
        {"node": "dws", "kind": "connection", "name": "dws_x", "property": "connectionName"},
        {"node": "dis", "kind": "dis_stream", "name": "st", "property": "streamName"},
        {"node": "dli", "kind": "dli_queue", "name": "q", "property": "queueName"},
        {"node": "sub", "kind": "job", "name": "child", "property": "subJobName"},
        {"node": "dli", "kind": "script", "name": "d", "property": "scriptName"},
        {"node": "dws", "kind": "script", "name": "s", "property": "scriptName"},
    ]


def test_the_flag_goes_when_the_object_exists_or_the_node_changes(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=many_kinds_job("fixing"))
    url = f"/api/workspaces/{workspace.pk}/jobs/{job.pk}/"
    client = client_for(alice)
    assert len(client.get(url).json()["unresolvedReferences"]) == 8

    DataConnectionFactory(workspace=workspace, name="dws_x", type="DWS")
    for kind, name in [("dli_queue", "q"), ("dis_stream", "st"), ("cdm_cluster", "c"), ("ges_graph", "g")]:
        ExternalObjectFactory(workspace=workspace, kind=kind, name=name)
    ScriptFactory(workspace=workspace, name="s")
    JobFactory(workspace=workspace, name="child")
    left = client.get(url).json()["unresolvedReferences"]
    assert left == [{"node": "dli", "kind": "script", "name": "d", "property": "scriptName"}]

    doc = many_kinds_job("fixing")
    doc["nodes"][1]["properties"][0]["value"] = "s"
    job_save(job=job, user=alice, document=doc)
    assert client.get(url).json()["unresolvedReferences"] == []


def test_the_check_costs_the_same_queries_for_one_node_or_sixty(
    workspace, alice, django_assert_max_num_queries
):
    small = job_create(workspace=workspace, user=alice, document=many_kinds_job("small"))
    big_doc = many_kinds_job("big")
    big_doc["nodes"] = [n for i in range(10) for n in many_kinds_job("x", suffix=f"_{i}")["nodes"]]
    big = job_create(workspace=workspace, user=alice, document=big_doc)
    client = client_for(alice)
    client.get(f"/api/workspaces/{workspace.pk}/jobs/{small.pk}/")  # warm the session

    with CaptureQueriesContext(connection) as small_queries:
        small_body = client.get(f"/api/workspaces/{workspace.pk}/jobs/{small.pk}/").json()
    with django_assert_max_num_queries(len(small_queries)):
        big_body = client.get(f"/api/workspaces/{workspace.pk}/jobs/{big.pk}/").json()
    assert len(small_body["unresolvedReferences"]) == 8
    assert len(big_body["unresolvedReferences"]) == 80


def test_the_node_type_palette_names_the_script_types_a_node_runs(alice):
    types = {t["code"]: t for t in client_for(alice).get("/api/node-types/").json()}
    fields = {
        name: {f["name"]: f for f in types[name]["fields"]} for name in ("DWSSQL", "Python", "DORISSQL")
    }
    assert fields["DWSSQL"]["scriptName"]["scriptTypes"] == ["DWSSQL"]
    assert fields["Python"]["scriptName"]["scriptTypes"] == ["PYTHON", "Python"]
    assert fields["DORISSQL"]["scriptName"]["scriptTypes"] == []
    assert fields["DWSSQL"]["connectionName"]["scriptTypes"] == []
