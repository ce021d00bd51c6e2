"""Undo of the overwriting import (``import_overwrite``): ``import_undo_create`` in this process, then the
``transfer.import_undo`` task in the worker, until the undo's row says SUCCESSFUL. Every object that
import overwrote is restored (documents, secrets, locks, a new version each). The limit is that import's
own apply (the ``transfer.import_apply`` task), timed in the same run: issue 17 asks for 2x at most."""

from __future__ import annotations

from bench.cases import Bench, Result
from bench.cases.imports import FINISHED, import_overwrite_case
from bench.measure import counting, mb, timed
from bench.runtime import BenchError
from factory.transfer.models import SystemTask, TaskStatus
from factory.transfer.undo import import_undo_create, undo_target_get


def import_undo_case(bench: Bench) -> Result:
    if "overwrite" not in bench.cache:  # `--only import_undo`: the imports first, untimed
        import_overwrite_case(bench)
    task_id, apply_seconds, n = bench.cache["overwrite"]
    imported = SystemTask.objects.select_related("workspace").get(pk=task_id)
    user, tasks = bench.world.admin, bench.tasks
    mark = tasks.stats.mark()
    with timed() as wall:
        with counting() as web:
            target = undo_target_get(
                workspace=imported.workspace, user=user, public_id=imported.public_id, is_admin=True
            )
            undo = import_undo_create(target=target, user=user)
        undo = tasks.wait(undo.pk, FINISHED)
    if undo.status != TaskStatus.SUCCESSFUL:
        raise BenchError(f"the undo failed: {undo.message}")
    run = tasks.stats.of_task(mark, undo.pk, {"transfer.import_undo"}).get("transfer.import_undo")
    if run is None:
        raise BenchError("the undo's task reported nothing (is the worker running bench.celery_app?)")
    return Result(
        n=n,
        seconds=wall[0],
        limit_seconds=apply_seconds,
        peak_rss_mb=mb(run.peak_rss_kb),
        queries=web.queries + run.queries,
        detail={
            "outcomes": {k: v for k, v in undo.result["report"]["summary"].items() if v},
            "undo_seconds": round(run.seconds, 3),
            "task_cpu_seconds": round(run.cpu_seconds, 3),
            "limit": "the apply of import_overwrite (transfer.import_apply)",
        },
    )
