"""The ``workspace`` header and the project id: a key acts only where its user is a member."""

from __future__ import annotations

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkdgc.v1.model import (
    CreateJobRequest,
    DeleteJobRequest,
    ListJobsRequest,
    ShowJobRequest,
    UpdateJobRequest,
)

from factory.development.models import Job
from factory.development.services import job_create
from factory.workspaces.services import access_key_create, workspace_create
from tests.dataarts.documents import job_document
from tests.dataarts.sdk import sdk_client

pytestmark = pytest.mark.django_db


def _refused(call, *args) -> ClientRequestException:
    with pytest.raises(ClientRequestException) as caught:
        call(*args)
    return caught.value


def test_header_selects_the_workspace_by_id_or_name(dgc, alice, workspace_a) -> None:
    second = workspace_create(name="ws_a2", user=alice)
    dgc.create_job(CreateJobRequest(workspace=second.public_id, body=job_document("in_second")))
    assert Job.objects.get(name="in_second").workspace == second
    assert dgc.list_jobs(ListJobsRequest(workspace="ws_a2")).total == 1
    # Without the header: the project's default workspace.
    assert dgc.list_jobs(ListJobsRequest()).total == 0
    assert dgc.list_jobs(ListJobsRequest(workspace=workspace_a.public_id)).total == 0


def test_key_of_workspace_a_cannot_touch_workspace_b(dgc, bob, workspace_b) -> None:
    job_create(workspace=workspace_b, user=bob, document=job_document("bobs_job"))
    before = Job.objects.get(name="bobs_job").document

    for header in (workspace_b.public_id, workspace_b.name):
        for call, request in (
            (dgc.list_jobs, ListJobsRequest(workspace=header)),
            (dgc.show_job, ShowJobRequest(workspace=header, job_name="bobs_job")),
            (dgc.create_job, CreateJobRequest(workspace=header, body=job_document("intruder"))),
            (
                dgc.update_job,
                UpdateJobRequest(workspace=header, job_name="bobs_job", body=job_document("bobs_job", x=1)),
            ),
            (dgc.delete_job, DeleteJobRequest(workspace=header, job_name="bobs_job")),
        ):
            error = _refused(call, request)
            assert (error.status_code, error.error_code) == (403, "DLF.6888")

    assert Job.objects.filter(workspace=workspace_b).count() == 1
    assert Job.objects.get(name="bobs_job").document == before
    assert not Job.objects.filter(name="intruder").exists()


def test_someone_elses_workspace_reads_like_a_missing_one(dgc, workspace_b) -> None:
    theirs = _refused(dgc.list_jobs, ListJobsRequest(workspace=workspace_b.public_id))
    missing = _refused(dgc.list_jobs, ListJobsRequest(workspace="f" * 32))
    assert (theirs.status_code, theirs.error_code, theirs.error_msg) == (
        missing.status_code,
        missing.error_code,
        missing.error_msg,
    )


def test_without_header_a_member_of_one_workspace_gets_it(bob_key, bob, workspace_b) -> None:
    """The project's default workspace is Alice's; Bob belongs only to ws_b, so ws_b it is."""
    job_create(workspace=workspace_b, user=bob, document=job_document("bobs_job"))
    listed = bob_key.client().list_jobs(ListJobsRequest())
    assert [job.name for job in listed.jobs] == ["bobs_job"]


def test_without_header_and_several_workspaces_but_no_default_membership(bob_key, bob) -> None:
    """A key made for no workspace: a key made for one acts on its own without the header."""
    workspace_create(name="ws_b2", user=bob)
    key, secret = access_key_create(user=bob)
    client = sdk_client(ak=key.access_key_id, sk=secret, project_id=bob_key.project_id)
    error = _refused(client.list_jobs, ListJobsRequest())
    assert error.error_code == "DLF.3051"
    assert "workspace" in error.error_msg
