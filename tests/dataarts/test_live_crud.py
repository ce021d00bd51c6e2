"""The official SDK over real HTTP against ``live_server``: signatures survive a real server and client."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkdgc.v1.model import (
    CreateJobRequest,
    CreateResourceRequest,
    CreateScriptRequest,
    DeleteJobRequest,
    DeleteResourceRequest,
    DeleteScriptRequest,
    ExportJobListRequest,
    ExportJobRequest,
    ExportJobsReq,
    ListJobsRequest,
    ListResourcesRequest,
    ListScriptsRequest,
    ShowJobRequest,
    ShowResourceRequest,
    ShowScriptRequest,
    UpdateJobRequest,
    UpdateResourceRequest,
    UpdateScriptRequest,
)

from factory.development.models import Job
from tests.dataarts.documents import job_document, resource_document, script_document

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live(live_server, alice_key):
    return alice_key.client(endpoint=live_server.url)


def test_jobs_scripts_resources_over_http(live, workspace_a) -> None:
    live.create_script(CreateScriptRequest(body=script_document("dws_script")))
    live.create_job(CreateJobRequest(body=job_document("job_é_free", description="v1")))
    assert [job.name for job in live.list_jobs(ListJobsRequest(job_name="job", limit=5)).jobs] == [
        "job_é_free"
    ]

    live.update_job(
        UpdateJobRequest(job_name="job_é_free", body=job_document("job_é_free", description="v2"))
    )
    assert live.show_job(ShowJobRequest(job_name="job_é_free")).description == "v2"

    live.update_script(
        UpdateScriptRequest(script_name="dws_script", body=script_document("dws_script", content="SELECT 3;"))
    )
    assert live.show_script(ShowScriptRequest(script_name="dws_script")).content == "SELECT 3;"
    assert live.list_scripts(ListScriptsRequest()).total == 1

    resource_id = json.loads(
        live.create_resource(CreateResourceRequest(body=resource_document("udf"))).raw_content
    )["resourceId"]
    live.update_resource(
        UpdateResourceRequest(resource_id=resource_id, body=resource_document("udf", desc="user functions"))
    )
    assert live.show_resource(ShowResourceRequest(resource_id=resource_id)).desc == "user functions"
    assert live.list_resources(ListResourcesRequest(resource_name="udf")).total == 1

    single = zipfile.ZipFile(io.BytesIO(live.export_job(ExportJobRequest(job_name="job_é_free")).raw_content))
    assert "jobs/job_é_free.job" in single.namelist()
    batch = zipfile.ZipFile(
        io.BytesIO(
            live.export_job_list(
                ExportJobListRequest(body=ExportJobsReq(job_list=["job_é_free"]))
            ).raw_content
        )
    )
    assert "jobs/job_é_free/job_é_free.job" in batch.namelist()

    live.delete_resource(DeleteResourceRequest(resource_id=resource_id))
    live.delete_job(DeleteJobRequest(job_name="job_é_free"))
    live.delete_script(DeleteScriptRequest(script_name="dws_script"))
    assert live.list_jobs(ListJobsRequest()).total == 0
    assert not Job.objects.filter(workspace=workspace_a).exists()


def test_wrong_secret_over_http(live_server, alice_key) -> None:
    from tests.dataarts.sdk import sdk_client

    client = sdk_client(
        ak=alice_key.ak, sk="not-the-secret", project_id=alice_key.project_id, endpoint=live_server.url
    )
    with pytest.raises(ClientRequestException) as caught:
        client.create_job(CreateJobRequest(body=job_document("never")))
    assert (caught.value.status_code, caught.value.error_code) == (401, "APIGW.0301")
    assert not Job.objects.exists()
