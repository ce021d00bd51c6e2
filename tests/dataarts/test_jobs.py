"""Jobs through Huawei's official SDK (in process): list, create, show, update, delete, schedule, status."""

from __future__ import annotations

import json

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkdgc.v1.model import (
    BasicConfig,
    CreateJobRequest,
    DeleteJobRequest,
    JobInfo,
    ListJobInstancesRequest,
    ListJobsRequest,
    Location,
    ModelProperty,
    Node,
    RunOnceRequest,
    Schedule,
    ShowJobInstanceRequest,
    ShowJobRequest,
    ShowJobStatusRequest,
    StartJobRequest,
    StopJobRequest,
    UpdateJobRequest,
)

from factory.development.models import Job, JobVersion, VersionKind
from factory.development.services import job_lock
from factory.workspaces.models import LockPolicy
from factory.workspaces.services import membership_set
from tests.dataarts.documents import job_document

pytestmark = pytest.mark.django_db


def _job_info(name: str, directory: str = "/etl") -> JobInfo:
    return JobInfo(
        name=name,
        process_type="BATCH",
        directory=directory,
        schedule=Schedule(type="EXECUTE_ONCE"),
        basic_config=BasicConfig(owner="alice", priority=1),
        nodes=[
            Node(
                name="DWS_SQL_1",
                type="DWSSQL",
                location=Location(x="10", y="20"),
                pre_node_name=[],
                properties=[
                    ModelProperty(name="scriptName", value="dws_script"),
                    ModelProperty(name="connectionName", value="doctest"),
                ],
            )
        ],
    )


def _refused(call, *args) -> ClientRequestException:
    with pytest.raises(ClientRequestException) as caught:
        call(*args)
    return caught.value


def test_create_then_show_with_sdk_models(dgc, workspace_a) -> None:
    response = dgc.create_job(CreateJobRequest(body=_job_info("daily_sales")))
    assert response.status_code == 204

    shown = dgc.show_job(ShowJobRequest(job_name="daily_sales"))
    assert shown.name == "daily_sales"
    assert shown.directory == "/etl"
    assert shown.process_type == "BATCH"
    assert shown.basic_config.owner == "alice"
    assert shown.nodes[0].properties[1].value == "doctest"
    job = Job.objects.get(workspace=workspace_a, name="daily_sales")
    assert shown.id == job.pk
    # Created through v1, the job is submitted (ready to schedule) and locked by its creator.
    assert job.is_submitted
    assert job.lock_holder.username == "alice"


def test_unknown_keys_survive_create_and_show(dgc) -> None:
    document = job_document("with_extras", cleanOverdueDays=60, taskWorkGroupId="tg-1", maskedParams=[])
    document["nodes"][0]["lineageInfo"] = '[{"outputs":[],"inputs":[]}]'
    dgc.create_job(CreateJobRequest(body=document))
    shown = json.loads(dgc.show_job(ShowJobRequest(job_name="with_extras")).raw_content)
    assert shown["taskWorkGroupId"] == "tg-1"
    assert shown["cleanOverdueDays"] == 60
    assert shown["nodes"][0]["lineageInfo"] == '[{"outputs":[],"inputs":[]}]'


def test_target_status_saved_does_not_submit(dgc, workspace_a) -> None:
    dgc.create_job(CreateJobRequest(body={**job_document("draft"), "targetStatus": "SAVED"}))
    job = Job.objects.get(workspace=workspace_a, name="draft")
    assert not job.is_submitted
    assert "targetStatus" not in job.document


def test_duplicate_name_is_dlf_0102(dgc, workspace_a) -> None:
    dgc.create_job(CreateJobRequest(body=job_document("twice")))
    # The same call again within the second would carry the same signature and be refused as a replay;
    # naming the (same) workspace makes it another request.
    error = _refused(
        dgc.create_job, CreateJobRequest(workspace=workspace_a.public_id, body=job_document("twice"))
    )
    assert (error.status_code, error.error_code) == (400, "DLF.0102")


def test_invalid_definition_is_400_with_the_field(dgc) -> None:
    error = _refused(dgc.create_job, CreateJobRequest(body={"name": "bad", "nodes": "x"}))
    assert error.status_code == 400
    assert error.error_code.startswith("DLF.")
    assert Job.objects.filter(name="bad").count() == 0


def test_list_with_filters_and_paging(dgc, workspace_a) -> None:
    for name in ("etl_a", "etl_b", "report_c"):
        dgc.create_job(CreateJobRequest(body=job_document(name)))
    dgc.create_job(CreateJobRequest(body=job_document("stream_d", processType="REAL_TIME")))

    everything = dgc.list_jobs(ListJobsRequest())
    assert everything.total == 4
    assert [job.name for job in everything.jobs] == ["etl_a", "etl_b", "report_c", "stream_d"]
    first = everything.jobs[0]
    assert (first.job_type, first.status, first.path, first.create_user) == ("BATCH", "STOPPED", "/", "alice")
    assert isinstance(first.create_time, int)

    etl = dgc.list_jobs(ListJobsRequest(job_name="etl", limit=1, offset=1))
    assert (etl.total, [job.name for job in etl.jobs]) == (2, ["etl_b"])
    assert [job.name for job in dgc.list_jobs(ListJobsRequest(job_type="REAL_TIME")).jobs] == ["stream_d"]


def test_list_limit_out_of_range_is_dlf_3051(dgc) -> None:
    error = _refused(dgc.list_jobs, ListJobsRequest(limit=1000))
    assert (error.status_code, error.error_code) == (400, "DLF.3051")


def test_show_missing_job_is_dlf_0100(dgc) -> None:
    error = _refused(dgc.show_job, ShowJobRequest(job_name="nope"))
    assert (error.status_code, error.error_code) == (400, "DLF.0100")


def test_update_saves_submits_and_moves(dgc, workspace_a) -> None:
    dgc.create_job(CreateJobRequest(body=_job_info("job_u")))
    changed = _job_info("job_u", directory="/etl/daily")
    changed.nodes[0].properties[1] = ModelProperty(name="connectionName", value="dws_backup")
    assert dgc.update_job(UpdateJobRequest(job_name="job_u", body=changed)).status_code == 204

    shown = dgc.show_job(ShowJobRequest(job_name="job_u"))
    assert shown.directory == "/etl/daily"
    assert shown.nodes[0].properties[1].value == "dws_backup"
    job = Job.objects.get(workspace=workspace_a, name="job_u")
    assert job.is_submitted
    assert JobVersion.objects.filter(job=job, kind=VersionKind.SUBMITTED).count() == 2
    # The previous submitted version is still readable.
    first = dgc.show_job(ShowJobRequest(job_name="job_u", version=1))
    assert first.nodes[0].properties[1].value == "doctest"
    assert first.version == "1"


def test_update_takes_a_soft_lock_from_someone_else(dgc, workspace_a, bob) -> None:
    dgc.create_job(CreateJobRequest(body=job_document("shared")))
    membership_set(workspace=workspace_a, user=bob, role="developer")
    job_lock(job=Job.objects.get(name="shared"), user=bob)
    dgc.update_job(UpdateJobRequest(job_name="shared", body=job_document("shared", description="v2")))
    job = Job.objects.get(name="shared")
    assert job.lock_holder.username == "alice"
    assert job.document["description"] == "v2"


def test_update_under_someone_elses_hard_lock_is_refused(dgc, developer_key, workspace_a, bob) -> None:
    dgc.create_job(CreateJobRequest(body=job_document("guarded")))
    membership_set(workspace=workspace_a, user=bob, role="developer")
    job_lock(job=Job.objects.get(name="guarded"), user=bob)
    workspace_a.lock_policy = LockPolicy.HARD
    workspace_a.save()
    developer = developer_key.client()
    error = _refused(
        developer.update_job, UpdateJobRequest(job_name="guarded", body=job_document("guarded", x=1))
    )
    assert error.status_code == 400
    assert "locked by bob" in error.error_msg
    job = Job.objects.get(name="guarded")
    assert "x" not in job.document
    assert job.lock_holder == bob
    # A workspace admin may take a hard lock.
    dgc.update_job(UpdateJobRequest(job_name="guarded", body=job_document("guarded", x=1)))
    assert Job.objects.get(name="guarded").document["x"] == 1


def test_update_cannot_rename(dgc) -> None:
    dgc.create_job(CreateJobRequest(body=job_document("keep")))
    error = _refused(dgc.update_job, UpdateJobRequest(job_name="keep", body=job_document("other")))
    assert error.error_code == "DLF.3051"
    assert Job.objects.filter(name="keep").exists()


def test_delete(dgc, workspace_a) -> None:
    dgc.create_job(CreateJobRequest(body=job_document("gone")))
    assert dgc.delete_job(DeleteJobRequest(job_name="gone")).status_code == 204
    assert not Job.objects.filter(name="gone").exists()
    # The same call again within the second would carry the same signature and be refused as a replay;
    # naming the (same) workspace makes it another request.
    again = DeleteJobRequest(workspace=workspace_a.public_id, job_name="gone")
    assert _refused(dgc.delete_job, again).error_code == "DLF.0100"


def test_start_stop_and_status(dgc) -> None:
    dgc.create_job(CreateJobRequest(body=job_document("sched")))
    assert dgc.show_job_status(ShowJobStatusRequest(job_name="sched")).status == "STOPPED"
    dgc.start_job(StartJobRequest(job_name="sched"))
    status = dgc.show_job_status(ShowJobStatusRequest(job_name="sched"))
    assert (status.name, status.status, status.create_user) == ("sched", "SCHEDULING", "alice")
    assert dgc.list_jobs(ListJobsRequest()).jobs[0].status == "SCHEDULING"
    # A scheduled job cannot be deleted.
    assert _refused(dgc.delete_job, DeleteJobRequest(job_name="sched")).status_code == 400
    dgc.stop_job(StopJobRequest(job_name="sched"))
    assert dgc.show_job_status(ShowJobStatusRequest(job_name="sched")).status == "STOPPED"


def test_dependencies_lists_downstream_jobs(dgc) -> None:
    dgc.create_job(CreateJobRequest(body=job_document("upstream")))
    downstream = job_document("downstream")
    downstream["schedule"] = {
        "type": "CRON",
        "cron": {"expression": "0 0 1 * * ?", "dependJobs": {"jobs": ["upstream"]}},
    }
    dgc.create_job(CreateJobRequest(body=downstream))
    shown = dgc.show_job(ShowJobRequest(job_name="upstream", dependencies=True))
    assert [job.job_name for job in shown.downstream_jobs] == ["downstream"]


def test_engine_operations_answer_a_clear_error(dgc) -> None:
    dgc.create_job(CreateJobRequest(body=job_document("runme")))
    error = _refused(dgc.run_once, RunOnceRequest(job_name="runme"))
    assert (error.status_code, error.error_code) == (400, "DLF.9001")
    assert "execution engine" in error.error_msg
    error = _refused(dgc.show_job_instance, ShowJobInstanceRequest(job_name="runme", instance_id="1"))
    assert error.error_code == "DLF.0137"
    instances = dgc.list_job_instances(ListJobInstancesRequest())
    assert (instances.total, instances.instances) == (0, [])


def test_viewer_can_read_but_not_write(viewer_key, dgc) -> None:
    dgc.create_job(CreateJobRequest(body=job_document("seen")))
    viewer = viewer_key.client()
    assert viewer.list_jobs(ListJobsRequest()).total == 1
    error = _refused(viewer.create_job, CreateJobRequest(body=job_document("not_mine")))
    assert (error.status_code, error.error_code) == (403, "DLF.6888")
    error = _refused(viewer.delete_job, DeleteJobRequest(job_name="seen"))
    assert error.status_code == 403
    assert Job.objects.filter(name="seen").exists()


def test_jobs_named_like_the_post_only_paths_are_still_jobs(dgc) -> None:
    for name in ("import", "check-file", "batch-export"):
        dgc.create_job(CreateJobRequest(body=job_document(name)))
        assert dgc.show_job(ShowJobRequest(job_name=name)).name == name
        dgc.update_job(UpdateJobRequest(job_name=name, body=job_document(name, description="x")))
        assert dgc.delete_job(DeleteJobRequest(job_name=name)).status_code == 204
