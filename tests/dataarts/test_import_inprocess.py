"""The v1 import without OBS or a worker: the import's inspect, then what the chain's second task
(``transfer.import_apply_stored``) does, on a package read from a file, and ``system-tasks`` as the SDK reads it. The same path over OBS with a real
worker is in ``test_live_transfer.py``."""

from __future__ import annotations

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkdgc.v1.model import (
    CreateJobRequest,
    CreateScriptRequest,
    ExportJobRequest,
    FilePath,
    ImportFileReq,
    ImportJobRequest,
    JobResourceInfo,
    ListSystemTasksRequest,
    ShowFileInfoRequest,
    ShowJobRequest,
)

from factory.connections.models import DataConnection
from factory.connections.services import connection_create
from factory.dataarts.services import v1_import_choices
from factory.development.models import Job
from factory.transfer.imports import (
    ImportChoices,
    import_apply_stored,
    import_choices_store,
    import_create,
    import_inspect,
)
from factory.transfer.models import SystemTask
from tests.dataarts.documents import job_document, script_document
from tests.transfer.importing import start_stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def package_file(dgc, alice, workspace_a, tmp_path):
    """DLF_doc1.zip exported through the API: job doc1 (a DWS SQL node on connection doctest) and its
    script; then the job is changed, so that an import has something to overwrite."""
    connection_create(workspace=workspace_a, user=alice, name="doctest", type="DWS")
    connection_create(workspace=workspace_a, user=alice, name="dws_backup", type="DWS")
    dgc.create_script(CreateScriptRequest(body=script_document("dws_script")))
    dgc.create_job(CreateJobRequest(body=job_document("doc1", description="exported")))
    path = tmp_path / "DLF_doc1.zip"
    path.write_bytes(dgc.export_job(ExportJobRequest(job_name="doc1")).raw_content)
    Job.objects.filter(name="doc1").update(document=job_document("doc1", description="changed since"))
    return path


def _choices(**overrides: object) -> ImportChoices:
    values = {
        "same_name_policy": "OVERWRITE",
        "params": {},
        "jobs_param": [],
        "resources": [],
        "target_status": "SUBMITTED",
    }
    values.update(overrides)
    return v1_import_choices(**values)


def test_overwrite_with_a_connection_remap(dgc, alice, workspace_a, package_file) -> None:
    choices = _choices(
        resources=[
            {"name": "doctest", "type": "DWS_CONNECTION", "replace": "dws_backup"},
            # A remap of a name the package does not use is ignored, as DataArts does.
            {"name": "not_in_package", "type": "DLI_QUEUE", "replace": "whatever"},
        ]
    )
    task = import_create(
        workspace=workspace_a, user=alice, category="job", policy="overwrite", file_path=package_file
    )
    import_choices_store(task=task, choices=choices)
    assert import_apply_stored(task_id=task.pk) is False  # not inspected yet: nothing done
    assert dgc.list_system_tasks(ListSystemTasksRequest(task_id=task.public_id)).status == "RUNNING"
    import_inspect(task_id=task.pk)  # the worker's part
    assert import_apply_stored(task_id=task.pk) is True

    shown = dgc.list_system_tasks(ListSystemTasksRequest(task_id=task.public_id))
    assert shown.status == "SUCCESSFUL", shown.message
    assert shown.id == task.public_id
    assert {subtask.status for subtask in shown.subtasks} == {"SUCCESSFUL"}
    assert any("doc1" in subtask.name for subtask in shown.subtasks)

    job = dgc.show_job(ShowJobRequest(job_name="doc1"))
    properties = {p.name: p.value for p in job.nodes[0].properties}
    assert properties["connectionName"] == "dws_backup"
    assert job.description == "exported"
    assert Job.objects.get(name="doc1").lock_holder == alice


def test_a_row_stored_before_the_choices_were_typed_still_applies(
    dgc, alice, workspace_a, package_file
) -> None:
    """Rows in flight keep the choices as the v1 import stored them before ``ImportChoices`` (the console
    API's keys, parameters by name): the chain's second task reads them as before."""
    task = import_create(
        workspace=workspace_a, user=alice, category="job", policy="overwrite", file_path=package_file
    )
    task.params = {
        **task.params,
        "v1Choices": {
            "policy": "overwrite",
            "mapping": [{"kind": "connection", "name": "doctest", "replace": "dws_backup"}],
            "publicParams": [],
            "jobParams": {},
            "targetStatus": "saved",
            "continueOnError": True,
        },
    }
    task.save(update_fields=["params"])
    import_inspect(task_id=task.pk)
    assert import_apply_stored(task_id=task.pk) is True

    shown = dgc.list_system_tasks(ListSystemTasksRequest(task_id=task.public_id))
    assert shown.status == "SUCCESSFUL", shown.message
    job = dgc.show_job(ShowJobRequest(job_name="doc1"))
    assert {p.name: p.value for p in job.nodes[0].properties}["connectionName"] == "dws_backup"
    task.refresh_from_db()
    assert task.params["choices"]["targetStatus"] == "saved"


def test_missing_reference_without_remap_fails_the_task_naming_it(
    dgc, alice, workspace_a, package_file
) -> None:
    DataConnection.objects.filter(name="doctest").delete()
    task = start_stored(workspace_a, alice, package_file, _choices())
    import_apply_stored(task_id=task.pk)
    shown = dgc.list_system_tasks(ListSystemTasksRequest(task_id=task.public_id))
    assert shown.status == "FAILED"
    assert "doctest" in shown.message
    assert Job.objects.get(name="doc1").document["description"] == "changed since"


def test_skip_keeps_the_existing_job(dgc, alice, workspace_a, package_file) -> None:
    task = start_stored(workspace_a, alice, package_file, _choices(same_name_policy="SKIP"), policy="skip")
    import_apply_stored(task_id=task.pk)
    assert dgc.list_system_tasks(ListSystemTasksRequest(task_id=task.public_id)).status == "SUCCESSFUL"
    assert Job.objects.get(name="doc1").document["description"] == "changed since"


def test_running_twice_is_harmless(dgc, alice, workspace_a, package_file) -> None:
    task = start_stored(workspace_a, alice, package_file, _choices())
    import_apply_stored(task_id=task.pk)
    import_apply_stored(task_id=task.pk)
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert task.subtasks.filter(object_name="doc1").count() == 1


def test_unknown_task_is_dlf_0810(dgc, bob_key, alice, workspace_a, package_file) -> None:
    with pytest.raises(ClientRequestException) as caught:
        dgc.list_system_tasks(ListSystemTasksRequest(task_id="0" * 32))
    assert (caught.value.status_code, caught.value.error_code) == (400, "DLF.0810")
    # Someone else's task reads as missing too.
    task = import_create(
        workspace=workspace_a, user=alice, category="job", policy="skip", file_path=package_file
    )
    assert SystemTask.objects.filter(public_id=task.public_id).exists()
    with pytest.raises(ClientRequestException) as caught:
        bob_key.client().list_system_tasks(ListSystemTasksRequest(task_id=task.public_id))
    assert (caught.value.status_code, caught.value.error_code) == (400, "DLF.0810")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (ImportFileReq(path="s3://bucket/x.zip"), "DLF.0803"),
        (ImportFileReq(path="obs://bucket/x.zip", same_name_policy="MERGE"), "DLF.3051"),
        (
            ImportFileReq(
                path="obs://bucket/x.zip", resources=[JobResourceInfo(name="a", type="NOPE", replace="b")]
            ),
            "DLF.3051",
        ),
    ],
)
def test_import_request_is_checked_before_a_task_exists(dgc, body, code) -> None:
    with pytest.raises(ClientRequestException) as caught:
        dgc.import_job(ImportJobRequest(body=body))
    assert (caught.value.status_code, caught.value.error_code) == (400, code)
    assert not SystemTask.objects.exists()


def test_check_file_with_a_bad_path_is_dlf_0803(dgc) -> None:
    with pytest.raises(ClientRequestException) as caught:
        dgc.show_file_info(ShowFileInfoRequest(body=FilePath(path="not-obs")))
    assert (caught.value.status_code, caught.value.error_code) == (400, "DLF.0803")
