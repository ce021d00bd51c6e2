"""A package imported again is recognised from the undo records of the import that wrote it: a job or
script written as its entry with only its name and directory set, at the revision that write gave it, in
the same directory and under the same name, is unchanged without its entry's text being sent to the
database. Whatever breaks one of those conditions (an edit, a directory renamed, other bytes, another
target directory) sends the object back to the comparison, and the preview's rows are always exactly
those of the preview that reads and compares everything in Python."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import F

from factory.development.models import Directory, Job, Script
from factory.development.services.directories import directory_rename
from factory.transfer.imports import preview as preview_module
from factory.transfer.models import UndoRecord
from tests.builders import package_bytes, package_dws_job, package_script
from tests.transfer.importing import apply, start
from tests.transfer.test_import_changes import preview
from tests.transfer.test_import_preview_index import read_again_in_python, rows_of

pytestmark = pytest.mark.django_db


def package(*, description: str = "one") -> bytes:
    """Jobs and scripts on the target's own connection: written as their entries, name and directory set."""
    return package_bytes(
        jobs=[
            package_dws_job(
                "doc1",
                connection="dws2",
                script="s1",
                params=[{"name": "p", "value": "0", "type": "variable"}],
            ),
            package_dws_job("doc2", connection="dws2", description=description),
        ],
        scripts=[package_script("s1", "dws2"), package_script("s2", "dws2")],
    )


@pytest.fixture
def compared(monkeypatch) -> list[tuple[str, int]]:
    """The objects whose entry's text the preview sends to the database to compare."""
    sent: list[tuple[str, int]] = []
    original = preview_module.states_same

    def states_same(object_type: str, rows: Any) -> dict[int, bool]:
        def seen() -> Any:
            for row in rows:
                sent.append((object_type, row.pk))
                yield row

        return original(object_type, seen())

    monkeypatch.setattr(preview_module, "states_same", states_same)
    return sent


def ids(workspace) -> dict[tuple[str, str], int]:
    found = {
        ("job", name): pk for name, pk in Job.objects.filter(workspace=workspace).values_list("name", "pk")
    }
    found |= {
        ("script", name): pk
        for name, pk in Script.objects.filter(workspace=workspace).values_list("name", "pk")
    }
    return found


def test_the_import_records_the_entry_each_object_was_written_from(target, media):
    task = apply(start(target.workspace, target.dev, package()), target.dev)
    assert task.status == "SUCCESSFUL"
    records = {
        (r.object_type, r.name): r.after
        for r in UndoRecord.objects.filter(task=task, object_type__in=["job", "script"])
    }
    assert set(records) == {("job", "doc1"), ("job", "doc2"), ("script", "s1"), ("script", "s2")}
    for (object_type, name), after in records.items():
        assert len(after["entry"]) == 64, (object_type, name)
        model = Job if object_type == "job" else Script
        obj = model.objects.get(workspace=target.workspace, name=name)
        assert after["revision"] == obj.revision
        assert after["entryDirectory"] == obj.document["directory"]


def test_the_import_records_no_entry_for_a_rewritten_document(target, media):
    # A job parameter set by the choices: the document written is not the entry's.
    task = apply(start(target.workspace, target.dev, package()), target.dev, jobParams={"doc1": {"p": "1"}})
    assert task.status == "SUCCESSFUL"
    after = UndoRecord.objects.get(task=task, object_type="job", name="doc1").after
    assert "entry" not in after


def test_a_package_imported_again_is_known_unchanged_without_a_comparison(target, media, compared):
    assert apply(start(target.workspace, target.dev, package()), target.dev).status == "SUCCESSFUL"
    task = preview(start(target.workspace, target.dev, package()), target.dev)

    assert task.result["changes"]["summary"]["unchanged"] == 4
    assert compared == []
    fast = rows_of(task)
    assert (fast, task.result["changes"]["summary"]) == read_again_in_python(task)


def test_an_import_that_did_not_submit_leaves_them_changed_for_one_that_submits(target, media, compared):
    first = apply(start(target.workspace, target.dev, package()), target.dev, targetStatus="saved")
    assert first.status == "SUCCESSFUL"
    task = preview(start(target.workspace, target.dev, package()), target.dev)
    changes = {(row[1], row[2]): (row[4], row[5]) for row in rows_of(task)}

    assert compared == []
    assert changes[("job", "doc1")][0] == "changed" and "not submitted" in changes[("job", "doc1")][1]
    assert (rows_of(task), task.result["changes"]["summary"]) == read_again_in_python(task)


def _edited(target) -> set[tuple[str, str]]:
    Job.objects.filter(workspace=target.workspace, name="doc1").update(
        document=F("document"), revision=F("revision") + 1
    )
    return {("job", "doc1")}


def _directory_renamed(target) -> set[tuple[str, str]]:
    directory = Directory.objects.get(workspace=target.workspace, category="script", path="/sql")
    directory_rename(directory=directory, user=target.dev, name="queries")
    return {("script", "s1"), ("script", "s2")}


@pytest.mark.parametrize(
    ("change", "again", "choices"),
    [
        (_edited, {}, {}),  # its revision moved on (the same document saved again)
        (_directory_renamed, {}, {}),  # its directory set in place, its revision the same
        (None, {"description": "two"}, {}),  # doc2's entry has other bytes
        (None, {}, {"targetDirectory": "/moved"}),  # written into another directory
    ],
)
def test_what_breaks_a_condition_is_compared_again(target, media, compared, change, again, choices):
    assert apply(start(target.workspace, target.dev, package()), target.dev).status == "SUCCESSFUL"
    objects = ids(target.workspace)
    expected = change(target) if change is not None else set()
    if again:
        expected = {("job", "doc2")}
    if choices:
        expected = set(objects)

    task = preview(start(target.workspace, target.dev, package(**again)), target.dev, **choices)

    sent = {key for key, pk in objects.items() if (key[0], pk) in compared}
    assert sent == expected
    assert (rows_of(task), task.result["changes"]["summary"]) == read_again_in_python(task, **choices)
    changes = {(row[1], row[2]): row[4] for row in rows_of(task)}
    for key in set(objects) - expected:
        assert changes[key] == "unchanged", key


def test_objects_are_known_a_block_of_batches_at_a_time(target, media, compared, monkeypatch):
    # Batches of one object, asked about two at a time: blocks that end inside a type and between types.
    monkeypatch.setattr(preview_module, "BATCH", 1)
    monkeypatch.setattr(preview_module, "KNOWN_BLOCK", 2)
    assert apply(start(target.workspace, target.dev, package()), target.dev).status == "SUCCESSFUL"
    _edited(target)
    task = preview(start(target.workspace, target.dev, package(description="two")), target.dev)

    objects = ids(target.workspace)
    assert {key for key, pk in objects.items() if (key[0], pk) in compared} == {
        ("job", "doc1"),
        ("job", "doc2"),
    }
    changes = {(row[1], row[2]): row[4] for row in rows_of(task)}
    assert changes == {
        ("job", "doc1"): "changed",  # its document the package's, but saved since without a submit
        ("job", "doc2"): "changed",
        ("script", "s1"): "unchanged",
        ("script", "s2"): "unchanged",
    }
    assert (rows_of(task), task.result["changes"]["summary"]) == read_again_in_python(task)
