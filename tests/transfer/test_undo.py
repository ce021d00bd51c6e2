"""Undo an import: every object it overwrote gets back its development state as it was stored (document,
secrets' ciphertext, directory, owner, lock, schedule, submitted state), what it created goes (unless
something that stays uses it), what was changed since is kept unless forced, a failure undoes nothing,
and undoing the undo applies the import again."""

from __future__ import annotations

from typing import Any

import pytest

from factory.connections.models import DataConnection
from factory.connections.resources import resource_create
from factory.development.models import (
    Directory,
    EnvironmentVariable,
    Job,
    JobVersion,
    Resource,
    ScheduleStatus,
    Script,
    VersionKind,
)
from factory.development.services import (
    job_create,
    job_lock,
    job_rename,
    job_save,
    job_schedule_start,
    job_schedule_stop,
    job_submit,
    job_unlock,
    script_create,
    script_submit,
)
from factory.transfer.models import SubTask, TaskStatus, UndoRecord
from tests.builders import (
    job_document,
    node,
    package_bytes,
    package_connection,
    package_job,
    package_resource,
    package_script,
    resource_document,
    script_document,
)
from tests.development.secret_jobs import secret_job
from tests.transfer.importing import apply, start, target_build
from tests.transfer.undoing import preview, state, undo, without

pytestmark = pytest.mark.django_db


def _dws(
    name: str, *, connection: str = "dws2", script: str | None = None, statement: str = "SELECT 1;", **extra
):
    properties = {"scriptName": script} if script else {"statement": statement}
    return package_job(
        name, [node("DWS_SQL_1", "DWSSQL", {**properties, "connectionName": connection})], **extra
    )


def _before(t) -> None:
    """The workspace before the import: jobs and a script in every state an undo must give back."""
    ws, admin, dev, bob = t.workspace, t.admin, t.dev, t.bob
    submitted = job_create(workspace=ws, user=admin, document=job_document("j_submitted", connection="dws2"))
    job_submit(job=submitted, user=admin, description="v1")  # locked by ada, who submitted it
    draft = job_create(workspace=ws, user=dev, document=job_document("j_draft", connection="dws2"))
    job_submit(job=draft, user=dev)
    job_save(
        job=draft,
        user=dev,
        document=job_document("j_draft", connection="dws2", description="edited, not submitted"),
        if_match=None,
        new_version=False,
    )
    job_unlock(job=draft, user=dev)
    secret = job_create(workspace=ws, user=dev, document=secret_job("j_secret") | {"directory": "/old"})
    job_submit(job=secret, user=dev)
    never = job_create(workspace=ws, user=bob, document=job_document("j_never", connection="dws2"))
    assert never.submitted_revision is None  # locked by bob: the import takes his lock (soft policy)
    script = script_create(workspace=ws, user=dev, document=script_document("s_old", connection="dws2"))
    script_submit(script=script, user=dev)
    resource_create(workspace=ws, user=admin, document=resource_document("r_old"))


def _package() -> bytes:
    """Overwrites every object of ``_before``; creates a job (in a new directory) that uses a new script,
    resource, data connection and environment variable."""
    new_node = node(
        "spark",
        "DLISpark",
        {"resourceName": "r_new", "queueName": "q2", "className": "Main"},
    )
    return package_bytes(
        jobs=[
            _dws("j_submitted", statement="SELECT 'imported';"),
            _dws("j_draft", statement="SELECT 'imported';"),
            _dws("j_secret", statement="SELECT 'imported';", directory="/imported"),
            _dws("j_never", statement="SELECT 'imported';"),
            package_job(
                "j_new",
                [
                    node("DWS_SQL_1", "DWSSQL", {"scriptName": "s_new", "connectionName": "conn_new"}),
                    new_node | {"preNodeName": ["DWS_SQL_1"]},
                    node("env", "Dummy", {"note": "${NEWVAR}"}),
                ],
                directory="/fresh/deep",
            ),
        ],
        scripts=[
            package_script("s_old", "dws2"),
            package_script("s_new", "conn_new", directory="/fresh_sql"),
        ],
        resources=[package_resource("r_old") | {"desc": "imported"}, package_resource("r_new")],
        connections=[package_connection("conn_new")],
        environment=[{"name": "NEWVAR", "value": "1"}],
    )


def _import(t, data: bytes | None = None, user=None):
    task = start(t.workspace, user or t.dev, data or _package())
    assert task.status == TaskStatus.WAITING, task.message
    task = apply(task, user or t.dev, createConnections=[{"name": "conn_new"}])
    assert task.status == TaskStatus.SUCCESSFUL, task.message
    return task


def _names(model: Any, workspace) -> set[str]:
    return set(model.objects.filter(workspace=workspace).values_list("name", flat=True))


def test_undo_gives_back_every_object_as_stored_and_deletes_what_the_import_created(media):
    t = target_build()
    _before(t)
    before = state(t.workspace)
    directories = set(Directory.objects.filter(workspace=t.workspace).values_list("category", "path"))
    imported = _import(t)
    after_import = state(t.workspace)
    assert after_import[("job", "j_never")]["lock_holder_id"] == t.dev.pk
    assert {("job", "j_new"), ("script", "s_new"), ("resource", "r_new")} <= set(after_import)

    shown = preview(imported, t.dev)
    assert shown["refusal"] is None
    assert shown["counts"]["restore"] == {"resource": 1, "script": 1, "job": 4}
    assert shown["counts"]["delete"] == {
        "job": 1,
        "script": 1,
        "resource": 1,
        "environment_variable": 1,
        "connection": 1,
        "directory": 6,  # /etl, /imported, /fresh, /fresh/deep (jobs), /sql, /fresh_sql (scripts)
    }
    assert shown["summary"].startswith(
        "Restore 1 resource, 1 script and 4 jobs to the state before the import; "
    )
    assert not shown["counts"]["keep"] and not shown["counts"]["fail"]

    done = undo(imported, t.dev)
    assert done.status == TaskStatus.SUCCESSFUL, done.message
    assert done.result["report"]["summary"] == {"reversed": 6 + 5 + 6, "kept": 0, "failed": 0}
    now = state(t.workspace)
    # A job never submitted is not submitted after either (it cannot be scheduled); the version the
    # import submitted stays in its history.
    assert now[("job", "j_never")]["submitted_revision"] is None and now[("job", "j_never")]["latest"]
    now[("job", "j_never")]["latest"] = None
    assert without(now, "revision") == without(before, "revision")
    assert set(Directory.objects.filter(workspace=t.workspace).values_list("category", "path")) == directories
    assert "NEWVAR" not in _names(EnvironmentVariable, t.workspace)
    assert "conn_new" not in _names(DataConnection, t.workspace)
    # The submitted state returned: submitted before, submitted after, with a version that says why.
    submitted = Job.objects.get(workspace=t.workspace, name="j_submitted")
    latest = JobVersion.objects.filter(job=submitted, kind=VersionKind.SUBMITTED).order_by("-number").first()
    assert submitted.is_submitted and latest.description == f"Restored by undoing import {imported.public_id}"
    assert latest.document == before[("job", "j_submitted")]["document"]
    # One not submitted before is not submitted after, and what scheduling runs is its old submission.
    draft = Job.objects.get(workspace=t.workspace, name="j_draft")
    assert (
        not draft.is_submitted
        and draft.submitted_revision == before[("job", "j_draft")]["submitted_revision"]
    )
    # The undo is reported object by object.
    rows = {(s.object_type, s.object_name): s for s in SubTask.objects.filter(task=done)}
    assert (
        rows[("job", "j_new")].outcome == "reversed" and rows[("job", "j_new")].detail["action"] == "delete"
    )
    assert (
        rows[("job", "j_draft")].detail["action"] == "restore"
        and rows[("job", "j_draft")].detail["versionId"]
    )


def test_objects_changed_since_are_kept_unless_forced(media):
    t = target_build()
    _before(t)
    before = state(t.workspace)
    imported = _import(t)
    edited = Job.objects.get(workspace=t.workspace, name="j_submitted")
    job_save(
        job=edited,
        user=t.dev,
        document=job_document("j_submitted", description="mine"),
        if_match=None,
        new_version=False,
    )
    scheduled = Job.objects.get(workspace=t.workspace, name="j_never")
    job_submit(job=scheduled, user=t.dev)
    job_schedule_start(job=scheduled, user=t.dev)
    locked = Job.objects.get(workspace=t.workspace, name="j_draft")
    job_lock(job=locked, user=t.bob)
    used = job_create(
        workspace=t.workspace,
        user=t.bob,
        document=job_document("j_other", nodes=[node("n", "Dummy", {"note": "${NEWVAR}"})]),
    )
    kept_state = state(t.workspace)

    shown = preview(imported, t.dev)
    kept = {(o["type"], o["name"]): o["message"] for o in shown["objects"] if o["action"] == "keep"}
    assert "edited since (revision" in kept[("job", "j_submitted")]
    assert "schedule scheduling since" in kept[("job", "j_never")]
    assert "locked by bob since" in kept[("job", "j_draft")]
    assert kept[("environment_variable", "NEWVAR")].endswith("job j_other uses it.")
    assert shown["summary"].endswith("keep 5 changed since or still used.")  # and /etl, not empty

    done = undo(imported, t.dev)
    assert done.status == TaskStatus.SUCCESSFUL, done.message
    now = state(t.workspace)
    for key in (("job", "j_submitted"), ("job", "j_never"), ("job", "j_draft")):
        assert now[key] == kept_state[key]
    assert now[("job", "j_secret")]["document"] == before[("job", "j_secret")]["document"]
    assert "NEWVAR" in _names(EnvironmentVariable, t.workspace) and ("job", "j_new") not in now

    # Forced, the import's own objects changed since go back too (and, being undone, the import is not
    # undone twice: its undo is undone instead, or, here, a fresh import is forced back).
    job_schedule_stop(job=scheduled, user=t.dev)
    again = _import(t)
    job_save(
        job=Job.objects.get(workspace=t.workspace, name="j_secret"),
        user=t.dev,
        document=secret_job("j_secret") | {"description": "after the second import"},
        if_match=None,
        new_version=False,
    )
    before_second = state(t.workspace)
    forced = undo(again, t.dev, force=True)
    assert forced.status == TaskStatus.SUCCESSFUL, forced.message
    assert (
        state(t.workspace)[("job", "j_secret")]["document"] != before_second[("job", "j_secret")]["document"]
    )
    assert used.pk in set(Job.objects.values_list("pk", flat=True))


def test_locks_and_schedules_return_as_they_were(media):
    t = target_build()
    _before(t)
    before = state(t.workspace)
    imported = _import(t)
    assert state(t.workspace)[("job", "j_submitted")]["lock_holder_id"] == t.dev.pk  # taken from ada
    undo(imported, t.dev)
    now = state(t.workspace)
    for name in ("j_submitted", "j_draft", "j_secret", "j_never"):
        assert now[("job", name)]["lock_holder_id"] == before[("job", name)]["lock_holder_id"], name
        assert now[("job", name)]["locked_at"] == before[("job", name)]["locked_at"], name
        assert now[("job", name)]["schedule_status"] == ScheduleStatus.STOPPED
    # A job scheduled since is stopped again when forced back.
    second = _import(t)
    job = Job.objects.get(workspace=t.workspace, name="j_submitted")
    job_schedule_start(job=job, user=t.dev)
    undo(second, t.dev, force=True)
    assert Job.objects.get(pk=job.pk).schedule_status == ScheduleStatus.STOPPED


def test_a_failure_undoes_nothing_and_is_reported(media):
    t = target_build()
    _before(t)
    imported = _import(t)
    # j_never is renamed since, and another job takes its old name: a forced undo cannot give it back.
    job_rename(job=Job.objects.get(workspace=t.workspace, name="j_never"), user=t.dev, name="j_renamed")
    job_create(workspace=t.workspace, user=t.dev, document=job_document("j_never", connection="dws2"))
    current = state(t.workspace)
    names = {m: _names(m, t.workspace) for m in (EnvironmentVariable, DataConnection, Resource, Script)}
    records = UndoRecord.objects.count()

    done = undo(imported, t.dev, force=True)
    assert done.status == TaskStatus.FAILED
    assert done.result["report"]["rolledBack"] is True
    assert "another job is called j_never now" in done.message
    # The resources and scripts restored before the failing job were rolled back with everything else.
    assert state(t.workspace) == current
    assert {m: _names(m, t.workspace) for m in names} == names
    assert UndoRecord.objects.count() == records
    failed = list(SubTask.objects.filter(task=done).values_list("object_name", "outcome"))
    assert failed == [("j_never", "failed")]


def test_undoing_the_undo_applies_the_import_again(media):
    t = target_build()
    _before(t)
    imported = _import(t)
    as_imported = state(t.workspace)
    undone = undo(imported, t.dev)
    assert undone.status == TaskStatus.SUCCESSFUL, undone.message
    redone = undo(undone, t.dev)
    assert redone.status == TaskStatus.SUCCESSFUL, redone.message
    now = state(t.workspace)
    assert without(now, "revision", "locked_at", "latest") == without(
        as_imported, "revision", "locked_at", "latest"
    )
    for key, row in as_imported.items():  # the submitted documents are the import's again
        assert now[key].get("latest") == row.get("latest"), key
    assert now[("job", "j_new")]["pk"] == as_imported[("job", "j_new")]["pk"]  # made again under its id
    assert {"NEWVAR"} <= _names(EnvironmentVariable, t.workspace) and "conn_new" in _names(
        DataConnection, t.workspace
    )
    job = Job.objects.get(workspace=t.workspace, name="j_submitted")
    assert job.versions.order_by("-created_at", "-number").first().description == (
        f"Restored by undoing the undo {undone.public_id}"
    )
    # The import is undone already: it cannot be undone again, but the redo can.
    with pytest.raises(Exception, match="undone already"):
        undo(imported, t.dev)
    third = undo(redone, t.dev)
    assert third.status == TaskStatus.SUCCESSFUL and ("job", "j_new") not in state(t.workspace)
