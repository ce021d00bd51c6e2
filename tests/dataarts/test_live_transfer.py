"""Export, OBS, check-file, import and system-tasks end to end: the official SDK over HTTP against
``live_server``, a real Celery worker (``live_worker``) and OBS (SeaweedFS, ``s3``/``obs_bucket``).

The scenario of DataArts' user guide: export job doc1 (a DWS SQL node on data connection doctest), put the
package in OBS, import it with OVERWRITE while remapping doctest to dws_backup, wait for the system task,
and find the job using dws_backup.
"""

from __future__ import annotations

import io
import json
import time
import zipfile

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkdgc.v1.model import (
    CreateJobRequest,
    CreateScriptRequest,
    ExportJobListRequest,
    ExportJobReq,
    ExportJobRequest,
    ExportJobsReq,
    FilePath,
    ImportFileReq,
    ImportJobRequest,
    JobResourceInfo,
    ListSystemTasksRequest,
    ShowFileInfoRequest,
    ShowJobRequest,
    UpdateJobRequest,
)

from factory.connections.services import connection_create
from factory.development.models import Job
from tests.dataarts.documents import job_document, script_document

pytestmark = pytest.mark.django_db(transaction=True)

TASK_TIMEOUT_SECONDS = 60


def _wait(client, task_id: str):
    deadline = time.monotonic() + TASK_TIMEOUT_SECONDS
    while True:
        task = client.list_system_tasks(ListSystemTasksRequest(task_id=task_id))
        if task.status != "RUNNING":
            return task
        assert time.monotonic() < deadline, f"task {task_id} still RUNNING after {TASK_TIMEOUT_SECONDS}s"
        time.sleep(0.3)


@pytest.fixture
def live(live_server, live_worker, alice_key, alice, workspace_a):
    connection_create(workspace=workspace_a, user=alice, name="doctest", type="DWS")
    connection_create(workspace=workspace_a, user=alice, name="dws_backup", type="DWS")
    client = alice_key.client(endpoint=live_server.url)
    client.create_script(CreateScriptRequest(body=script_document("dws_script")))
    params = [{"name": "days", "value": "7", "type": "variable"}]
    client.create_job(CreateJobRequest(body=job_document("doc1", params=params, description="exported")))
    client.create_job(CreateJobRequest(body=job_document("doc2")))
    return client


def test_export_import_with_remap_through_obs(live, s3, obs_bucket) -> None:
    package = live.export_job(ExportJobRequest(job_name="doc1")).raw_content
    entries = zipfile.ZipFile(io.BytesIO(package)).namelist()
    assert {"jobs/doc1.job", "scripts/dws_script.script"} <= set(entries)

    batch = live.export_job_list(
        ExportJobListRequest(body=ExportJobsReq(job_list=["doc1", "doc2"]))
    ).raw_content
    batch_entries = set(zipfile.ZipFile(io.BytesIO(batch)).namelist())
    assert {"jobs/doc1/doc1.job", "jobs/doc2/doc2.job", "jobs/doc1/dws_script.script"} <= batch_entries

    s3.put_object(Bucket=obs_bucket, Key="packages/DLF_doc1.zip", Body=package)
    path = f"obs://{obs_bucket}/packages/DLF_doc1.zip"

    info = live.show_file_info(ShowFileInfoRequest(body=FilePath(path=path)))
    assert [(job.name, job.path, job.params) for job in info.jobs] == [
        ("doc1", "jobs/doc1.job", {"days": "7"})
    ]
    assert [script.name for script in info.scripts] == ["dws_script"]
    raw = json.loads(info.raw_content)
    assert {"name": "doctest", "type": "connection", "status": 1} in raw["resources"]

    live.update_job(UpdateJobRequest(job_name="doc1", body=job_document("doc1", description="changed")))

    answer = live.import_job(
        ImportJobRequest(
            body=ImportFileReq(
                path=path,
                same_name_policy="OVERWRITE",
                resources=[JobResourceInfo(name="doctest", type="DWS_CONNECTION", replace="dws_backup")],
                jobs_param=[{"name": "doc1", "params": {"days": "30"}}],
            )
        )
    )
    assert len(answer.task_id) == 32
    task = _wait(live, answer.task_id)
    assert task.status == "SUCCESSFUL", task.message
    assert {(sub.name, sub.status) for sub in task.subtasks} >= {("Import the doc1 job.", "SUCCESSFUL")}
    assert task.end_time >= task.start_time

    shown = live.show_job(ShowJobRequest(job_name="doc1"))
    assert {p.name: p.value for p in shown.nodes[0].properties}["connectionName"] == "dws_backup"
    assert shown.description == "exported"
    assert {p.name: p.value for p in shown.params} == {"days": "30"}
    job = Job.objects.get(name="doc1")
    assert job.is_submitted


def test_export_to_obs_path(live, s3, obs_bucket) -> None:
    answer = live.export_job(
        ExportJobRequest(job_name="doc1", body=ExportJobReq(obs_path=f"obs://{obs_bucket}/exports/"))
    )
    assert answer.status_code == 204
    body = s3.get_object(Bucket=obs_bucket, Key="exports/DLF_doc1.zip")["Body"].read()
    assert "jobs/doc1.job" in zipfile.ZipFile(io.BytesIO(body)).namelist()

    live.export_job_list(
        ExportJobListRequest(
            body=ExportJobsReq(job_list=["doc1", "doc2"], obs_path=f"obs://{obs_bucket}/exports")
        )
    )
    body = s3.get_object(Bucket=obs_bucket, Key="exports/jobs.zip")["Body"].read()
    assert "jobs/doc2/doc2.job" in zipfile.ZipFile(io.BytesIO(body)).namelist()

    # The same export again would replace the package: DataArts' "OBS write failed" code, object kept.
    # (The folder is written without its slash: the very same signed request within a second is a replay.)
    with pytest.raises(ClientRequestException) as caught:
        live.export_job(
            ExportJobRequest(job_name="doc1", body=ExportJobReq(obs_path=f"obs://{obs_bucket}/exports"))
        )
    assert caught.value.error_code == "DLF.0816" and "already exists" in caught.value.error_msg
    # A path naming a file is refused: an export never chooses which object it replaces.
    with pytest.raises(ClientRequestException) as caught:
        live.export_job(
            ExportJobRequest(
                job_name="doc1", body=ExportJobReq(obs_path=f"obs://{obs_bucket}/exports/all.zip")
            )
        )
    assert caught.value.error_code == "DLF.0803"
    assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket=obs_bucket)["Contents"]) == [
        "exports/DLF_doc1.zip",
        "exports/jobs.zip",
    ]


def test_missing_obs_object_is_dlf_0815(live, obs_bucket) -> None:
    for call, request in (
        (live.import_job, ImportJobRequest(body=ImportFileReq(path=f"obs://{obs_bucket}/nothing.zip"))),
        (live.show_file_info, ShowFileInfoRequest(body=FilePath(path=f"obs://{obs_bucket}/nothing.zip"))),
    ):
        with pytest.raises(ClientRequestException) as caught:
            call(request)
        assert (caught.value.status_code, caught.value.error_code) == (400, "DLF.0815")


def test_import_of_a_package_needing_an_unmapped_connection_fails_naming_it(live, s3, obs_bucket) -> None:
    package = live.export_job(
        ExportJobRequest(job_name="doc1", body=ExportJobReq(export_depend=False))
    ).raw_content
    s3.put_object(Bucket=obs_bucket, Key="DLF_doc1.zip", Body=package)
    live.create_job(CreateJobRequest(body=job_document("doc3", connection="elsewhere")))
    other = live.export_job(
        ExportJobRequest(job_name="doc3", body=ExportJobReq(export_depend=False))
    ).raw_content
    s3.put_object(Bucket=obs_bucket, Key="DLF_doc3.zip", Body=other)
    Job.objects.filter(name="doc3").delete()

    answer = live.import_job(ImportJobRequest(body=ImportFileReq(path=f"obs://{obs_bucket}/DLF_doc3.zip")))
    task = _wait(live, answer.task_id)
    assert task.status == "FAILED"
    assert "elsewhere" in task.message
    assert not Job.objects.filter(name="doc3").exists()
