"""Batch Delete, Move, Unlock and Configure Owner take the tree's compact selection (ticked directories,
the whole tree, exclusions), as the export does, and resolve it on the server: one request, and a number of
queries that does not grow with the number of objects."""

from __future__ import annotations

import pytest
from django.test import Client

from factory.development.models import Directory, Job, JobVersion, Script
from factory.development.services import directory_create, job_create, job_submit, script_create
from tests.builders import client_for, job_document, script_document
from tests.development.fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


def post(client: Client, workspace, rest: str, body: dict, kind: str = "jobs"):
    return client.post(f"/api/workspaces/{workspace.pk}/{kind}/{rest}", body, content_type="application/json")


def _bulk_jobs(workspace, directory: Directory, n: int, prefix: str) -> None:
    """``n`` jobs in ``directory``, written directly (bulk): what thousands of saves would leave."""
    Job.objects.bulk_create(
        Job(
            workspace=workspace,
            name=f"{prefix}{i}",
            directory=directory,
            owner="alice",
            document=job_document(f"{prefix}{i}", directory=directory.path),
        )
        for i in range(n)
    )


def test_deleting_a_directory_of_5000_jobs_is_one_request_whose_queries_do_not_grow(
    workspace, alice, django_assert_max_num_queries
):
    small = directory_create(workspace=workspace, user=alice, category="job", path="/small")
    big = directory_create(workspace=workspace, user=alice, category="job", path="/big")
    deep = directory_create(workspace=workspace, user=alice, category="job", path="/big/deep")
    _bulk_jobs(workspace, small, 50, "s")
    _bulk_jobs(workspace, big, 4990, "b")
    _bulk_jobs(workspace, deep, 10, "d")
    versioned = job_create(
        workspace=workspace, user=alice, document=job_document("versioned", directory="/big")
    )
    job_submit(job=versioned, user=alice)
    kept = job_create(workspace=workspace, user=alice, document=job_document("kept"))
    job_submit(job=kept, user=alice)
    client = client_for(alice)

    with django_assert_max_num_queries(12) as of_50:
        small_deleted = post(client, workspace, "delete/", {"directoryIds": [small.pk]})
    with django_assert_max_num_queries(12) as of_5000:
        big_deleted = post(client, workspace, "delete/", {"directoryIds": [big.pk]})

    assert small_deleted.json() == {"deleted": 50}
    assert big_deleted.json() == {"deleted": 5001}  # the subdirectory's jobs too
    assert len(of_5000.captured_queries) == len(of_50.captured_queries)
    assert list(Job.objects.values_list("name", flat=True)) == [kept.name]
    assert list(JobVersion.objects.values_list("job__name", flat=True)) == [kept.name]


def test_move_takes_directories_exclusions_and_an_id_ticked_inside_an_unticked_directory(workspace, alice):
    etl = directory_create(workspace=workspace, user=alice, category="job", path="/etl")
    tmp = directory_create(workspace=workspace, user=alice, category="job", path="/etl/tmp")
    directory_create(workspace=workspace, user=alice, category="job", path="/moved")
    a = job_create(workspace=workspace, user=alice, document=job_document("a", directory="/etl"))
    b = job_create(workspace=workspace, user=alice, document=job_document("b", directory="/etl"))
    job_create(workspace=workspace, user=alice, document=job_document("c", directory="/etl/tmp"))
    d = job_create(workspace=workspace, user=alice, document=job_document("d", directory="/etl/tmp"))
    job_create(workspace=workspace, user=alice, document=job_document("outside"))

    moved = post(
        client_for(alice),
        workspace,
        "move/",
        {
            "directoryIds": [etl.pk],
            "excludeIds": [b.pk],
            "excludeDirectoryIds": [tmp.pk],
            "ids": [d.pk],
            "directory": "/moved",
        },
    )

    assert moved.json() == {"moved": 2}
    paths = dict(Job.objects.values_list("name", "directory__path"))
    assert paths == {"a": "/moved", "b": "/etl", "c": "/etl/tmp", "d": "/moved", "outside": None}
    assert Job.objects.get(pk=a.pk).document["directory"] == "/moved"


def test_unlock_of_a_directory_names_what_it_refuses_and_exclusions_leave_it_out(hard_workspace, alice, bob):
    etl = directory_create(workspace=hard_workspace, user=alice, category="job", path="/etl")
    job_create(workspace=hard_workspace, user=alice, document=job_document("mine", directory="/etl"))
    theirs = job_create(workspace=hard_workspace, user=bob, document=job_document("theirs", directory="/etl"))
    client = client_for(alice)

    refused = post(client, hard_workspace, "unlock/", {"directoryIds": [etl.pk]})
    assert refused.json() == {
        "unlocked": 1,
        "refused": [{"id": theirs.pk, "name": "theirs", "reason": "locked by bob"}],
    }

    deleted = post(client, hard_workspace, "delete/", {"all": True})
    assert deleted.status_code == 409
    assert (
        deleted.json()["message"] == "Job theirs is locked by bob and cannot be deleted. Nothing was deleted."
    )
    assert Job.objects.count() == 2
    assert post(client, hard_workspace, "delete/", {"all": True, "excludeIds": [theirs.pk]}).json() == {
        "deleted": 1
    }
    assert list(Job.objects.values_list("name", flat=True)) == ["theirs"]


def test_configure_owner_of_a_directory_minus_a_subdirectory(workspace, alice):
    directory_create(workspace=workspace, user=alice, category="script", path="/sql")
    old = directory_create(workspace=workspace, user=alice, category="script", path="/sql/old")
    sql = Directory.objects.get(workspace=workspace, category="script", path="/sql")
    script_create(workspace=workspace, user=alice, document=script_document("s1", directory="/sql"))
    script_create(workspace=workspace, user=alice, document=script_document("s2", directory="/sql/old"))

    changed = post(
        client_for(alice),
        workspace,
        "owner/",
        {"directoryIds": [sql.pk], "excludeDirectoryIds": [old.pk], "owner": "dana"},
        kind="scripts",
    )

    assert changed.json() == {"changed": 1, "skipped": 0}
    assert dict(Script.objects.values_list("name", "owner")) == {"s1": "dana", "s2": "alice"}


def test_another_workspaces_directory_is_not_found_and_nothing_changes(workspace, hard_workspace, alice):
    elsewhere = directory_create(workspace=hard_workspace, user=alice, category="job", path="/etl")
    job_create(workspace=hard_workspace, user=alice, document=job_document("theirs", directory="/etl"))
    job_create(workspace=workspace, user=alice, document=job_document("ours"))
    client = client_for(alice)

    deleted = post(client, workspace, "delete/", {"all": True, "directoryIds": [elsewhere.pk]})

    assert deleted.status_code == 404
    assert deleted.json()["code"] == "directory_not_found"
    assert f"#{elsewhere.pk}" in deleted.json()["message"]
    assert Job.objects.count() == 2


def test_an_empty_or_contradictory_selection_is_refused(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=job_document("a"))
    client = client_for(alice)

    empty = post(client, workspace, "delete/", {"excludeIds": [job.pk]})
    assert empty.status_code == 400
    assert empty.json()["extra"]["fields"]["ids"] == ["Select at least one object or directory."]
    both = post(client, workspace, "delete/", {"ids": [job.pk], "excludeIds": [job.pk]})
    assert both.status_code == 400
    assert both.json()["message"] == f"Jobs both selected and excluded: #{job.pk}."
    assert Job.objects.count() == 1


def test_the_confirmation_count_of_a_selection_is_one_request(
    workspace, alice, django_assert_max_num_queries
):
    big = directory_create(workspace=workspace, user=alice, category="job", path="/big")
    sub = directory_create(workspace=workspace, user=alice, category="job", path="/big/sub")
    _bulk_jobs(workspace, big, 300, "b")
    _bulk_jobs(workspace, sub, 20, "s")
    job_create(workspace=workspace, user=alice, document=job_document("outside"))
    client = client_for(alice)

    with django_assert_max_num_queries(8):
        counted = post(
            client, workspace, "selection/count/", {"directoryIds": [big.pk], "excludeDirectoryIds": [sub.pk]}
        )

    assert counted.json() == {"count": 300}
    assert post(client, workspace, "selection/count/", {"all": True}).json() == {"count": 321}
    assert Job.objects.count() == 321  # counting deletes nothing
