"""Import services: inspection, policies, locks, remapping, rollback, parameters, round trip, secrets.

The wizard's steps run in-process here (``import_create`` / ``import_inspect`` / ``import_apply_request``
/ ``import_apply``); the Celery path with a real worker is in ``tests/api/test_imports_live.py``.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from factory.api.transfer.imports import import_choices_of
from factory.connections.models import DataConnection
from factory.crypto import secrets_decrypt
from factory.development.models import Job, JobVersion, ScheduleStatus, Script, VersionKind
from factory.development.services import job_create, job_lock, script_create
from factory.errors import Conflict, ValidationError
from factory.packages import package_read
from factory.transfer.exports import ExportRequest, export_collect, export_select, export_stream
from factory.transfer.imports import (
    ImportChoices,
    import_apply,
    import_apply_request,
    import_create,
    import_inspect,
    import_task_get,
)
from factory.transfer.models import SystemTask, TaskStatus
from factory.workspaces.models import LockPolicy
from tests.builders import (
    dataarts_batch_package,
    node,
    package_bytes,
    package_connection,
    package_dws_job,
    package_job,
    package_resource,
    package_script,
)
from tests.transfer.exporting import CONN_PASSWORD, export_world_build
from tests.transfer.importing import (
    apply,
    counts,
    files_under,
    missing_of,
    report_row,
    start,
    target_build,
    temp_root,
)

pytestmark = pytest.mark.django_db
DWS2 = [{"kind": "connection", "name": "doctest", "replace": "dws2"}]


@pytest.fixture
def temp_dir(monkeypatch, tmp_path):
    return temp_root(monkeypatch, tmp_path)


def existing_doc1(target, *, user=None, **extra):
    """Job ``doc1`` in the target, on ``dws2``, created (and so locked) by ``user`` (default dev)."""
    return job_create(
        workspace=target.workspace,
        user=user or target.dev,
        document=package_dws_job(
            "doc1", connection="dws2", script="s_existing", description="before", **extra
        ),
    )


def doc1_package(connection: str = "doctest", **extra) -> bytes:
    """Job ``doc1`` running script ``dws_script``, both on ``connection``."""
    return package_bytes(
        jobs=[package_dws_job("doc1", connection=connection, script="dws_script", **extra)],
        scripts=[package_script("dws_script", connection)],
    )


# --- the reference's worked example, in-process ---------------------------------------------------------


def test_worked_example_export_delete_connection_import_with_another(media, temp_dir):
    world = export_world_build()
    selection = export_select(workspace=world.workspace, request=ExportRequest(job_names=("doc1",)))
    data = b"".join(
        export_stream(selection=selection, contents=export_collect(selection=selection), user=world.dev)
    )
    DataConnection.objects.filter(workspace=world.workspace, name="doctest").delete()
    from factory.connections.services import connection_create

    connection_create(workspace=world.workspace, user=world.admin, name="dws_other", type="DWS")

    task = start(world.workspace, world.dev, data, file_name=selection.file_name)

    assert task.status == TaskStatus.WAITING, task.message
    missing = missing_of(task)
    assert set(missing) == {("connection", "doctest")}
    assert missing[("connection", "doctest")]["connectionType"] == "DWS"
    assert missing[("connection", "doctest")]["candidates"] == ["dws_other", "unused_conn"]  # DWS only
    task = apply(task, world.dev, mapping=[{"kind": "connection", "name": "doctest", "replace": "dws_other"}])

    assert task.status == TaskStatus.SUCCESSFUL, task.message
    doc1 = Job.objects.get(workspace=world.workspace, name="doc1")
    props = {p["name"]: p["value"] for p in doc1.document["nodes"][0]["properties"]}
    assert props["connectionName"] == "dws_other"
    version = JobVersion.objects.filter(job=doc1, kind=VersionKind.SUBMITTED).latest("number")
    assert version.description == "Imported from DLF_doc1.zip"
    assert doc1.lock_holder == world.dev and doc1.is_submitted
    assert report_row(task, "job", "doc1")["versionId"] == version.pk
    assert files_under(media) == [] and files_under(temp_dir) == []


# --- inspection --------------------------------------------------------------------------------------


def test_inspection_lists_contents_conflicts_and_missing_references_with_candidates(target, media):
    existing_doc1(target, user=target.bob)
    data = package_bytes(
        jobs=[
            package_dws_job(
                "doc1", script="dws_script", params=[{"name": "day", "value": "1", "type": "variable"}]
            ),
            package_job(
                "spark",
                [node("s", "DLISpark", {"clusterName": "q_old", "jobName": "x", "resourceName": "udf"})],
            ),
        ],
        scripts=[package_script("dws_script")],
        resources=[package_resource("udf")],
        connections=[package_connection("doctest")],
    )
    task = start(target.workspace, target.dev, data)

    inspection = task.result["inspection"]
    jobs = {j["name"]: j for j in inspection["jobs"]}
    assert jobs["doc1"]["exists"] and jobs["doc1"]["lockHolder"] == "bob"
    assert jobs["doc1"]["params"] == [{"name": "day", "value": "1", "type": "variable", "masked": False}]
    assert jobs["doc1"]["blockedReason"] is None  # soft lock: the import may take it
    assert not jobs["spark"]["exists"]
    assert [r["name"] for r in inspection["resources"]] == ["udf"]
    missing = missing_of(task)
    # The package's script and resource are provided; its connection is a definition one may create.
    assert set(missing) == {("connection", "doctest"), ("dli_queue", "q_old")}
    assert missing[("connection", "doctest")]["canCreate"] is True
    assert missing[("connection", "doctest")]["candidates"] == ["dws2"]
    # DLI's built-in queue "default" always exists (issue 13), so it is always a candidate.
    assert missing[("dli_queue", "q_old")]["candidates"] == ["default", "q2"]
    assert missing[("dli_queue", "q_old")]["label"] == "DLI queue"
    assert task.message.startswith("The package holds 2 job(s), 1 script(s), 1 resource(s)")


def test_inspection_names_why_overwrite_would_fail(target, media):
    target.workspace.lock_policy = LockPolicy.HARD
    target.workspace.save()
    existing_doc1(target, user=target.bob)
    scheduled = job_create(workspace=target.workspace, user=target.dev, document=package_job("daily"))
    Job.objects.filter(pk=scheduled.pk).update(schedule_status=ScheduleStatus.SCHEDULING)

    task = start(
        target.workspace,
        target.dev,
        package_bytes(jobs=[package_dws_job("doc1", connection="dws2"), package_job("daily")]),
    )

    jobs = {j["name"]: j for j in task.result["inspection"]["jobs"]}
    assert jobs["doc1"]["blockedReason"] == "locked by bob"
    assert (
        jobs["daily"]["scheduled"]
        and jobs["daily"]["blockedReason"] == "job daily is scheduled; stop it first"
    )


def test_inspection_query_count_does_not_grow_with_nodes_or_jobs(target, media):
    def queries(data: bytes) -> int:
        upload = SimpleUploadedFile("p.zip", data)
        task = import_create(workspace=target.workspace, user=target.dev, upload=upload, enqueue=False)
        with CaptureQueriesContext(db_connection) as captured:
            import_inspect(task_id=task.pk)
        SystemTask.objects.filter(pk=task.pk).update(status=TaskStatus.FAILED)
        return len(captured)

    def many(jobs: int, nodes: int) -> bytes:
        return package_bytes(
            jobs=[
                package_job(
                    f"j{i}",
                    [
                        node(f"n{k}", "DWSSQL", {"connectionName": f"c{k}", "scriptName": f"s{k}"})
                        for k in range(nodes)
                    ],
                )
                for i in range(jobs)
            ]
        )

    small = queries(many(1, 1))
    assert queries(many(1, 60)) == small
    assert queries(many(25, 20)) == small


# --- policies ----------------------------------------------------------------------------------------


def test_skip_keeps_the_existing_job_and_writes_no_version(target, media):
    existing = existing_doc1(target)
    task = start(target.workspace, target.dev, doc1_package(), policy="skip")
    task = apply(task, target.dev, mapping=DWS2)

    assert task.status == TaskStatus.SUCCESSFUL
    assert report_row(task, "job", "doc1")["outcome"] == "skipped"
    assert Job.objects.get(pk=existing.pk).document["description"] == "before"
    assert not JobVersion.objects.filter(job=existing).exists()
    assert report_row(task, "script", "dws_script")["outcome"] == "created"


def test_overwrite_replaces_the_development_state_submits_and_locks(target, media):
    existing = existing_doc1(target)
    task = start(target.workspace, target.dev, doc1_package(description="after", unknownKey={"a": [1]}))
    task = apply(task, target.dev, mapping=DWS2)

    job_ = Job.objects.get(pk=existing.pk)
    assert report_row(task, "job", "doc1")["outcome"] == "overwritten"
    assert job_.document["description"] == "after" and job_.document["unknownKey"] == {"a": [1]}
    assert job_.is_submitted and job_.lock_holder == target.dev
    version = JobVersion.objects.get(job=job_, kind=VersionKind.SUBMITTED)
    assert version.description == "Imported from jobs.zip"
    assert report_row(task, "job", "doc1")["versionId"] == version.pk


def test_rename_imports_under_a_free_name_and_rewrites_references(target, media):
    existing_doc1(target)
    job_create(workspace=target.workspace, user=target.dev, document=package_job("doc1_copy"))
    script_create(workspace=target.workspace, user=target.dev, document=package_script("dws_script", "dws2"))
    data = package_bytes(
        jobs=[
            package_dws_job("doc1", script="dws_script"),
            package_job("caller", [node("run", "SubJob", {"subJobName": "doc1"})]),
        ],
        scripts=[package_script("dws_script")],
    )
    task = start(target.workspace, target.dev, data, policy="rename")
    task = apply(task, target.dev, mapping=DWS2)

    assert task.status == TaskStatus.SUCCESSFUL, task.message
    assert report_row(task, "job", "doc1").items() >= {"outcome": "renamed", "newName": "doc1_copy2"}.items()
    assert report_row(task, "script", "dws_script")["newName"] == "dws_script_copy"
    renamed = Job.objects.get(workspace=target.workspace, name="doc1_copy2")
    props = {p["name"]: p["value"] for p in renamed.document["nodes"][0]["properties"]}
    assert props == {"scriptName": "dws_script_copy", "connectionName": "dws2", "database": "postgres"}
    caller = Job.objects.get(workspace=target.workspace, name="caller")
    assert caller.document["nodes"][0]["properties"] == [{"name": "subJobName", "value": "doc1_copy2"}]
    assert Job.objects.get(workspace=target.workspace, name="doc1").document["description"] == "before"


def test_per_object_override_beats_the_policy(target, media):
    existing_doc1(target)
    job_create(workspace=target.workspace, user=target.dev, document=package_job("other"))
    data = package_bytes(
        jobs=[package_dws_job("doc1", connection="dws2"), package_job("other", description="new")]
    )
    task = start(target.workspace, target.dev, data, policy="skip")
    task = apply(task, target.dev, overrides={"job:other": "overwrite"})

    assert report_row(task, "job", "doc1")["outcome"] == "skipped"
    assert report_row(task, "job", "other")["outcome"] == "overwritten"


# --- locks and schedules -----------------------------------------------------------------------------


def test_hard_lock_of_another_user_fails_and_rolls_everything_back(target, media):
    target.workspace.lock_policy = LockPolicy.HARD
    target.workspace.save()
    existing_doc1(target, user=target.bob)
    data = package_bytes(
        jobs=[package_dws_job("doc1", connection="dws2"), package_job("fresh")],
        scripts=[package_script("s1", "dws2")],
    )
    task = start(target.workspace, target.dev, data)
    before = counts()
    task = apply(task, target.dev)

    assert task.status == TaskStatus.FAILED
    failed = report_row(task, "job", "doc1")
    assert failed["outcome"] == "failed" and "locked by bob" in failed["message"]
    assert report_row(task, "job", "fresh").items() >= {"outcome": "skipped", "rolledBack": True}.items()
    assert "Nothing was imported" in task.message and "locked by bob" in task.message
    after = counts()
    assert after.pop("SubTask") == before.pop("SubTask") + 3
    assert after == before
    assert not Job.objects.filter(name="fresh").exists()


def test_a_workspace_admin_overwrites_despite_the_hard_lock(target, media):
    target.workspace.lock_policy = LockPolicy.HARD
    target.workspace.save()
    existing_doc1(target, user=target.bob)
    task = apply(start(target.workspace, target.admin, doc1_package(connection="dws2")), target.admin)

    assert report_row(task, "job", "doc1")["outcome"] == "overwritten"
    assert Job.objects.get(name="doc1").lock_holder == target.admin


def test_soft_lock_is_taken_over_by_the_import(target, media):
    existing_doc1(target, user=target.bob)
    task = apply(start(target.workspace, target.dev, doc1_package(connection="dws2")), target.dev)

    row = report_row(task, "job", "doc1")
    assert row["outcome"] == "overwritten" and row["lockTakenFrom"] == "bob"
    assert "taken from bob" in row["message"]
    assert Job.objects.get(name="doc1").lock_holder == target.dev


def test_a_scheduled_job_is_not_overwritten(target, media):
    existing = existing_doc1(target)
    Job.objects.filter(pk=existing.pk).update(schedule_status=ScheduleStatus.SCHEDULING)
    task = apply(start(target.workspace, target.dev, doc1_package(connection="dws2")), target.dev)

    assert task.status == TaskStatus.FAILED
    assert "job doc1 is scheduled; stop it first" in report_row(task, "job", "doc1")["message"]
    assert Job.objects.get(pk=existing.pk).document["description"] == "before"


def test_continue_on_error_imports_the_others_and_reports_the_failures(target, media):
    target.workspace.lock_policy = LockPolicy.HARD
    target.workspace.save()
    existing_doc1(target, user=target.bob)
    data = package_bytes(
        jobs=[
            package_dws_job("doc1", connection="dws2"),
            package_job("fresh"),
            package_job("calls_doc1", [node("run", "SubJob", {"subJobName": "doc1"})]),
        ]
    )
    task = apply(start(target.workspace, target.dev, data), target.dev, continueOnError=True)

    assert task.status == TaskStatus.SUCCESSFUL
    summary = task.result["report"]["summary"]
    assert summary["created"] == 1 and summary["failed"] == 2
    assert "uses job doc1, which was not imported" in report_row(task, "job", "calls_doc1")["message"]
    assert Job.objects.filter(name="fresh").exists() and not Job.objects.filter(name="calls_doc1").exists()
    subtasks = {s.object_name: s for s in task.subtasks.all()}
    assert subtasks["doc1"].status == TaskStatus.FAILED and subtasks["fresh"].outcome == "created"


# --- references, parameters, directories ----------------------------------------------------------


def test_apply_refuses_unmapped_references_naming_each(target, media):
    data = package_bytes(
        jobs=[
            package_dws_job("doc1", connection="gone_conn", script="gone_script"),
            package_job(
                "q", [node("s", "DLISQL", {"scriptName": "x", "connectionName": "dli", "queueName": "old_q"})]
            ),
        ]
    )
    task = start(target.workspace, target.dev, data)
    with pytest.raises(ValidationError) as caught:
        import_apply_request(task=task, user=target.dev, choices=ImportChoices(), enqueue=False)

    text = caught.value.message
    for name in ("gone_conn", "gone_script", "old_q", "DLI queue"):
        assert name in text
    task.refresh_from_db()
    assert task.status == TaskStatus.WAITING


def test_apply_refuses_a_replacement_of_the_wrong_type(target, media):
    task = start(target.workspace, target.dev, doc1_package())
    with pytest.raises(ValidationError) as caught:
        import_apply_request(
            task=task,
            user=target.dev,
            choices=import_choices_of(
                {"mapping": [{"kind": "connection", "name": "doctest", "replace": "hive2"}]}
            ),
            enqueue=False,
        )
    assert "hive2 is a HIVE data connection; doctest needs a DWS one" in caught.value.message


def test_every_kind_of_reference_is_remapped(target, media):
    from factory.connections.services import external_object_create

    for kind, name in (
        ("ges_graph", "g2"),
        ("dis_stream", "st2"),
        ("cdm_cluster", "cdm2"),
        ("mrs_cluster", "mrs2"),
    ):
        external_object_create(workspace=target.workspace, kind=kind, name=name)
    from factory.connections.resources import resource_create

    resource_create(workspace=target.workspace, user=target.dev, document=package_resource("res2"))
    job_create(workspace=target.workspace, user=target.dev, document=package_job("sub2"))
    nodes = [
        node("a", "ImportGES", {"graphName": "g1", "schemaPath": "obs://b/s"}),
        node("b", "DISTransferTask", {"streamName": "st1"}),
        node("c", "CDMJob", {"clusterName": "cdm1", "jobName": "j"}),
        node("d", "MRSSpark", {"clusterName": "mrs1", "jobName": "j", "resourceName": "res1"}),
        node("e", "SubJob", {"subJobName": "sub1"}),
        node("f", "DLISQL", {"scriptName": "s", "connectionName": "dli1", "queueName": "q1"}),
    ]
    script_create(workspace=target.workspace, user=target.dev, document=package_script("s", "dws2"))
    from factory.connections.services import connection_create

    connection_create(workspace=target.workspace, user=target.dev, name="dli2", type="DLI")
    task = start(target.workspace, target.dev, package_bytes(jobs=[package_job("all", nodes)]))
    mapping = [
        {"kind": k, "name": n, "replace": r}
        for k, n, r in (
            ("ges_graph", "g1", "g2"),
            ("dis_stream", "st1", "st2"),
            ("cdm_cluster", "cdm1", "cdm2"),
            ("mrs_cluster", "mrs1", "mrs2"),
            ("resource", "res1", "res2"),
            ("job", "sub1", "sub2"),
            ("connection", "dli1", "dli2"),
            ("dli_queue", "q1", "q2"),
        )
    ]
    assert {k for k, _ in missing_of(task)} == {m["kind"] for m in mapping}
    task = apply(task, target.dev, mapping=mapping)

    assert task.status == TaskStatus.SUCCESSFUL, task.message
    doc = Job.objects.get(name="all").document
    values = {p["value"] for n in doc["nodes"] for p in n["properties"]}
    assert {"g2", "st2", "cdm2", "mrs2", "res2", "sub2", "dli2", "q2"} <= values
    assert not values & {"g1", "st1", "cdm1", "mrs1", "res1", "sub1", "dli1", "q1"}


def test_parameters_directory_and_saved_status(target, media):
    data = package_bytes(
        jobs=[
            package_job(
                "a",
                params=[{"name": "day", "value": "1"}, {"name": "env", "value": "dev"}],
                directory="/etl/x",
            ),
            package_job("b", params=[{"name": "env", "value": "dev"}], directory="/"),
        ]
    )
    task = start(target.workspace, target.dev, data)
    task = apply(
        task,
        target.dev,
        publicParams={"env": "prod"},
        jobParams={"a": {"day": "7"}},
        targetDirectory="/imported",
        targetStatus="saved",
    )

    a, b = Job.objects.get(name="a"), Job.objects.get(name="b")
    assert a.document["params"] == [{"name": "day", "value": "7"}, {"name": "env", "value": "prod"}]
    assert b.document["params"] == [{"name": "env", "value": "prod"}]
    assert (a.directory.path, b.directory.path) == ("/imported/etl/x", "/imported")
    assert not a.is_submitted
    assert JobVersion.objects.get(job=a).kind == VersionKind.SAVED


def test_unknown_job_parameter_is_refused(target, media):
    task = start(
        target.workspace,
        target.dev,
        package_bytes(jobs=[package_job("a", params=[{"name": "day", "value": "1"}])]),
    )
    with pytest.raises(ValidationError) as caught:
        import_apply_request(
            task=task,
            user=target.dev,
            choices=import_choices_of({"jobParams": {"a": {"dya": "1"}}}),
            enqueue=False,
        )
    assert "Job a has no parameter 'dya'" in caught.value.message


def test_dependency_order_resources_scripts_then_called_jobs_first(target, media):
    data = package_bytes(
        jobs=[
            package_job("a_caller", [node("run", "SubJob", {"subJobName": "z_callee"})]),
            package_job(
                "z_callee",
                [node("m", "MRSSpark", {"clusterName": "mrs", "jobName": "x", "resourceName": "r1"})],
            ),
        ],
        scripts=[package_script("s1", "dws2")],
        resources=[package_resource("r1")],
    )
    from factory.connections.services import external_object_create

    external_object_create(workspace=target.workspace, kind="mrs_cluster", name="mrs")
    task = apply(start(target.workspace, target.dev, data), target.dev)

    order = [(s.object_type, s.object_name) for s in task.subtasks.order_by("order")]
    assert order == [("resource", "r1"), ("script", "s1"), ("job", "z_callee"), ("job", "a_caller")]


# --- connections and secrets -------------------------------------------------------------------------


def test_a_connection_is_created_from_the_package_with_its_secret_which_never_lands_in_the_task(
    target, media
):
    data = package_bytes(
        jobs=[package_dws_job("doc1", connection="newconn", script="dws_script")],
        scripts=[package_script("dws_script", "newconn")],
        connections=[package_connection("newconn")],
    )
    task = start(target.workspace, target.dev, data)
    import_apply_request(
        task=task,
        user=target.dev,
        choices=import_choices_of(
            {"createConnections": [{"name": "newconn", "secrets": {"password": CONN_PASSWORD}}]}
        ),
        enqueue=False,
    )
    task.refresh_from_db()
    assert task.secrets_encrypted and CONN_PASSWORD not in task.secrets_encrypted
    assert CONN_PASSWORD not in repr(task.params) + repr(task.result) + task.message
    import_apply(task_id=task.pk)
    task.refresh_from_db()

    assert task.status == TaskStatus.SUCCESSFUL, task.message
    created = DataConnection.objects.get(workspace=target.workspace, name="newconn")
    assert secrets_decrypt(ciphertext=created.secrets_encrypted) == {"password": CONN_PASSWORD}
    assert created.config == {"host": "10.0.0.9", "port": 8000, "userName": "dbadmin"}
    assert task.secrets_encrypted == ""
    everything = repr(task.params) + repr(task.result) + task.message
    everything += "".join(repr((s.message, s.detail, s.name)) for s in task.subtasks.all())
    assert CONN_PASSWORD not in everything
    assert report_row(task, "connection", "newconn")["secretFields"] == ["password"]


def test_secrets_are_cleared_when_the_import_fails(target, media):
    target.workspace.lock_policy = LockPolicy.HARD
    target.workspace.save()
    existing_doc1(target, user=target.bob)
    data = package_bytes(
        jobs=[package_dws_job("doc1", connection="newconn")], connections=[package_connection("newconn")]
    )
    task = start(target.workspace, target.dev, data)
    task = apply(
        task, target.dev, createConnections=[{"name": "newconn", "secrets": {"password": CONN_PASSWORD}}]
    )

    assert task.status == TaskStatus.FAILED
    assert task.secrets_encrypted == ""
    assert not DataConnection.objects.filter(name="newconn").exists()


# --- round trip and DataArts' own packages -----------------------------------------------------------


def test_round_trip_into_an_empty_workspace_gives_equal_documents(media):
    world = export_world_build()
    selection = export_select(
        workspace=world.workspace,
        request=ExportRequest(job_names=("doc1", "daily_load"), scope="with_dependencies"),
    )
    data = b"".join(
        export_stream(selection=selection, contents=export_collect(selection=selection), user=world.dev)
    )
    target = target_build(prefix="t_")
    from factory.connections.services import external_object_create

    external_object_create(workspace=target.workspace, kind="dli_queue", name="dli_q")
    task = start(target.workspace, target.dev, data, file_name=selection.file_name)
    assert set(missing_of(task)) == {("connection", "doctest"), ("connection", "hive_conn")}
    task = apply(
        task,
        target.dev,
        createConnections=[
            {"name": "doctest", "secrets": {"password": CONN_PASSWORD}},
            {"name": "hive_conn", "secrets": {}},
        ],
    )

    assert task.status == TaskStatus.SUCCESSFUL, task.message
    for name in ("doc1", "daily_load"):
        source = Job.objects.get(workspace=world.workspace, name=name).document
        imported = Job.objects.get(workspace=target.workspace, name=name).document
        assert imported == source
    for name in ("dws_script", "hive_script"):
        source = Script.objects.get(workspace=world.workspace, name=name).document
        assert Script.objects.get(workspace=target.workspace, name=name).document == source
    assert report_row(task, "environment_variable", "ENV_A")["outcome"] == "created"
    assert report_row(task, "resource", "udf_jar")["outcome"] == "created"


def test_a_package_exported_by_dataarts_itself_is_imported(target, media):
    doc = package_dws_job("legacy", connection="dws2", script="legacy_sql", resouces=[], cleanOverdueDays=60)
    doc["nodes"][0]["execTimeOutRetry"] = "false"
    data = dataarts_batch_package([doc], {"legacy": [package_script("legacy_sql", "dws2")]})
    assert package_read(source=io.BytesIO(data)).manifest is None
    task = start(target.workspace, target.dev, data)

    assert task.result["inspection"]["package"].items() >= {"layout": "batch", "hasManifest": False}.items()
    task = apply(task, target.dev)
    assert task.status == TaskStatus.SUCCESSFUL, task.message
    imported = Job.objects.get(name="legacy").document
    assert imported["resouces"] == [] and imported["nodes"][0]["execTimeOutRetry"] == "false"


def test_import_script_wizard_imports_scripts_only(target, media):
    data = package_bytes(
        jobs=[package_job("j")], scripts=[package_script("s1", "dws2"), package_script("s2", "dws2")]
    )
    task = start(target.workspace, target.dev, data, category="script")

    inspection = task.result["inspection"]
    assert inspection["jobs"] == [] and [s["name"] for s in inspection["scripts"]] == ["s1", "s2"]
    assert "Import Script imports scripts only" in inspection["notes"][0]
    task = apply(task, target.dev)
    assert sorted(Script.objects.values_list("name", flat=True)) == ["s1", "s2"]
    assert not Job.objects.filter(name="j").exists()
    assert all(s.lock_holder == target.dev and s.is_submitted for s in Script.objects.all())


# --- one import at a time, idempotence, safety net ---------------------------------------------------


def test_a_second_import_is_refused_while_one_runs(target, media):
    first = import_create(
        workspace=target.workspace,
        user=target.dev,
        upload=SimpleUploadedFile("a.zip", doc1_package()),
        enqueue=False,
    )
    with pytest.raises(Conflict) as caught:
        import_create(
            workspace=target.workspace,
            user=target.bob,
            upload=SimpleUploadedFile("b.zip", doc1_package()),
            enqueue=False,
        )
    assert caught.value.code == "import_running" and first.public_id in caught.value.message
    assert SystemTask.objects.filter(workspace=target.workspace).count() == 1
    assert files_under(media / "imports") == files_under(media / "imports" / first.public_id)


def test_a_wizard_waiting_for_choices_blocks_nobody_but_its_apply_waits_for_a_running_one(target, media):
    waiting = start(target.workspace, target.dev, doc1_package(connection="dws2"))
    assert waiting.status == TaskStatus.WAITING
    running = import_create(
        workspace=target.workspace,
        user=target.bob,
        upload=SimpleUploadedFile("b.zip", doc1_package()),
        enqueue=False,
    )
    with pytest.raises(Conflict) as caught:
        import_apply_request(task=waiting, user=target.dev, choices=ImportChoices(), enqueue=False)
    assert caught.value.code == "import_running" and running.public_id in caught.value.message


def test_apply_delivered_twice_applies_once(target, media):
    task = start(target.workspace, target.dev, doc1_package(connection="dws2"))
    task = apply(task, target.dev)
    import_apply(task_id=task.pk)
    import_inspect(task_id=task.pk)

    assert JobVersion.objects.filter(job__name="doc1").count() == 1
    task.refresh_from_db()
    assert task.status == TaskStatus.SUCCESSFUL and task.subtasks.count() == 2


def test_a_redelivered_apply_runs_again_from_scratch_and_gives_up_after_three_attempts(target, media):
    task = start(target.workspace, target.dev, doc1_package(connection="dws2"))
    import_apply_request(task=task, user=target.dev, choices=ImportChoices(), enqueue=False)
    # The worker died mid-apply: the row says RUNNING, the transaction left nothing.
    SystemTask.objects.filter(pk=task.pk).update(status=TaskStatus.RUNNING, attempts=1)
    import_apply(task_id=task.pk)
    task.refresh_from_db()
    assert task.status == TaskStatus.SUCCESSFUL and task.attempts == 2

    other = start(target.workspace, target.dev, package_bytes(jobs=[package_job("x")]))
    import_apply_request(task=other, user=target.dev, choices=ImportChoices(), enqueue=False)
    SystemTask.objects.filter(pk=other.pk).update(status=TaskStatus.RUNNING, attempts=3)
    import_apply(task_id=other.pk)
    other.refresh_from_db()
    assert other.status == TaskStatus.FAILED and "stopped 3 times" in other.message
    assert not Job.objects.filter(name="x").exists()


def test_reading_a_task_fails_an_import_whose_worker_is_gone(
    target, media, settings, django_capture_on_commit_callbacks
):
    task = start(target.workspace, target.dev, doc1_package(connection="dws2"))
    import_apply_request(task=task, user=target.dev, choices=ImportChoices(), enqueue=False)
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    SystemTask.objects.filter(pk=task.pk).update(status=TaskStatus.RUNNING, updated_at=long_ago)

    with django_capture_on_commit_callbacks(execute=True):  # the upload is deleted once the failure commits
        read = import_task_get(workspace=target.workspace, user=target.dev, public_id=task.public_id)

    assert read.status == TaskStatus.FAILED and "worker stopped" in read.message
    assert read.secrets_encrypted == "" and files_under(media) == []
    # ... and the workspace takes imports again.
    assert start(target.workspace, target.dev, doc1_package()).status == TaskStatus.WAITING


def test_apply_of_a_stale_inspection_rechecks_conflicts(target, media):
    task = start(
        target.workspace, target.dev, package_bytes(jobs=[package_dws_job("doc1", connection="dws2")])
    )
    assert not task.result["inspection"]["jobs"][0]["exists"]
    target.workspace.lock_policy = LockPolicy.HARD
    target.workspace.save()
    existing_doc1(target, user=target.bob)  # created meanwhile, hard-locked by bob

    task = apply(task, target.dev)
    assert task.status == TaskStatus.FAILED
    assert "locked by bob" in report_row(task, "job", "doc1")["message"]


def test_a_package_changed_since_the_inspection_is_refused(target, media):
    task = start(target.workspace, target.dev, doc1_package(connection="dws2"))
    (media / task.params["source"]["storageName"]).write_bytes(package_bytes(jobs=[package_job("evil")]))
    task = apply(task, target.dev)

    assert task.status == TaskStatus.FAILED and "changed since it was inspected" in task.message
    assert not Job.objects.exists()


def test_apply_query_count_does_not_grow_with_nodes(target, media):
    def queries(nodes: int) -> int:
        doc = package_job(
            "big",
            [node(f"n{k}", "DWSSQL", {"connectionName": "dws2", "scriptName": "s1"}) for k in range(nodes)],
        )
        task = start(
            target.workspace, target.dev, package_bytes(jobs=[doc], scripts=[package_script("s1", "dws2")])
        )
        import_apply_request(task=task, user=target.dev, choices=ImportChoices(), enqueue=False)
        with CaptureQueriesContext(db_connection) as captured:
            import_apply(task_id=task.pk)
        Job.objects.filter(name="big").delete()
        Script.objects.filter(name="s1").delete()
        return len(captured)

    queries(1)  # the first import creates the directories
    assert queries(2) == queries(80)


def test_hard_lock_overwrite_of_a_script_fails(target, media):
    target.workspace.lock_policy = LockPolicy.HARD
    target.workspace.save()
    existing = script_create(
        workspace=target.workspace, user=target.bob, document=package_script("s1", "dws2")
    )
    job_lock  # noqa: B018 - the creator holds the lock, as the services do
    task = apply(
        start(
            target.workspace,
            target.dev,
            package_bytes(scripts=[package_script("s1", "dws2")]),
            category="script",
        ),
        target.dev,
    )

    assert task.status == TaskStatus.FAILED
    assert "locked by bob" in report_row(task, "script", "s1")["message"]
    assert Script.objects.get(pk=existing.pk).lock_holder == target.bob


def test_the_database_itself_refuses_two_active_imports_of_one_workspace(target):
    from django.db import IntegrityError, transaction

    SystemTask.objects.create(workspace=target.workspace, kind="import", name="a", status=TaskStatus.RUNNING)
    with pytest.raises(IntegrityError), transaction.atomic():
        SystemTask.objects.create(
            workspace=target.workspace, kind="import", name="b", status=TaskStatus.PENDING
        )
    SystemTask.objects.create(workspace=target.workspace, kind="import", name="c", status=TaskStatus.WAITING)
    SystemTask.objects.create(workspace=target.workspace, kind="export", name="d", status=TaskStatus.RUNNING)
