"""Job services: create, save, submit, rename, move, copy, delete, schedule, roll back, import."""

from __future__ import annotations

import pytest

from factory.development.models import Directory, Job, JobVersion, ScheduleStatus
from factory.development.services import (
    directory_create,
    job_copy,
    job_create,
    job_delete,
    job_move,
    job_rename,
    job_rollback,
    job_save,
    job_schedule_start,
    job_schedule_stop,
    job_submit,
    jobs_delete,
    jobs_move,
)
from factory.errors import Conflict, LockError, NotFound, PreconditionFailed, ValidationError
from tests.builders import job_document, two_node_job
from tests.development.import_writes import job_import_one

pytestmark = pytest.mark.django_db


def test_create_stores_the_document_whole_and_locks_it_to_the_creator(workspace, alice):
    doc = job_document(
        "daily_sales", cleanOverdueDays=60, basicConfig={"owner": "", "priority": 0, "tags": ["x"]}
    )
    doc["nodes"][0]["lineageInfo"] = '[{"outputs":[],"inputs":[]}]'

    job = job_create(workspace=workspace, user=alice, document=doc)

    job.refresh_from_db()
    assert job.document["cleanOverdueDays"] == 60
    assert job.document["basicConfig"]["tags"] == ["x"]
    assert job.document["nodes"][0]["lineageInfo"] == '[{"outputs":[],"inputs":[]}]'
    assert job.lock_holder == alice
    assert job.owner == "alice"
    assert (job.process_type, job.node_count, job.revision) == ("BATCH", 1, 1)
    assert not job.is_submitted


def test_create_takes_the_owner_from_basic_config(workspace, alice):
    job = job_create(
        workspace=workspace, user=alice, document=job_document("j", basicConfig={"owner": "ops"})
    )
    assert job.owner == "ops"


def test_create_refuses_a_duplicate_name(workspace, alice):
    job_create(workspace=workspace, user=alice, document=job_document("daily_sales"))
    with pytest.raises(Conflict) as exc:
        job_create(workspace=workspace, user=alice, document=job_document("daily_sales"))
    assert exc.value.code == "job_exists"
    assert "daily_sales already exists" in exc.value.message


def test_create_makes_a_missing_directory_as_dataarts_does(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=job_document("j", directory="/etl/daily/"))

    assert job.directory.path == "/etl/daily"
    # Kept as written (issue 13: a round trip dropped the trailing "/"); the column is canonical.
    assert job.document["directory"] == "/etl/daily/"
    assert list(Directory.objects.filter(workspace=workspace).values_list("path", flat=True)) == [
        "/etl",
        "/etl/daily",
    ]


def test_save_needs_the_lock(workspace, alice, bob):
    job = job_create(workspace=workspace, user=alice, document=job_document("j"))
    with pytest.raises(LockError) as exc:
        job_save(job=job, user=bob, document=job_document("j"))
    assert exc.value.message == "Job j is locked by alice; lock it yourself before saving it."
    assert exc.value.status == 409

    Job.objects.filter(pk=job.pk).update(lock_holder=None)
    with pytest.raises(LockError, match="Lock job j before saving it."):
        job_save(job=job, user=bob, document=job_document("j"))


def test_save_keeps_name_and_directory_and_unknown_keys(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=job_document("j", directory="/a"))
    edited = two_node_job(
        "renamed_in_body", directory="/elsewhere", emptyRunningJob="0", futureField={"k": [1]}
    )

    job = job_save(job=job, user=alice, document=edited)

    job.refresh_from_db()
    assert job.name == "j" and job.document["name"] == "j"
    assert job.document["directory"] == "/a" and job.directory.path == "/a"
    assert job.document["futureField"] == {"k": [1]}
    assert job.node_count == 2
    assert job.revision == 2
    assert not Directory.objects.filter(path="/elsewhere").exists()


def test_save_with_a_stale_revision_is_refused(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=job_document("j"))
    job_save(job=job, user=alice, document=job_document("j"), if_match=1)

    with pytest.raises(PreconditionFailed) as exc:
        job_save(job=job, user=alice, document=job_document("j"), if_match=1)
    assert exc.value.status == 412
    assert "revision 1, now 2" in exc.value.message
    assert Job.objects.get(pk=job.pk).revision == 2


def test_submit_records_a_version_and_marks_the_job_submitted(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=job_document("j"))

    version = job_submit(job=job, user=alice, description="first release")

    job.refresh_from_db()
    assert (version.kind, version.number, version.description) == ("submitted", 1, "first release")
    assert job.is_submitted
    job = job_save(job=job, user=alice, document=two_node_job("j"))
    assert not job.is_submitted
    assert job_submit(job=job, user=alice).number == 2


def test_submit_needs_the_lock_and_a_short_description(workspace, alice, bob):
    job = job_create(workspace=workspace, user=alice, document=job_document("j"))
    with pytest.raises(LockError, match="locked by alice"):
        job_submit(job=job, user=bob)
    with pytest.raises(ValidationError) as exc:
        job_submit(job=job, user=alice, description="x" * 129)
    assert "description" in exc.value.fields
    assert not JobVersion.objects.filter(kind="submitted").exists()


def test_rename_changes_name_and_document(workspace, alice):
    job_create(workspace=workspace, user=alice, document=job_document("taken"))
    job = job_create(workspace=workspace, user=alice, document=job_document("old"))

    job = job_rename(job=job, user=alice, name="new")
    assert (job.name, job.document["name"]) == ("new", "new")
    with pytest.raises(Conflict, match="taken already exists"):
        job_rename(job=job, user=alice, name="taken")
    with pytest.raises(ValidationError) as exc:
        job_rename(job=job, user=alice, name="bad name!")
    assert "name" in exc.value.fields


def test_move_needs_an_existing_directory(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=job_document("j"))
    directory_create(workspace=workspace, user=alice, category="job", path="/etl")

    job = job_move(job=job, user=alice, directory_path="/etl")
    job.refresh_from_db()
    assert (job.directory.path, job.document["directory"]) == ("/etl", "/etl")
    assert job.revision == 1  # a move is not an edit of the definition
    with pytest.raises(NotFound, match="Directory /nowhere does not exist."):
        job_move(job=job, user=alice, directory_path="/nowhere")
    job = job_move(job=job, user=alice, directory_path="/")
    job.refresh_from_db()
    assert job.directory is None and job.document["directory"] == "/"


def test_copy_makes_a_new_job_locked_to_the_copier(workspace, alice, bob):
    source = job_create(
        workspace=workspace, user=alice, document=job_document("src", directory="/a", extra=1)
    )
    directory_create(workspace=workspace, user=alice, category="job", path="/b")

    copy = job_copy(job=source, user=bob, new_name="src_copy", directory_path="/b")
    same_dir = job_copy(job=source, user=bob, new_name="src_copy2")

    assert copy.lock_holder == bob and copy.pk != source.pk
    assert (copy.document["name"], copy.document["directory"], copy.document["extra"]) == (
        "src_copy",
        "/b",
        1,
    )
    assert same_dir.directory.path == "/a"
    with pytest.raises(Conflict):
        job_copy(job=source, user=bob, new_name="src")


def test_delete_refuses_a_scheduled_job(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=job_document("j"))
    job_submit(job=job, user=alice)
    job_schedule_start(job=job, user=alice)

    with pytest.raises(Conflict, match="Job j is scheduled; stop its scheduling first."):
        job_delete(job=job, user=alice)
    job_schedule_stop(job=job, user=alice)
    job_delete(job=job, user=alice)
    assert not Job.objects.exists()
    assert not JobVersion.objects.exists()


def test_scheduling_needs_a_submitted_version(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=job_document("j"))
    with pytest.raises(Conflict, match="submit it before scheduling"):
        job_schedule_start(job=job, user=alice)
    job_submit(job=job, user=alice)
    assert job_schedule_start(job=job, user=alice).schedule_status == ScheduleStatus.SCHEDULING


def test_batch_delete_is_all_or_nothing_and_names_the_failing_job(workspace, alice):
    jobs = [job_create(workspace=workspace, user=alice, document=job_document(f"j{i}")) for i in range(3)]
    job_submit(job=jobs[1], user=alice)
    job_schedule_start(job=jobs[1], user=alice)

    with pytest.raises(Conflict) as exc:
        jobs_delete(workspace=workspace, user=alice, job_ids=[j.pk for j in jobs])
    assert exc.value.message == "Job j1 is scheduled; stop its scheduling first. Nothing was deleted."
    assert Job.objects.count() == 3

    assert jobs_delete(workspace=workspace, user=alice, job_ids=[jobs[0].pk, jobs[2].pk]) == 2
    assert list(Job.objects.values_list("name", flat=True)) == ["j1"]


def test_batch_move_updates_directory_and_documents(workspace, alice, django_assert_max_num_queries):
    jobs = [job_create(workspace=workspace, user=alice, document=job_document(f"j{i}")) for i in range(20)]
    directory_create(workspace=workspace, user=alice, category="job", path="/archive")

    with django_assert_max_num_queries(8):
        moved = jobs_move(
            workspace=workspace, user=alice, job_ids=[j.pk for j in jobs], directory_path="/archive"
        )

    assert moved == 20
    for job in Job.objects.all():
        assert job.directory.path == "/archive"
        assert job.document["directory"] == "/archive"
        assert job.document["nodes"][0]["name"] == "DWS_SQL_1"


def test_batch_ops_report_ids_of_other_workspaces_as_missing(workspace, hard_workspace, alice):
    other = job_create(workspace=hard_workspace, user=alice, document=job_document("theirs"))
    with pytest.raises(NotFound, match=f"Job {other.pk} does not exist."):
        jobs_delete(workspace=workspace, user=alice, job_ids=[other.pk])
    assert Job.objects.filter(pk=other.pk).exists()


def test_rollback_restores_a_version_as_a_save(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=job_document("j", marker="v1"))
    first = job_submit(job=job, user=alice)
    job = job_save(job=job, user=alice, document=two_node_job("j", marker="v2"))

    job = job_rollback(job=job, user=alice, version=first)

    job.refresh_from_db()
    assert job.document["marker"] == "v1"
    assert job.node_count == 1
    assert job.revision == 3
    assert not job.is_submitted  # the rolled-back state must be submitted again
    assert job.versions.filter(kind="saved").count() == 2


def test_import_write_creates_and_overwrites_with_a_submitted_version(workspace, alice, bob):
    job = job_import_one(
        workspace=workspace,
        user=alice,
        document=job_document("imported", directory="/from/pkg"),
        obj=None,
        version_description="Imported from DLF_imported.zip",
    )
    assert job.lock_holder == alice and job.is_submitted
    assert job.directory.path == "/from/pkg"
    assert job.versions.get().description == "Imported from DLF_imported.zip"

    job = job_import_one(
        workspace=workspace,
        user=bob,
        document=two_node_job("imported", directory="/", newKey=True),
        obj=job,
        version_description="again",
    )
    job.refresh_from_db()
    assert job.lock_holder == bob
    assert job.document["newKey"] is True and job.directory is None and job.node_count == 2
    assert job.is_submitted
    assert list(job.versions.values_list("number", "kind")) == [(2, "submitted"), (1, "submitted")]


def test_import_write_without_submit_records_a_saved_version(workspace, alice):
    job = job_import_one(
        workspace=workspace,
        user=alice,
        document=job_document("j"),
        obj=None,
        version_description="",
        submit=False,
    )
    assert not job.is_submitted
    assert job.versions.get().kind == "saved"


@pytest.mark.parametrize("nodes", [1, 50])
def test_import_write_uses_a_constant_number_of_queries(
    workspace, alice, nodes, django_assert_max_num_queries
):
    many = [
        {
            "name": f"n{i}",
            "type": "Dummy",
            "location": {"x": i, "y": 0},
            "preNodeName": [f"n{i - 1}"] if i else [],
            "properties": [],
        }
        for i in range(nodes)
    ]
    existing = job_create(workspace=workspace, user=alice, document=job_document("old", directory="/a/b"))
    with django_assert_max_num_queries(12):
        job_import_one(
            workspace=workspace,
            user=alice,
            document=job_document("new", nodes=many, directory="/a/b"),
            obj=None,
            version_description="",
        )
    with django_assert_max_num_queries(12):
        job_import_one(
            workspace=workspace,
            user=alice,
            document=job_document("old", nodes=many, directory="/a/b"),
            obj=existing,
            version_description="",
        )
