"""The job detail names the node properties that refer to objects the workspace does not hold (the canvas
flags those nodes), read afresh from the document in a constant number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factory.development.services import job_create, job_save
from tests.builders import (
    client_for,
    connection_make,
    external_object_make,
    job_document,
    job_make,
    node,
    resource_make,
    script_make,
    workspace_make,
)
from tests.development.fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


def many_kinds_job(name: str, suffix: str = "") -> dict:
    """One node per kind of referable object; every name ends in ``suffix``."""
    return job_document(
        name,
        nodes=[
            node(f"dws{suffix}", "DWSSQL", {"scriptName": f"s{suffix}", "connectionName": f"dws_x{suffix}"}),
            node(f"dli{suffix}", "DLISQL", {"scriptName": f"d{suffix}", "queueName": f"q{suffix}"}),
            node(f"ges{suffix}", "ImportGES", {"graphName": f"g{suffix}", "schemaPath": "obs://b/s"}),
            node(f"dis{suffix}", "DISTransferTask", {"streamName": f"st{suffix}"}),
            node(f"cdm{suffix}", "CDMJob", {"clusterName": f"c{suffix}", "jobName": "j"}),
            node(f"sub{suffix}", "SubJob", {"subJobName": f"child{suffix}"}),
        ],
    )


def test_the_detail_lists_each_node_property_naming_a_missing_object(workspace, alice):
    connection_make(workspace=workspace, name="dws_ok", type="DWS")
    script_make(workspace=workspace, name="present_script")
    external_object_make(workspace=workspace, kind="ges_graph", name="g")
    resource_make(workspace=workspace, name="present_res")
    # The same names in another workspace resolve nothing here.
    other = workspace_make("other")
    connection_make(workspace=other, name="dws_x", type="DWS")
    external_object_make(workspace=other, kind="dis_stream", name="st")
    doc = many_kinds_job("flagged")
    doc["nodes"].append(node("fine", "DWSSQL", {"scriptName": "present_script", "connectionName": "dws_ok"}))
    doc["nodes"].append(node("builtin", "DLISQL", {"scriptName": "present_script", "queueName": "default"}))
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

    connection_make(workspace=workspace, name="dws_x", type="DWS")
    for kind, name in [("dli_queue", "q"), ("dis_stream", "st"), ("cdm_cluster", "c"), ("ges_graph", "g")]:
        external_object_make(workspace=workspace, kind=kind, name=name)
    script_make(workspace=workspace, name="s")
    job_make(workspace=workspace, name="child")
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
