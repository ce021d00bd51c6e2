"""The benchmark code at N=20, so that it cannot rot: the generator, export, import (into the empty workspace
and overwriting) and the tree API, in this process (Celery tasks run eagerly), no browser. Asserts the
results have the documented shape (bench/results.json) and sane values; the figures themselves are for
``make bench``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.__main__ import _arguments
from bench.cases import FIGURES, NAMES, Bench, Result, case_get
from bench.generate import CANVAS_NODES, world_generate
from bench.measure import counting, percentile
from bench.report import detail_path, results_write, table
from bench.runtime import EagerTasks
from factory.development.models import Job, JobVersion, Script
from factory.transfer.models import SystemTask, TaskStatus

pytestmark = pytest.mark.django_db(transaction=True)  # Celery tasks are enqueued on commit

N = 20
RUN = (
    "export_first",
    "export",
    "import",
    "import_overwrite",
    "import_preview",
    "import_undo",
    "tree_folder",
    "tree_root",
)


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Bench]:
    tasks = EagerTasks(tmp_path / "task-stats.jsonl")
    bench = Bench(world=world_generate(jobs=N), tasks=tasks, workdir=tmp_path)
    yield bench
    for cleanup in bench.cleanups:
        cleanup()
    tasks.close()


def test_the_benchmarks_run_and_report_figures(bench: Bench, tmp_path: Path) -> None:
    world = bench.world
    assert Job.objects.filter(workspace_id=world.source_id).count() == N
    nodes = list(Job.objects.filter(workspace_id=world.source_id).values_list("node_count", flat=True))
    assert min(nodes) >= 3 and max(nodes) <= 30
    assert Script.objects.filter(workspace_id=world.source_id).exists()
    assert JobVersion.objects.filter(job__workspace_id=world.source_id).count() == N
    assert world.tree_jobs == 5 * N
    assert Job.objects.get(pk=world.canvas_job_id).node_count == CANVAS_NODES

    results: dict[str, Result] = {name: case_get(name)(bench) for name in RUN}

    for name, result in results.items():
        figures = result.figures()
        assert list(figures) == list(FIGURES), name
        assert figures["n"] > 0 and figures["seconds"] > 0, name
        assert isinstance(figures["queries"], int) and figures["queries"] > 0, name

    export = results["export"]
    assert export.n == N
    assert export.limit_seconds > 0 and export.ratio > 0
    assert export.detail["entries"] > N and export.detail["zip_bytes"] > 0
    assert export.detail["deflate_level"] in range(1, 10)
    # the second export copies what the first kept: one entry per job and script, none prepared again
    assert results["export_first"].detail["kept_entries_after"] == export.detail["kept_entries"] > N
    assert export.detail["unmeasured_first_export_run"] is False
    assert results["export_first"].detail["zip_bytes"] == export.detail["zip_bytes"]

    for name in ("import", "import_overwrite"):
        result = results[name]
        assert result.n == N and result.ratio > 0, name
        assert result.detail["jobs"] == N
    assert results["import"].detail["outcomes"]["created"] >= N + results["import"].detail["scripts"]
    assert results["import_overwrite"].detail["outcomes"]["overwritten"] >= N
    preview = results["import_preview"]  # the same package again: nothing new, every object compared
    assert preview.detail["changes"]["new"] == 0 and preview.n > N and preview.ratio > 1
    undo = results["import_undo"]  # the overwrite undone, against its apply
    assert undo.n == N and undo.ratio > 0 and undo.detail["outcomes"]["reversed"] >= N
    assert Job.objects.filter(workspace_id=world.target_id).count() == N
    assert not SystemTask.objects.filter(status__in=[TaskStatus.PENDING, TaskStatus.RUNNING]).exists()

    folder, root = results["tree_folder"], results["tree_root"]
    assert folder.n == world.folder_jobs and root.n == 5 * N
    for result in (folder, root):
        assert result.ratio is None and result.limit_seconds is None
        assert result.detail["p95_seconds"] >= result.detail["median_seconds"] > 0
        assert not result.detail["queries_vary"]

    output = tmp_path / "results.json"
    results_write(output, results, {"browser_tree": "not run here"}, context={"jobs": N}, merge=False)
    written = json.loads(output.read_text())
    assert set(written) <= set(NAMES) and set(RUN) <= set(written)
    for name in written:
        assert list(written[name]) == list(FIGURES)
    assert written["browser_tree"]["seconds"] is None
    assert "benchmarks" in json.loads(detail_path(output).read_text())
    assert "export" in table(results, {})


def test_measuring_helpers() -> None:
    assert percentile([float(i) for i in range(1, 51)], 0.95) == 48.0
    with counting() as outer:
        with counting() as inner:
            Job.objects.count()
        Job.objects.count()
    assert (inner.queries, outer.queries) == (1, 1)
    args = _arguments(["--jobs", "2000", "--only", "tree_root,export"])
    assert args.jobs == 2000 and args.names == ["export", "tree_root"]
