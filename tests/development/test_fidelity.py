"""Issue 13: the node registry knows DataArts' node types, remaps every reference, and the development
state keeps a job document as written; a job without nodes or with a bad schedule is refused."""

from __future__ import annotations

import pytest

from factory.development.nodes import (
    DIS_STREAM,
    JOB,
    NODE_TYPES,
    SCRIPT,
    job_called_jobs,
    job_references,
    job_references_rewrite,
    job_unknown_nodes,
    script_type_fits,
)
from factory.development.services import job_create, job_save
from factory.development.validation import job_validate
from factory.errors import ValidationError
from tests.builders import job_document

# huaweicloudsdkdataartsstudio 3.1.219, v1/model/node.py, Node.type: every value it lists.
SDK_NODE_TYPES = (
    "HiveSQL SparkSQL DWSSQL DLISQL RDSSQL Shell Python DISTransferTask CDMJob OBSManager Dummy RESTAPI "
    "DLISpark SMN MRSSpark MapReduce MRSFlink MRSFlinkJob MRSHetuEngine"
).split()
# DataArts' node reference (real-time nodes included), with the codes the registry gives them.
REFERENCE_NODE_TYPES = (
    "DISStream DISClient CloudTableManager MRSKafka KafkaClient DLIFlinkJob MRSSparkPython ImpalaSQL "
    "PRESTO ClickHouseSQL DORISSQL ImportGES ROMAFDIJob CSS ETLJob DataMigration ModelArtsTrain CreateOBS "
    "DeleteOBS OpenCloseResource SubJob ForEach"
).split()


def _node(name: str, type_: str, **props: str) -> dict:
    return {
        "name": name,
        "type": type_,
        "location": {"x": 0, "y": 0},
        "properties": [{"name": k, "value": v} for k, v in props.items()],
    }


@pytest.mark.parametrize("code", SDK_NODE_TYPES + REFERENCE_NODE_TYPES)
def test_the_registry_knows_every_node_type_of_the_sdk_and_the_node_reference(code):
    assert code in NODE_TYPES
    assert job_unknown_nodes({"nodes": [_node("n", code)]}) == []


def test_an_unknown_node_type_is_named():
    doc = {"nodes": [_node("a", "Dummy"), _node("b", "QuantumSQL", scriptName="s")]}
    assert job_unknown_nodes(doc) == [("b", "QuantumSQL")]


def test_a_dis_stream_remap_moves_the_node_and_its_trigger_together():
    node = _node("stream", "DISStream", streamName="st1")
    node["eventTrigger"] = {"eventType": "DIS", "channel": "st1"}
    doc = {"nodes": [node, _node("dump", "DISTransferTask", streamName="st1")]}
    assert {(r.node, r.property) for r in job_references(doc) if r.kind == DIS_STREAM} == {
        ("stream", "streamName"),
        ("stream", "eventTrigger.channel"),
        ("dump", "streamName"),
    }

    new = job_references_rewrite(doc, mapping={(DIS_STREAM, "st1"): "st2"})

    assert [p["value"] for n in new["nodes"] for p in n["properties"]] == ["st2", "st2"]
    assert new["nodes"][0]["eventTrigger"]["channel"] == "st2"
    assert "st1" not in str(new)


def test_dependency_jobs_of_a_real_time_node_and_same_workspace_jobs_are_remapped_but_not_called():
    node = _node("n", "Dummy")
    node["cronTrigger"] = {"expression": "0 0 * * * ?", "dependJobs": {"jobs": ["up"]}}
    doc = {
        "nodes": [node],
        "schedule": {"type": "CRON", "cron": {"dependJobs": {"sameWorkSpaceJobs": [{"jobName": "up"}]}}},
    }
    assert {r.property for r in job_references(doc) if r.kind == JOB} == {
        "cronTrigger.dependJobs.jobs",
        "schedule.cron.dependJobs.sameWorkSpaceJobs",
    }
    assert job_called_jobs(doc) == set()  # waited for, not run: not in an export's closure

    new = job_references_rewrite(doc, mapping={(JOB, "up"): "up2"})

    assert new["nodes"][0]["cronTrigger"]["dependJobs"]["jobs"] == ["up2"]
    assert new["schedule"]["cron"]["dependJobs"]["sameWorkSpaceJobs"] == [{"jobName": "up2"}]
    assert doc["nodes"][0]["cronTrigger"]["dependJobs"]["jobs"] == ["up"]  # the input is untouched


def test_a_script_reference_carries_the_script_types_its_node_runs():
    doc = {"nodes": [_node("py", "MRSSparkPython", clusterName="mrs", scriptName="etl")]}
    (ref,) = [r for r in job_references(doc) if r.kind == SCRIPT]
    assert script_type_fits("SparkPython", ref.script_types)
    assert script_type_fits("Spark Python", ref.script_types)
    assert not script_type_fits("DWSSQL", ref.script_types)


def test_a_job_without_nodes_is_refused_naming_the_job():
    with pytest.raises(ValidationError) as caught:
        job_validate(job_document("empty_job", nodes=[]))
    assert caught.value.code == "nodes_empty"
    assert "empty_job has no nodes" in caught.value.message
    assert "nodes" in caught.value.fields


def test_a_cron_expression_holding_a_job_name_is_refused_as_a_schedule_error(workspace, alice):
    document = job_document("j", schedule={"type": "CRON", "cron": {"expression": "upstream_job"}})
    with pytest.raises(ValidationError) as caught:
        job_create(workspace=workspace, user=alice, document=document)
    assert caught.value.code == "invalid_schedule"
    assert caught.value.message.startswith("schedule.cron.expression: 'upstream_job' has 1 field(s)")


def test_saving_all_nodes_away_is_refused_and_keeps_the_job(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=job_document("j"))
    with pytest.raises(ValidationError):
        job_save(job=job, user=alice, document={**job.document, "nodes": []})
    job.refresh_from_db()
    assert len(job.document["nodes"]) == 1


def test_the_directory_is_kept_as_written(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=job_document("j", directory="/etl/"))
    assert job.document["directory"] == "/etl/"
    assert job.directory.path == "/etl"
    job = job_save(job=job, user=alice, document=job.document)
    assert job.document["directory"] == "/etl/"
