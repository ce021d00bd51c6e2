"""Issue 13: imports treat real DataArts job documents as DataArts does: unknown node types are warned
about, a remap reaches every reference, a replacement script fits its node, DLI's queue ``default``
always exists, a missing script or cloud object may be left unresolved, and documents round-trip as
written. Services in-process, on PostgreSQL."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from factory.api.transfer.imports import import_choices_of
from factory.connections.services import external_object_create
from factory.development.models import Job
from factory.development.services import script_create
from factory.errors import ValidationError
from factory.transfer.imports import import_apply_request
from factory.transfer.models import TaskStatus
from tests.builders import node, package_bytes, package_dws_job, package_job, package_script
from tests.transfer.importing import apply, counts, missing_of, report_row, start

pytestmark = pytest.mark.django_db


def _refused(task, mapping) -> str:
    with pytest.raises(ValidationError) as caught:
        import_apply_request(
            task=task, user=task.created_by, choices=import_choices_of({"mapping": mapping}), enqueue=False
        )
    return caught.value.message


def test_an_unknown_node_type_is_a_warning_and_the_job_is_imported_as_is(target, media):
    odd = node("b", "QuantumSQL", {"scriptName": "nowhere"}, preNodeName=["a"])
    task = start(
        target.workspace, target.dev, package_bytes(jobs=[package_job("odd", [node("a", "Dummy"), odd])])
    )

    inspection = task.result["inspection"]
    assert inspection["warnings"] == [
        "Job odd: node b: unknown type QuantumSQL, its references are not checked."
    ]
    assert inspection["summary"]["warnings"] == 1
    assert "1 warning(s)" in task.message
    task = apply(task, target.dev)
    assert task.status == TaskStatus.SUCCESSFUL, task.message
    assert Job.objects.get(name="odd").document["nodes"][1] == odd


def test_a_dis_stream_remap_rewrites_the_stream_node_and_the_trigger(target, media):
    external_object_create(workspace=target.workspace, kind="dis_stream", name="st2")
    stream = node("read", "DISStream", {"streamName": "st1"})
    stream["eventTrigger"] = {"eventType": "DIS", "channel": "st1", "concurrent": 1}
    data = package_bytes(jobs=[package_job("rt", [stream], processType="REAL_TIME")])
    task = start(target.workspace, target.dev, data)
    assert missing_of(task)[("dis_stream", "st1")]["usedByCount"] == 1

    task = apply(task, target.dev, mapping=[{"kind": "dis_stream", "name": "st1", "replace": "st2"}])

    assert task.status == TaskStatus.SUCCESSFUL, task.message
    imported = Job.objects.get(name="rt").document["nodes"][0]
    assert imported["properties"] == [{"name": "streamName", "value": "st2"}]
    assert imported["eventTrigger"]["channel"] == "st2"


def test_a_replacement_script_must_be_of_a_type_the_node_runs(target, media):
    script_create(
        workspace=target.workspace, user=target.dev, document=package_script("sh2", "", type_="Shell")
    )
    script_create(workspace=target.workspace, user=target.dev, document=package_script("dws_ok", "dws2"))
    data = package_bytes(jobs=[package_dws_job("doc1", connection="dws2", script="gone")])
    task = start(target.workspace, target.dev, data)
    assert missing_of(task)[("script", "gone")]["scriptTypes"] == ["DWSSQL"]

    message = _refused(task, [{"kind": "script", "name": "gone", "replace": "sh2"}])
    assert "sh2 is a Shell script; gone is run by a node that needs a DWSSQL one" in message

    task = apply(task, target.dev, mapping=[{"kind": "script", "name": "gone", "replace": "dws_ok"}])
    assert task.status == TaskStatus.SUCCESSFUL, task.message


def test_the_dli_queue_default_always_exists(target, media):
    props = {"scriptName": "s", "connectionName": "dli", "queueName": "default"}
    other = {"scriptName": "s", "connectionName": "dli", "queueName": "gone_q"}
    data = package_bytes(
        jobs=[package_job("q", [node("a", "DLISQL", props), node("b", "DLISQL", other)])],
        scripts=[package_script("s", "dli", type_="DLISQL")],
    )
    from factory.connections.services import connection_create

    connection_create(workspace=target.workspace, user=target.dev, name="dli", type="DLI")
    task = start(target.workspace, target.dev, data)
    assert ("dli_queue", "default") not in missing_of(task)
    assert "default" in missing_of(task)[("dli_queue", "gone_q")]["candidates"]

    task = apply(task, target.dev, mapping=[{"kind": "dli_queue", "name": "gone_q", "replace": "default"}])

    assert task.status == TaskStatus.SUCCESSFUL, task.message
    queues = [p["value"] for n in Job.objects.get(name="q").document["nodes"] for p in n["properties"]]
    assert queues.count("default") == 2


def _unresolved_package() -> bytes:
    props = {"scriptName": "gone_script", "connectionName": "dws2", "database": "postgres"}
    dli = {"scriptName": "gone_script", "connectionName": "dli_x", "queueName": "old_q"}
    return package_bytes(
        jobs=[package_job("flagged", [node("sql", "DWSSQL", props), node("dli", "DLISQL", dli)])]
    )


def test_a_missing_script_and_queue_may_be_left_unresolved_and_the_report_flags_the_nodes(target, media):
    from factory.connections.services import connection_create

    connection_create(workspace=target.workspace, user=target.dev, name="dli_x", type="DLI")
    task = start(target.workspace, target.dev, _unresolved_package())
    assert missing_of(task)[("script", "gone_script")]["canLeaveUnresolved"] is True

    task = apply(
        task,
        target.dev,
        mapping=[
            {"kind": "script", "name": "gone_script", "unresolved": True},
            {"kind": "dli_queue", "name": "old_q", "unresolved": True},
        ],
    )

    assert task.status == TaskStatus.SUCCESSFUL, task.message
    row = report_row(task, "job", "flagged")
    assert row["outcome"] == "created"
    assert {(u["node"], u["kind"], u["name"]) for u in row["unresolved"]} == {
        ("sql", "script", "gone_script"),
        ("dli", "script", "gone_script"),
        ("dli", "dli_queue", "old_q"),
    }
    assert "Left unresolved: node " in row["message"]
    assert "fails when scheduled" in row["message"]
    assert {u["job"] for u in task.result["report"]["unresolved"]} == {"flagged"}
    assert {"kind": "script", "name": "gone_script", "unresolved": True} in task.params["choices"]["mapping"]
    values = [p["value"] for n in Job.objects.get(name="flagged").document["nodes"] for p in n["properties"]]
    assert "gone_script" in values and "old_q" in values


def test_a_data_connection_cannot_be_left_unresolved(target, media):
    task = start(
        target.workspace, target.dev, package_bytes(jobs=[package_dws_job("doc1", connection="gone_c")])
    )
    before = counts()
    message = _refused(task, [{"kind": "connection", "name": "gone_c", "unresolved": True}])
    assert "only a missing script or cloud object" in message
    assert "choose a replacement for connection gone_c" in message
    assert counts() == before


def test_leave_unresolved_and_replace_at_once_is_refused(target, media):
    task = start(target.workspace, target.dev, _unresolved_package())
    message = _refused(task, [{"kind": "dli_queue", "name": "old_q", "unresolved": True, "replace": "q2"}])
    assert "either replaced or left unresolved" in message


def test_a_job_without_nodes_in_a_package_fails_by_name(target, media):
    task = start(
        target.workspace, target.dev, package_bytes(jobs=[package_job("hollow", []), package_job("fine")])
    )
    task = apply(task, target.dev, continueOnError=True)
    row = report_row(task, "job", "hollow")
    assert row["outcome"] == "failed"
    assert "Job hollow has no nodes" in row["message"]
    assert report_row(task, "job", "fine")["outcome"] == "created"


def test_a_round_trip_keeps_unknown_keys_nulls_types_and_the_directory_as_written(target, media):
    doc = package_job("raw", [node("n", "Dummy", {"x": None}, lineageInfo='[{"outputs":[],"inputs":[]}]')])
    doc.update(directory="/etl/daily/", emptyRunningJob="0", description=None, version="2")
    doc["nodes"][0]["location"] = {"x": "-45.5", "y": "-134.5"}
    task = apply(start(target.workspace, target.dev, package_bytes(jobs=[doc])), target.dev)

    assert task.status == TaskStatus.SUCCESSFUL, task.message
    assert Job.objects.get(name="raw").document == doc


def test_the_cli_leaves_a_reference_unresolved(target, media, tmp_path, capsys):
    from factory.connections.services import connection_create

    connection_create(workspace=target.workspace, user=target.dev, name="dli_x", type="DLI")
    path = tmp_path / "jobs.zip"
    path.write_bytes(_unresolved_package())
    common = [str(path), "--workspace", target.workspace.name, "--user", target.dev.username]
    with pytest.raises(CommandError) as caught:
        call_command("import_jobs", *common, "--leave-unresolved", "connection:dli_x")
    assert "TYPE one of script, dli_queue" in str(caught.value)

    call_command(
        "import_jobs",
        *common,
        "--leave-unresolved",
        "script:gone_script",
        "--leave-unresolved",
        "DLI_QUEUE:old_q",
    )

    out = capsys.readouterr().out
    assert "Left unresolved: node " in out
    assert Job.objects.filter(name="flagged").exists()
