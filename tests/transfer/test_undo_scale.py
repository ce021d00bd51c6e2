"""The undo works in batches: the same queries for 10 objects as for 100, whether it restores what an import
overwrote or deletes what an import created, and the preview likewise."""

from __future__ import annotations

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from factory.development.models import Job
from factory.transfer.models import TaskStatus, UndoRecord
from factory.transfer.undo import import_undo, import_undo_create
from tests.builders import package_bytes, package_dws_job, package_resource, package_script
from tests.transfer.importing import apply, start, target_build
from tests.transfer.undoing import preview, target_of

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        db_connection.vendor != "postgresql",
        reason="SQLite caps a statement's parameters: Django splits bulk statements by the number of rows",
    ),
]


def _package(count: int, statement: str) -> bytes:
    """``count`` jobs, each running its own script, in a handful of directories, and two resources."""
    return package_bytes(
        jobs=[
            package_dws_job(f"job{k}", connection="dws2", script=f"s{k}", directory=f"/etl/d{k % 3}")
            | {"description": statement}
            for k in range(count)
        ],
        scripts=[package_script(f"s{k}", "dws2") | {"content": statement} for k in range(count)],
        resources=[package_resource("r1"), package_resource("r2") | {"desc": statement}],
    )


def _undo_queries(task, user) -> tuple[int, int, object]:
    with CaptureQueriesContext(db_connection) as previewed:
        shown = preview(task, user)
    assert shown["refusal"] is None and not shown["counts"]["fail"]
    undo = import_undo_create(target=target_of(task, user), user=user, enqueue=False)
    with CaptureQueriesContext(db_connection) as captured:
        import_undo(task_id=undo.pk)
    undo.refresh_from_db()
    assert undo.status == TaskStatus.SUCCESSFUL, undo.message
    return len(previewed), len(captured), undo


def test_an_undo_issues_the_same_queries_for_10_and_100_objects(media):
    counted = {}
    for prefix, count in (("a", 10), ("b", 100)):
        target = target_build(prefix)
        created = apply(start(target.workspace, target.dev, _package(count, "first")), target.dev)
        overwritten = apply(start(target.workspace, target.dev, _package(count, "second")), target.dev)
        assert overwritten.result["report"]["summary"]["overwritten"] == 2 * count + 1
        assert UndoRecord.objects.filter(task=overwritten).count() == 2 * count + 1
        restore = _undo_queries(overwritten, target.dev)
        assert restore[2].result["report"]["summary"]["reversed"] == 2 * count + 1
        # The objects are as the first import left them: undoing it deletes every one.
        delete = _undo_queries(created, target.dev)
        assert delete[2].result["report"]["summary"]["reversed"] >= 2 * count + 2
        assert not Job.objects.filter(workspace=target.workspace).exists()
        counted[count] = (restore[:2], delete[:2])
    assert counted[10] == counted[100]
