"""Directory rules: parents must exist, 10 levels at most, unique paths, moves carry everything below."""

from __future__ import annotations

import pytest

from factory.development.models import Directory, Job, Script
from factory.development.services import (
    directory_create,
    directory_delete,
    directory_ensure,
    directory_move,
    directory_rename,
    job_create,
    script_create,
)
from factory.errors import Conflict, NotFound, ValidationError
from tests.builders import job_document, script_document

pytestmark = pytest.mark.django_db


def _paths(workspace, category="job"):
    return list(
        Directory.objects.filter(workspace=workspace, category=category).values_list("path", flat=True)
    )


def test_create_needs_the_parent(workspace, alice):
    with pytest.raises(NotFound) as exc:
        directory_create(workspace=workspace, user=alice, category="job", path="/a/b")
    assert exc.value.message == "Directory /a does not exist."

    directory_create(workspace=workspace, user=alice, category="job", path="/a")
    b = directory_create(workspace=workspace, user=alice, category="job", path="/a/b/")
    assert (b.path, b.depth, b.parent.path, b.name) == ("/a/b", 2, "/a", "b")


def test_create_refuses_duplicates_but_trees_are_separate(workspace, alice):
    directory_create(workspace=workspace, user=alice, category="job", path="/a")
    with pytest.raises(Conflict, match="Directory /a already exists."):
        directory_create(workspace=workspace, user=alice, category="job", path="/a")
    directory_create(workspace=workspace, user=alice, category="script", path="/a")
    assert _paths(workspace, "script") == ["/a"]


def test_at_most_ten_levels(workspace, alice):
    path = ""
    for level in range(1, 11):
        path += f"/d{level}"
        directory_create(workspace=workspace, user=alice, category="job", path=path)
    with pytest.raises(ValidationError) as exc:
        directory_create(workspace=workspace, user=alice, category="job", path=path + "/d11")
    assert "11 levels deep" in exc.value.message
    assert "at most 10 levels" in exc.value.message


@pytest.mark.parametrize("name", ["", "x" * 65, "a\tb", ".."])
def test_bad_names_are_refused(workspace, alice, name):
    with pytest.raises(ValidationError):
        directory_rename(
            directory=directory_create(workspace=workspace, user=alice, category="job", path="/ok"),
            user=alice,
            name=name,
        )
    assert _paths(workspace) == ["/ok"]


def test_ensure_creates_missing_ancestors_and_returns_none_for_root(workspace):
    assert directory_ensure(workspace=workspace, category="job", path="/") is None
    leaf = directory_ensure(workspace=workspace, category="job", path="/x/y/z")
    again = directory_ensure(workspace=workspace, category="job", path="x/y/z/")
    assert leaf.pk == again.pk
    assert _paths(workspace) == ["/x", "/x/y", "/x/y/z"]
    assert [d.depth for d in Directory.objects.order_by("path")] == [1, 2, 3]


def test_move_carries_descendants_and_the_documents_below(workspace, alice):
    for path in ("/src", "/src/a", "/src/a/b", "/dst", "/srcother"):
        directory_create(workspace=workspace, user=alice, category="job", path=path)
    deep = job_create(workspace=workspace, user=alice, document=job_document("deep", directory="/src/a/b"))
    top = job_create(workspace=workspace, user=alice, document=job_document("top", directory="/src"))
    other = job_create(workspace=workspace, user=alice, document=job_document("other", directory="/srcother"))
    src = Directory.objects.get(path="/src")

    directory_move(directory=src, user=alice, parent_path="/dst")

    assert _paths(workspace) == ["/dst", "/dst/src", "/dst/src/a", "/dst/src/a/b", "/srcother"]
    assert Directory.objects.get(path="/dst/src/a/b").depth == 4
    for job, expected in ((deep, "/dst/src/a/b"), (top, "/dst/src"), (other, "/srcother")):
        job.refresh_from_db()
        assert job.document["directory"] == expected
        assert job.directory.path == expected
    assert deep.document["nodes"][0]["name"] == "DWS_SQL_1"  # the rest of the document is untouched


def test_move_uses_a_constant_number_of_queries(workspace, alice, django_assert_max_num_queries):
    directory_create(workspace=workspace, user=alice, category="job", path="/src")
    directory_create(workspace=workspace, user=alice, category="job", path="/dst")
    for i in range(30):
        directory_create(workspace=workspace, user=alice, category="job", path=f"/src/d{i}")
        job_create(workspace=workspace, user=alice, document=job_document(f"j{i}", directory=f"/src/d{i}"))
    with django_assert_max_num_queries(12):
        directory_move(directory=Directory.objects.get(path="/src"), user=alice, parent_path="/dst")
    assert set(Job.objects.values_list("document__directory", flat=True)) == {
        f"/dst/src/d{i}" for i in range(30)
    }


def test_rename_updates_script_documents_too(workspace, alice):
    directory_create(workspace=workspace, user=alice, category="script", path="/sql")
    script = script_create(workspace=workspace, user=alice, document=script_document("s", directory="/sql"))

    directory_rename(directory=Directory.objects.get(path="/sql"), user=alice, name="queries")

    script.refresh_from_db()
    assert script.document["directory"] == "/queries"
    assert Script.objects.get().directory.path == "/queries"


def test_move_into_itself_or_below_is_refused(workspace, alice):
    a = directory_create(workspace=workspace, user=alice, category="job", path="/a")
    directory_create(workspace=workspace, user=alice, category="job", path="/a/b")
    for target in ("/a", "/a/b"):
        with pytest.raises(ValidationError, match="cannot be moved into itself"):
            directory_move(directory=a, user=alice, parent_path=target)
    assert _paths(workspace) == ["/a", "/a/b"]


def test_move_keeps_the_depth_limit_for_the_deepest_descendant(workspace, alice):
    path = ""
    for level in range(1, 9):
        path += f"/d{level}"
        directory_create(workspace=workspace, user=alice, category="job", path=path)
    directory_create(workspace=workspace, user=alice, category="job", path="/x")
    directory_create(workspace=workspace, user=alice, category="job", path="/x/y")
    directory_create(workspace=workspace, user=alice, category="job", path="/x/y/z")
    x = Directory.objects.get(path="/x")

    # /x/y/z is 3 levels; under /d1/d2/d3/d4/d5/d6/d7 (7 levels) it would reach 10: allowed.
    directory_move(directory=x, user=alice, parent_path="/d1/d2/d3/d4/d5/d6/d7")
    x.refresh_from_db()
    with pytest.raises(ValidationError, match="11 levels deep"):
        directory_move(directory=x, user=alice, parent_path="/d1/d2/d3/d4/d5/d6/d7/d8")


def test_move_onto_an_existing_name_conflicts(workspace, alice):
    a = directory_create(workspace=workspace, user=alice, category="job", path="/a")
    directory_create(workspace=workspace, user=alice, category="job", path="/b")
    directory_create(workspace=workspace, user=alice, category="job", path="/b/a")
    with pytest.raises(Conflict, match="Directory /b/a already exists."):
        directory_move(directory=a, user=alice, parent_path="/b")


def test_delete_only_when_empty(workspace, alice):
    a = directory_create(workspace=workspace, user=alice, category="job", path="/a")
    b = directory_create(workspace=workspace, user=alice, category="job", path="/a/b")
    job = job_create(workspace=workspace, user=alice, document=job_document("j", directory="/a/b"))

    with pytest.raises(Conflict, match="Directory /a is not empty."):
        directory_delete(directory=a, user=alice)
    with pytest.raises(Conflict, match="Directory /a/b is not empty."):
        directory_delete(directory=b, user=alice)
    job.delete()
    directory_delete(directory=b, user=alice)
    directory_delete(directory=a, user=alice)
    assert _paths(workspace) == []
