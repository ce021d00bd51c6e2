"""The apply writes resources, scripts and jobs in batches: the same queries for 10 objects as for 100,
each document read from the package once and copied only where the remap changes it, and a document the
workspace refuses fails alone (and what uses it) with the reason in the report."""

from __future__ import annotations

import copy

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from factory.development.models import Job, JobVersion, Script, VersionKind
from factory.transfer.imports import apply as imports_apply
from factory.transfer.imports import import_apply, import_apply_request
from factory.transfer.imports.choices import ImportChoices
from factory.transfer.imports.items import CREATED, Item
from factory.transfer.imports.plan import Plan
from factory.transfer.models import TaskStatus
from tests.builders import node, package_bytes, package_dws_job, package_job, package_resource, package_script
from tests.transfer.importing import apply, report_row, start, target_build

pytestmark = pytest.mark.django_db


def _package(count: int) -> bytes:
    """``count`` jobs, each running its own script, in a handful of directories, and two resources."""
    return package_bytes(
        jobs=[
            package_dws_job(f"job{k}", connection="dws2", script=f"s{k}", directory=f"/etl/d{k % 3}")
            for k in range(count)
        ],
        scripts=[package_script(f"s{k}", "dws2") for k in range(count)],
        resources=[package_resource("r1"), package_resource("r2")],
    )


def _apply_queries(target, data: bytes) -> tuple[int, object]:
    task = start(target.workspace, target.dev, data)
    import_apply_request(task=task, user=target.dev, choices=ImportChoices(), enqueue=False)
    with CaptureQueriesContext(db_connection) as captured:
        import_apply(task_id=task.pk)
    task.refresh_from_db()
    return len(captured), task


@pytest.mark.skipif(
    db_connection.vendor != "postgresql",
    reason="SQLite caps a statement's parameters: Django splits bulk statements by the number of rows",
)
def test_the_apply_issues_the_same_queries_for_10_and_100_jobs_with_scripts(media):
    small, large = target_build("a"), target_build("b")
    counted = {}
    for target, count in ((small, 10), (large, 100)):
        created, task = _apply_queries(target, _package(count))
        assert task.status == TaskStatus.SUCCESSFUL, task.message
        assert task.result["report"]["summary"]["created"] == 2 * count + 2
        overwritten, task = _apply_queries(target, _package(count))
        assert task.result["report"]["summary"]["overwritten"] == 2 * count + 2
        counted[count] = (created, overwritten)
    assert counted[10] == counted[100]
    # Every job and script has its two submitted versions, and the report knows the new one.
    job = Job.objects.get(workspace=large.workspace, name="job42")
    assert list(
        JobVersion.objects.filter(job=job, kind=VersionKind.SUBMITTED).values_list("number", flat=True)
    ) == [
        2,
        1,
    ]
    row = report_row(task, "job", "job42")
    assert (row["version"], row["id"], row["directory"]) == (2, job.pk, "/etl/d0")
    assert job.lock_holder == large.dev and job.is_submitted and job.revision == 2


class _Counted:
    """A package entry that parses its document on every read (as a lazy package does), counting reads."""

    def __init__(self, entry) -> None:
        self.entry, self.reads = entry, 0

    @property
    def document(self):
        self.reads += 1
        return copy.deepcopy(self.entry.document)

    def __getattr__(self, name):
        return getattr(self.entry, name)


def test_every_document_is_read_once_while_its_batch_is_written(media, monkeypatch):
    target = target_build()
    counted: list[_Counted] = []
    real_build = imports_apply.plan_build

    def plan_build(**kwargs):
        plan = real_build(**kwargs)
        for item in plan.items:
            if item.type in ("resource", "script", "job"):
                item.source = _Counted(item.source)
                counted.append(item.source)
        return plan

    monkeypatch.setattr(imports_apply, "plan_build", plan_build)
    task = apply(start(target.workspace, target.dev, _package(3)), target.dev)

    assert task.status == TaskStatus.SUCCESSFUL, task.message
    assert len(counted) == 8 and all(source.reads == 1 for source in counted)


def test_the_prepared_document_copies_only_what_the_remap_changes():
    nodes = [
        node("a", "DWSSQL", {"connectionName": "old", "scriptName": "s"}),
        node("b", "Dummy"),
    ]
    source = package_dws_job("j", connection="old")
    source["nodes"] = nodes
    source["params"] = [{"name": "day", "value": "1"}, {"name": "env", "value": "dev"}]
    entry = type("Entry", (), {"name": "j", "document": source})()
    before = copy.deepcopy(source)
    plan = Plan(
        items=[],
        mapping={("connection", "old"): "new"},
        choices=ImportChoices(policy="overwrite", public_params={"env": "prod"}, target_directory="/in"),
    )

    doc = plan.document(Item("job", "j", new_name="j2", outcome=CREATED, source=entry))

    assert source == before, "the package's document is never changed"
    assert doc["nodes"][1] is nodes[1], "an untouched node is shared, not copied"
    assert {p["name"]: p["value"] for p in doc["nodes"][0]["properties"]}["connectionName"] == "new"
    assert doc["params"][0] is source["params"][0] and doc["params"][1] == {"name": "env", "value": "prod"}
    assert (doc["name"], doc["directory"]) == ("j2", "/in/etl")
    untouched = Plan(items=[], mapping={}, choices=ImportChoices(policy="overwrite"))
    same = untouched.document(Item("job", "j", new_name="j", outcome=CREATED, source=entry))
    assert same is not source and same["nodes"] is source["nodes"]


def _deep_package() -> bytes:
    """Job ``deep`` sits nine directories down: with a target directory two levels deep it would be
    eleven, more than a workspace nests; ``caller`` runs it, ``fine`` and script ``s1`` are fine."""
    return package_bytes(
        jobs=[
            package_job("deep", directory="/" + "/".join(f"l{k}" for k in range(9))),
            package_job("caller", [node("run", "SubJob", {"subJobName": "deep"})], directory="/"),
            package_job("fine", directory="/"),
        ],
        scripts=[package_script("s1", "dws2", directory="/")],
    )


def test_a_document_the_workspace_refuses_fails_alone_and_its_callers_with_it(media):
    target = target_build()
    task = apply(
        start(target.workspace, target.dev, _deep_package()),
        target.dev,
        continueOnError=True,
        targetDirectory="/t1/t2",
    )

    assert task.status == TaskStatus.SUCCESSFUL, task.message
    deep = report_row(task, "job", "deep")
    assert deep["outcome"] == "failed" and deep["message"].startswith("Job deep: ")
    assert "is 11 levels deep" in deep["message"]
    assert "uses job deep, which was not imported" in report_row(task, "job", "caller")["message"]
    assert report_row(task, "job", "fine")["outcome"] == "created"
    assert sorted(Job.objects.values_list("name", flat=True)) == ["fine"]
    assert Script.objects.filter(name="s1").exists()
    subtasks = {s.object_name: s for s in task.subtasks.all()}
    assert subtasks["deep"].status == TaskStatus.FAILED and subtasks["fine"].status == TaskStatus.SUCCESSFUL


def test_without_continue_on_error_a_refused_document_rolls_everything_back(media):
    target = target_build()
    task = apply(start(target.workspace, target.dev, _deep_package()), target.dev, targetDirectory="/t1/t2")

    assert task.status == TaskStatus.FAILED
    assert task.result["report"]["rolledBack"] is True
    assert "is 11 levels deep" in report_row(task, "job", "deep")["message"]
    assert report_row(task, "job", "fine")["rolledBack"] is True
    assert not Job.objects.exists() and not Script.objects.exists()


def test_a_rolled_back_report_points_at_no_row_or_version(media):
    """Scripts are written (and versioned) before the jobs: once the jobs fail and everything is rolled
    back, the report must not name the scripts' rows and versions, which are gone."""
    target = target_build()
    task = apply(start(target.workspace, target.dev, _deep_package()), target.dev, targetDirectory="/t1/t2")

    assert task.result["report"]["rolledBack"] is True
    row = report_row(task, "script", "s1")
    assert row["rolledBack"] is True and not {"id", "versionId", "version"} & row.keys()
    assert not any({"id", "versionId", "version"} & s.detail.keys() for s in task.subtasks.all())


def test_a_name_taken_meanwhile_fails_only_that_object(media, monkeypatch):
    """With continueOnError, a job created by someone else between the checks and the write fails that
    job alone; the rest of its batch is written."""
    from factory.development.services import jobs as job_services

    target = target_build()
    real_save = job_services.objects_import_save
    taken = []

    def save(kind, **kwargs):
        if not taken:  # as if another user committed "job1" just now
            Job.objects.create(
                workspace=target.workspace, name="job1", document=package_job("job1"), node_count=1
            )
            taken.append("job1")
        return real_save(kind, **kwargs)

    monkeypatch.setattr(job_services, "objects_import_save", save)
    task = apply(start(target.workspace, target.dev, _package(5)), target.dev, continueOnError=True)

    assert taken == ["job1"]
    assert task.status == TaskStatus.SUCCESSFUL, task.message
    clash = report_row(task, "job", "job1")
    assert clash["outcome"] == "failed" and "created meanwhile" in clash["message"]
    assert [report_row(task, "job", f"job{k}")["outcome"] for k in (0, 2, 3, 4)] == ["created"] * 4
    assert Job.objects.filter(workspace=target.workspace).count() == 5  # the other user's job1 and four


def _items(edges: dict[str, set[str]]) -> list[Item]:
    return [
        Item("job", name, depends_on={("job", other) for other in others}) for name, others in edges.items()
    ]


def test_jobs_are_ordered_after_what_they_run_or_wait_for():
    from factory.transfer.imports.plan import _jobs_ordered

    order = [i.name for i in _jobs_ordered(_items({"a": {"c"}, "b": set(), "c": {"b"}, "d": {"a", "x"}}))]
    assert order == ["b", "c", "a", "d"]  # "x" is not in the package: no edge


def test_a_cycle_is_broken_where_met_and_every_other_edge_kept():
    """P and Q wait for each other's schedule and R for itself; a_caller still comes after z_callee."""
    from factory.transfer.imports.plan import _jobs_ordered

    edges = {"a_caller": {"z_callee"}, "z_callee": set(), "p": {"q"}, "q": {"p"}, "r": {"r"}}
    order = [i.name for i in _jobs_ordered(_items(edges))]
    assert sorted(order) == sorted(edges)
    assert order.index("z_callee") < order.index("a_caller")
    assert order.index("p") < order.index("q")  # the cycle broken at its first job by name
