"""Export and batch export through the official SDK (in process): the zip's name, layout and entries."""

from __future__ import annotations

import io
import json
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
    ShowJobRequest,
    UpdateJobRequest,
)

from tests.dataarts.documents import job_document, script_document

pytestmark = pytest.mark.django_db


def _zip(raw: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(raw))


@pytest.fixture
def two_jobs(dgc):
    dgc.create_script(CreateScriptRequest(body=script_document("dws_script")))
    dgc.create_job(CreateJobRequest(body=job_document("job_one", taskWorkGroupId="tg-1")))
    dgc.create_job(CreateJobRequest(body=job_document("job_two")))
    return dgc


def test_single_export_with_dependencies(two_jobs) -> None:
    response = two_jobs.export_job(ExportJobRequest(job_name="job_one"))
    assert response.status_code == 200
    package = _zip(response.raw_content)
    names = set(package.namelist())
    assert {"jobs/job_one.job", "scripts/dws_script.script"} <= names
    job = json.loads(package.read("jobs/job_one.job"))
    assert job["name"] == "job_one"
    assert job["taskWorkGroupId"] == "tg-1"  # unknown keys travel


def test_single_export_headers(alice_key, two_jobs) -> None:
    from django.test import Client

    from tests.dataarts.sdk import signed_call

    response = signed_call(
        Client(),
        ak=alice_key.ak,
        sk=alice_key.sk,
        method="POST",
        path=f"/v1/{alice_key.project_id}/jobs/job_one/export",
        body=b'{"exportDepend": false}',
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == "attachment; filename=DLF_job_one.zip"
    names = _zip(b"".join(response.streaming_content)).namelist()
    assert "jobs/job_one.job" in names
    assert not any(name.startswith("scripts/") for name in names)


def test_export_status_submit_exports_the_submitted_version(two_jobs) -> None:
    two_jobs.update_job(
        UpdateJobRequest(
            job_name="job_two", body={**job_document("job_two", description="draft"), "targetStatus": "SAVED"}
        )
    )
    assert two_jobs.show_job(ShowJobRequest(job_name="job_two")).description == "draft"
    develop = _zip(
        two_jobs.export_job(
            ExportJobRequest(job_name="job_two", body=ExportJobReq(export_depend=False))
        ).raw_content
    )
    submitted = _zip(
        two_jobs.export_job(
            ExportJobRequest(
                job_name="job_two", body=ExportJobReq(export_depend=False, export_status="SUBMIT")
            )
        ).raw_content
    )
    assert json.loads(develop.read("jobs/job_two.job"))["description"] == "draft"
    assert "description" not in json.loads(submitted.read("jobs/job_two.job"))


def test_batch_export_layout(two_jobs) -> None:
    response = two_jobs.export_job_list(
        ExportJobListRequest(body=ExportJobsReq(job_list=["job_one", "job_two"]))
    )
    package = _zip(response.raw_content)
    names = set(package.namelist())
    assert {"jobs/job_one/job_one.job", "jobs/job_two/job_two.job"} <= names
    assert any(name.startswith("jobs/job_one/") and name.endswith("dws_script.script") for name in names)
    # One job in a batch export keeps the batch layout, as DataArts' jobs.zip does.
    single = _zip(
        two_jobs.export_job_list(ExportJobListRequest(body=ExportJobsReq(job_list=["job_two"]))).raw_content
    )
    assert "jobs/job_two/job_two.job" in single.namelist()


def test_missing_job_is_dlf_0100(two_jobs) -> None:
    with pytest.raises(ClientRequestException) as caught:
        two_jobs.export_job(ExportJobRequest(job_name="nope"))
    assert (caught.value.status_code, caught.value.error_code) == (400, "DLF.0100")
    with pytest.raises(ClientRequestException) as caught:
        two_jobs.export_job_list(ExportJobListRequest(body=ExportJobsReq(job_list=["job_one", "nope"])))
    assert caught.value.error_code == "DLF.0100"
    assert "nope" in caught.value.error_msg


@pytest.mark.parametrize("job_list", [[], [f"job_{i}" for i in range(101)]])
def test_batch_export_job_list_bounds_are_dlf_3051(two_jobs, job_list) -> None:
    with pytest.raises(ClientRequestException) as caught:
        two_jobs.export_job_list(ExportJobListRequest(body=ExportJobsReq(job_list=job_list)))
    assert (caught.value.status_code, caught.value.error_code) == (400, "DLF.3051")


def test_bad_obs_path_is_dlf_0803(two_jobs) -> None:
    with pytest.raises(ClientRequestException) as caught:
        two_jobs.export_job(ExportJobRequest(job_name="job_one", body=ExportJobReq(obs_path="s3://x/y")))
    assert caught.value.error_code == "DLF.0803"
