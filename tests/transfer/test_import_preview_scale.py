"""The preview issues the same queries for 10 objects as for 100, whether they are known unchanged (an
earlier import wrote them from the same entries), compared in the database, or changed (read, checked and
diffed): nothing is read per object, not even a column the plan left unread."""

from __future__ import annotations

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from factory.transfer.imports import import_preview, import_preview_request
from factory.transfer.imports.choices import ImportChoices
from factory.transfer.models import TaskStatus, UndoRecord
from tests.builders import package_bytes, package_dws_job, package_script
from tests.transfer.importing import apply, start, target_build

pytestmark = pytest.mark.django_db


def _package(count: int, *, description: str = "one") -> bytes:
    return package_bytes(
        jobs=[
            package_dws_job(
                f"job{k}",
                connection="dws2",
                script=f"s{k}",
                directory=f"/etl/d{k % 3}",
                description=description,
            )
            for k in range(count)
        ],
        scripts=[package_script(f"s{k}", "dws2") for k in range(count)],
    )


def _preview_queries(target, data: bytes) -> tuple[int, dict[str, int]]:
    task = start(target.workspace, target.dev, data)
    import_preview_request(task=task, user=target.dev, choices=ImportChoices(), enqueue=False)
    with CaptureQueriesContext(db_connection) as captured:
        import_preview(task_id=task.pk)
    task.refresh_from_db()
    assert (task.status, task.step) == (TaskStatus.WAITING, "previewed"), task.message
    summary = task.result["changes"]["summary"]
    task.status = TaskStatus.FAILED  # out of the way of the next import (at most three may wait)
    task.save(update_fields=["status"])
    return len(captured), summary


@pytest.mark.skipif(db_connection.vendor != "postgresql", reason="the comparisons in the database")
def test_the_preview_issues_the_same_queries_for_10_and_100_objects(media):
    counted = {}
    for name, count in (("a", 10), ("b", 100)):
        target = target_build(name)
        assert apply(start(target.workspace, target.dev, _package(count)), target.dev).status == "SUCCESSFUL"
        known, summary = _preview_queries(target, _package(count))
        assert summary["unchanged"] == 2 * count
        # Without the records, the same package is compared in the database.
        UndoRecord.objects.filter(task__workspace=target.workspace).update(after={})
        compared, summary = _preview_queries(target, _package(count))
        assert summary["unchanged"] == 2 * count
        changed, summary = _preview_queries(target, _package(count, description="two"))
        assert (summary["changed"], summary["unchanged"]) == (count, count)
        counted[count] = (known, compared, changed)
    assert counted[10] == counted[100]
