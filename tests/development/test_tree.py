"""The directory tree selector: lazy children, paging, search, and constant queries."""

from __future__ import annotations

import pytest

from factory.development.models import Job
from factory.development.selectors import directory_tree_get
from factory.development.services import (
    directory_create,
    job_create,
    job_schedule_start,
    job_submit,
    job_unlock,
    script_create,
)
from factory.errors import NotFound
from tests.builders import job_document, script_document

pytestmark = pytest.mark.django_db


def _tree(workspace, user, *, category="job", parent_id=None, search=None, offset=0, limit=100):
    return directory_tree_get(
        workspace=workspace,
        category=category,
        parent_id=parent_id,
        search=search,
        offset=offset,
        limit=limit,
        user=user,
    )


def _bulk_jobs(workspace, user, count: int, directory=None, prefix="job") -> None:
    Job.objects.bulk_create(
        Job(
            workspace=workspace,
            name=f"{prefix}_{i:05d}",
            directory=directory,
            document=job_document(f"{prefix}_{i:05d}"),
            owner=user.username,
            lock_holder=user,
        )
        for i in range(count)
    )


def test_root_lists_directories_first_then_a_page_of_jobs(workspace, alice, bob):
    directory_create(workspace=workspace, user=alice, category="job", path="/b_dir")
    directory_create(workspace=workspace, user=alice, category="job", path="/a_dir")
    directory_create(workspace=workspace, user=alice, category="job", path="/a_dir/inner")
    directory_create(workspace=workspace, user=alice, category="script", path="/not_a_job_dir")
    mine = job_create(workspace=workspace, user=alice, document=job_document("mine"))
    theirs = job_create(workspace=workspace, user=bob, document=job_document("theirs"))
    job_submit(job=theirs, user=bob)
    job_schedule_start(job=theirs, user=bob)
    job_unlock(job=theirs, user=bob)
    job_create(workspace=workspace, user=alice, document=job_document("nested", directory="/a_dir"))

    tree = _tree(workspace, alice)

    assert [(d["name"], d["hasChildren"]) for d in tree["directories"]] == [("a_dir", True), ("b_dir", False)]
    assert tree["count"] == 2
    first, second = tree["elements"]
    assert (first["name"], first["lockHolder"], first["lockedByMe"], first["submitted"]) == (
        "mine",
        "alice",
        True,
        False,
    )
    assert (second["name"], second["lockHolder"], second["lockedByMe"]) == ("theirs", None, False)
    assert (second["submitted"], second["scheduled"], second["owner"]) == (True, True, "bob")
    assert first["id"] == mine.pk and first["processType"] == "BATCH" and first["directory"] == "/"


def test_children_of_a_directory_and_paging(workspace, alice):
    folder = directory_create(workspace=workspace, user=alice, category="job", path="/big")
    _bulk_jobs(workspace, alice, 25, directory=folder)

    page = _tree(workspace, alice, parent_id=folder.pk, offset=20, limit=10)

    assert page["count"] == 25
    assert [e["name"] for e in page["elements"]] == [f"job_{i:05d}" for i in range(20, 25)]
    assert page["directory"]["path"] == "/big"
    assert all(e["directory"] == "/big" for e in page["elements"])


def test_search_finds_jobs_anywhere_by_name_or_owner(workspace, alice, bob):
    job_create(workspace=workspace, user=alice, document=job_document("Sales_daily", directory="/x/y"))
    job_create(workspace=workspace, user=bob, document=job_document("costs"))
    job_create(workspace=workspace, user=alice, document=job_document("other"))

    by_name = _tree(workspace, alice, search="sales")
    by_owner = _tree(workspace, alice, search="BO")

    assert [(e["name"], e["directory"]) for e in by_name["elements"]] == [("Sales_daily", "/x/y")]
    assert by_name["directories"] == []
    assert [e["name"] for e in by_owner["elements"]] == ["costs"]


def test_scripts_tree(workspace, alice):
    script_create(workspace=workspace, user=alice, document=script_document("s", type="HiveSQL"))
    (element,) = _tree(workspace, alice, category="script")["elements"]
    assert (element["category"], element["scriptType"], element["lockedByMe"]) == ("script", "HiveSQL", True)


def test_a_directory_of_another_workspace_is_not_found(workspace, hard_workspace, alice):
    theirs = directory_create(workspace=hard_workspace, user=alice, category="job", path="/secret")
    with pytest.raises(NotFound):
        _tree(workspace, alice, parent_id=theirs.pk)


@pytest.mark.parametrize("count", [10, 300])
def test_query_count_does_not_grow_with_the_folder(workspace, alice, count, django_assert_max_num_queries):
    folder = directory_create(workspace=workspace, user=alice, category="job", path="/big")
    for i in range(5):
        directory_create(workspace=workspace, user=alice, category="job", path=f"/big/sub{i}")
    _bulk_jobs(workspace, alice, count, directory=folder)

    with django_assert_max_num_queries(4):
        tree = _tree(workspace, alice, parent_id=folder.pk, limit=1000)
    assert len(tree["elements"]) == count
    with django_assert_max_num_queries(2):
        _tree(workspace, alice, search="job_")


def test_the_tree_never_loads_documents(workspace, alice, django_assert_max_num_queries):
    _bulk_jobs(workspace, alice, 3)
    with django_assert_max_num_queries(3) as captured:
        _tree(workspace, alice)
    assert not any('"document"' in query["sql"] for query in captured.captured_queries)
