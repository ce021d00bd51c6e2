"""The preview reads what the inspection kept of the package (its index, and per job and script the
references, directory and whether it carries a secret) instead of reading and checking every document
again, and has PostgreSQL compare the documents that the import would write unchanged from their entry's
text. Its rows must be exactly those of the preview that reads and compares everything in Python, and a
package swapped after the inspection must still be refused."""

from __future__ import annotations

from typing import Any

import pytest

from factory.api.transfer.imports import import_choices_of
from factory.transfer.imports.common import package_load
from factory.transfer.imports.preview import preview_write
from factory.transfer.models import ImportChange, ImportPackageIndex, SystemTask, TaskStatus
from tests.builders import (
    dataarts_batch_package,
    node,
    package_bytes,
    package_dws_job,
    package_job,
    package_script,
)
from tests.transfer.importing import apply, start
from tests.transfer.test_import_changes import preview

pytestmark = pytest.mark.django_db


def package(*, second: str = "two", third: bool = False, no_directory: bool = False) -> bytes:
    """Jobs and scripts on the target's own connection (dws2): nothing to replace, so that the preview
    compares their entries' text in the database."""
    jobs = [
        package_dws_job("doc1", connection="dws2", script="s1"),
        package_dws_job("doc2", connection="dws2", description=second),
        package_job(
            "with_secret",
            [node("n1", "Dummy", {"password": "hunter2"}), node("n2", "Dummy", {"statement": "SELECT 1"})],
        ),
    ]
    if third:
        jobs.append(package_dws_job("doc3", connection="dws2"))
    if no_directory:
        del jobs[0]["directory"]
    return package_bytes(jobs=jobs, scripts=[package_script("s1", "dws2"), package_script("s2", "dws2")])


def rows_of(task: SystemTask) -> list[tuple[Any, ...]]:
    return [
        (r.order, r.object_type, r.name, r.new_name, r.change, r.message, r.counts, r.diff, r.before, r.after)
        for r in ImportChange.objects.filter(task=task).order_by("order")
    ]


def read_again_in_python(task: SystemTask, **choices: Any) -> tuple[list[tuple[Any, ...]], dict[str, int]]:
    """The preview of ``task`` without what the inspection kept: every document read from the package
    and compared in Python."""
    package, _, _ = package_load(source=task.params["source"], workspace=task.workspace)
    with package:
        summary = preview_write(
            task=task, package=package, choices=import_choices_of(choices), publisher=None, reading=None
        )
    return rows_of(task), summary


@pytest.mark.parametrize(
    ("first", "choices"),
    [
        ({}, {}),
        ({"targetStatus": "saved"}, {}),  # saved, not submitted: changed, and says why
        ({"targetStatus": "saved"}, {"targetStatus": "saved"}),
        ({}, {"targetDirectory": "/moved"}),
    ],
)
def test_the_preview_from_the_inspection_is_the_preview_read_again(target, media, first, choices):
    assert apply(start(target.workspace, target.dev, package()), target.dev, **first).status == "SUCCESSFUL"
    task = start(target.workspace, target.dev, package(second="changed", third=True))
    assert ImportPackageIndex.objects.filter(task=task).exists()

    task = preview(task, target.dev, **choices)
    fast, summary = rows_of(task), task.result["changes"]["summary"]
    assert (task.status, task.step) == (TaskStatus.WAITING, "previewed")
    slow, slow_summary = read_again_in_python(task, **choices)

    assert fast == slow and summary == slow_summary
    assert summary["new"] == 1 and summary["changed"] >= 1
    changes = {(row[1], row[2]): row[4] for row in fast}
    assert changes[("job", "doc2")] == "changed" and changes[("job", "doc3")] == "new"
    if not first and not choices:
        assert changes[("job", "doc1")] == changes[("script", "s1")] == "unchanged"


def carrying_secrets(password: str) -> bytes:
    """As DataArts may write it: secret values in the documents, nothing to replace."""
    jobs = [
        package_dws_job("doc1", connection="dws2", script="s1"),
        package_job("with_secret", [node("n1", "Dummy", {"password": password})]),
    ]
    return dataarts_batch_package(jobs, {"doc1": [package_script("s1", "dws2")]})


def test_a_document_carrying_secrets_is_compared_by_value_the_same_both_ways(target, media):
    assert (
        apply(start(target.workspace, target.dev, carrying_secrets("hunter2")), target.dev).status
        == "SUCCESSFUL"
    )
    for password, change in (("hunter2", "unchanged"), ("hunter3", "changed")):
        task = start(target.workspace, target.dev, carrying_secrets(password))
        assert ImportPackageIndex.objects.filter(task=task).exists()
        task = preview(task, target.dev)
        fast = rows_of(task)
        slow, _ = read_again_in_python(task)
        assert fast == slow
        changes = {(row[1], row[2]): row for row in fast}
        assert changes[("job", "with_secret")][4] == change
        assert changes[("job", "doc1")][4] == "unchanged"
        assert "hunter" not in repr(fast)


def test_a_document_without_a_directory_is_compared_as_written(target, media):
    apply(start(target.workspace, target.dev, package(no_directory=True)), target.dev)
    task = preview(start(target.workspace, target.dev, package(no_directory=True)), target.dev)
    changes = {(row[1], row[2]): row[4] for row in rows_of(task)}
    assert changes[("job", "doc1")] == "unchanged"  # written in "/", compared with "/"
    assert rows_of(task) == read_again_in_python(task)[0]


def test_without_what_the_inspection_kept_the_preview_reads_the_package(target, media):
    apply(start(target.workspace, target.dev, package()), target.dev)
    task = start(target.workspace, target.dev, package(second="changed"))
    kept = preview(task, target.dev)
    rows = rows_of(kept)
    ImportPackageIndex.objects.filter(task=task).delete()

    again = preview(task, target.dev)

    assert (again.status, again.step) == (TaskStatus.WAITING, "previewed")
    assert rows_of(again) == rows and again.result["changes"] == kept.result["changes"]


def test_a_package_swapped_after_the_inspection_is_refused_by_the_preview(target, media):
    task = start(target.workspace, target.dev, package())
    assert ImportPackageIndex.objects.filter(task=task).exists()
    (media / task.params["source"]["storageName"]).write_bytes(
        package_bytes(jobs=[package_job("doc1", [node("n1", "Dummy", {"statement": "DROP TABLE x"})])])
    )

    task = preview(task, target.dev)

    assert (task.status, task.step) == (TaskStatus.WAITING, "inspected")
    assert "changed since it was inspected" in task.message
    assert not ImportChange.objects.filter(task=task).exists()


def test_what_an_import_kept_is_deleted_by_the_next_inspection_once_it_is_over(target, media):
    first = apply(start(target.workspace, target.dev, package()), target.dev)
    waiting = start(target.workspace, target.bob, package(second="bob's"))
    assert first.status == TaskStatus.SUCCESSFUL and waiting.status == TaskStatus.WAITING
    assert not ImportPackageIndex.objects.filter(task=first).exists()

    apply(waiting, target.bob)
    third = start(target.workspace, target.dev, package(third=True))
    assert set(ImportPackageIndex.objects.values_list("task_id", flat=True)) == {third.pk}
