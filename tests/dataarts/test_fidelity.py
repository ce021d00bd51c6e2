"""Issue 13 through Huawei's official SDK (in process): DataArts' own error codes for a job without nodes
(DLF.1006) and a bad schedule (DLF.3025), every script type the SDK lists, and the v1 import leaving a
missing script unresolved as DataArts does (the job is imported and fails when scheduled)."""

from __future__ import annotations

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkdgc.v1.model import (
    CreateJobRequest,
    CreateScriptRequest,
    ExportJobReq,
    ExportJobRequest,
    ListSystemTasksRequest,
    ShowJobRequest,
)

from factory.connections.services import connection_create
from factory.dataarts.services import v1_import_choices
from factory.development.models import Job, Script
from factory.transfer.imports import import_apply_stored
from tests.dataarts.documents import job_document, script_document
from tests.transfer.importing import start_stored

pytestmark = pytest.mark.django_db


def _refused(call, *args) -> ClientRequestException:
    with pytest.raises(ClientRequestException) as caught:
        call(*args)
    return caught.value


def test_a_job_without_nodes_is_dlf_1006(dgc) -> None:
    error = _refused(dgc.create_job, CreateJobRequest(body=job_document("hollow", nodes=[])))
    assert (error.status_code, error.error_code) == (400, "DLF.1006")
    assert "hollow has no nodes" in error.error_msg
    assert not Job.objects.filter(name="hollow").exists()


@pytest.mark.parametrize(
    ("cron", "text"),
    [
        ({"expression": "upstream_job"}, "schedule.cron.expression: 'upstream_job' has 1 field(s)"),
        ({"expression": "0 0 2 * * ?", "intervalType": "fortnights"}, "schedule.cron.intervalType"),
        ({"expression": "0 0 2 * * ?", "startTime": "yesterday"}, "schedule.cron.startTime"),
        ({"expression": "0 0 2 * * ?", "dependJobs": {"jobs": ["no/such"]}}, "dependJobs.jobs[0]"),
    ],
)
def test_a_bad_schedule_is_dlf_3025_naming_the_field(dgc, cron, text) -> None:
    body = job_document("sched", schedule={"type": "CRON", "cron": cron})
    error = _refused(dgc.create_job, CreateJobRequest(body=body))
    assert (error.status_code, error.error_code) == (400, "DLF.3025")
    assert text in error.error_msg
    assert not Job.objects.filter(name="sched").exists()


def test_a_spark_python_script_is_created(dgc) -> None:
    body = script_document("spark_py", type="SparkPython", content="print(1)")
    assert dgc.create_script(CreateScriptRequest(body=body)).status_code == 204
    assert Script.objects.get(name="spark_py").type == "SparkPython"


def test_the_v1_import_leaves_a_missing_script_unresolved_as_dataarts_does(
    dgc, alice, workspace_a, tmp_path
) -> None:
    connection_create(workspace=workspace_a, user=alice, name="doctest", type="DWS")
    dgc.create_script(CreateScriptRequest(body=script_document("dws_script")))
    dgc.create_job(CreateJobRequest(body=job_document("doc1")))
    path = tmp_path / "jobs_only.zip"
    path.write_bytes(
        dgc.export_job(ExportJobRequest(job_name="doc1", body=ExportJobReq(export_depend=False))).raw_content
    )
    Job.objects.filter(name="doc1").delete()
    Script.objects.filter(name="dws_script").delete()
    choices = v1_import_choices(
        same_name_policy="OVERWRITE", params={}, jobs_param=[], resources=[], target_status="SUBMITTED"
    )
    task = start_stored(workspace_a, alice, path, choices)
    import_apply_stored(task_id=task.pk)

    shown = dgc.list_system_tasks(ListSystemTasksRequest(task_id=task.public_id))
    assert shown.status == "SUCCESSFUL", shown.message
    job = dgc.show_job(ShowJobRequest(job_name="doc1"))
    assert {p.name: p.value for p in job.nodes[0].properties}["scriptName"] == "dws_script"
    task.refresh_from_db()
    assert task.result["report"]["unresolved"][0] | {"job": "doc1"} == {
        "job": "doc1",
        "node": job.nodes[0].name,
        "kind": "script",
        "name": "dws_script",
        "property": "scriptName",
    }
