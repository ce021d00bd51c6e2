"""Import of the exported package from OBS: into the empty target workspace, then again, overwriting.

Measured: the import wizard's path. ``import_create`` (step 1, from an ``obs://`` path in SeaweedFS) in this
process, the ``transfer.import_inspect`` task in the Celery worker, ``import_apply_request`` (step 2, the
policy "overwrite", nothing to map: the target has the same data connections and cloud objects) in this
process, then the ``transfer.import_apply`` task. Wall time runs from step 1 until the task row says
SUCCESSFUL (the user's think time between the steps is zero). Queries: this process's plus both tasks'
(counted in the worker). Peak memory: the larger of the two tasks' pool processes.

The limits, timed in the same run on the scratch workspace ``bench_limit``:

- import: the rows the import writes (directories, environment variables, resources, scripts and jobs with
  one submitted version each, the system task and one subtask per object) inserted with ``bulk_create``
  in one transaction, the documents as the package holds them;
- overwrite: the same objects updated with ``bulk_update`` (new documents and revisions), a second
  version of each with ``bulk_create``, a system task and its subtasks, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from bench.cases import Bench, Result
from bench.generate import _directories
from bench.measure import counting, mb, timed
from bench.runtime import BenchError
from factory.development.models import (
    Category,
    EnvironmentVariable,
    Job,
    JobVersion,
    Resource,
    Script,
    ScriptVersion,
    VersionKind,
)
from factory.obs import obs_client, obs_configured
from factory.packages import package_read
from factory.transfer.exports import WITH_DEPENDENCIES, ExportRequest, export_write
from factory.transfer.imports import (
    ImportChoices,
    import_apply_request,
    import_create,
    import_report,
    package_limits,
)
from factory.transfer.models import SubTask, SystemTask, TaskKind, TaskStatus
from factory.workspaces.models import Workspace

BATCH = 500
INSPECTED = (TaskStatus.WAITING, TaskStatus.SUCCESSFUL, TaskStatus.FAILED)
FINISHED = (TaskStatus.SUCCESSFUL, TaskStatus.FAILED)


# --- the package, in a file and in OBS ----------------------------------------------------------------


def package_ensure(bench: Bench) -> Path:
    """The export's package; made here, untimed, when the export benchmark did not run."""
    if bench.package is None:
        world = bench.world
        written = export_write(
            workspace=Workspace.objects.get(pk=world.source_id),
            user=world.admin,
            request=ExportRequest(everything=True, scope=WITH_DEPENDENCIES),
            out=bench.workdir,
        )
        bench.package = Path(written.location)
    return bench.package


def source_ensure(bench: Bench) -> dict[str, str]:
    """Where import_create reads the package: an ``obs://`` path in SeaweedFS when OBS is configured."""
    package = package_ensure(bench)
    if not obs_configured():
        return {"file_path": str(package)}
    if bench.obs_path is None:
        client = obs_client()
        bucket = f"bench-{bench.workdir.name.lower().replace('_', '-')}"[:63].rstrip("-")
        client.create_bucket(Bucket=bucket)
        client.upload_file(str(package), bucket, package.name)
        bench.obs_path = f"obs://{bucket}/{package.name}"

        def delete() -> None:
            client.delete_object(Bucket=bucket, Key=package.name)
            client.delete_bucket(Bucket=bucket)

        bench.cleanups.append(delete)
    return {"obs_path": bench.obs_path}


# --- the import through the wizard's services ---------------------------------------------------------


def _import(bench: Bench, *, workspace: Workspace) -> tuple[float, dict[str, Any], Any]:
    user = bench.world.admin
    source = source_ensure(bench)
    tasks = bench.tasks
    mark = tasks.stats.mark()
    with timed() as wall:
        with counting() as step1:
            task = import_create(workspace=workspace, user=user, policy="overwrite", **source)
        with timed() as inspect_wait:
            task = tasks.wait(task.pk, INSPECTED)
        if task.status != TaskStatus.WAITING:
            raise BenchError(f"the import's inspection failed: {task.message}")
        with counting() as step2:
            task = import_apply_request(task=task, user=user, choices=ImportChoices(policy="overwrite"))
        task = tasks.wait(task.pk, FINISHED)
    if task.status != TaskStatus.SUCCESSFUL:
        raise BenchError(f"the import failed: {task.message}")
    report = import_report(task) or {}
    if report["summary"]["failed"]:
        raise BenchError(f"the import reported failures: {report['failed'][:3]}")
    runs = tasks.stats.of_task(mark, task.pk, {"transfer.import_inspect", "transfer.import_apply"})
    if set(runs) != {"transfer.import_inspect", "transfer.import_apply"}:
        raise BenchError(
            f"the import's tasks reported {sorted(runs)} (is the worker running bench.celery_app?)"
        )
    inspect, apply = runs["transfer.import_inspect"], runs["transfer.import_apply"]
    peaks = [run.peak_rss_kb for run in (inspect, apply) if run.peak_rss_kb is not None]
    figures = {
        "queries": step1.queries + step2.queries + inspect.queries + apply.queries,
        "peak_rss_mb": mb(max(peaks)) if peaks else None,
    }
    detail = {
        "outcomes": {k: v for k, v in report["summary"].items() if v},
        "inspect_seconds": round(inspect.seconds, 3),
        "task_cpu_seconds": round(inspect.cpu_seconds + apply.cpu_seconds, 3),
        "inspect_wait_seconds": round(inspect_wait[0], 3),
        "apply_seconds": round(apply.seconds, 3),
        "queries_web": step1.queries + step2.queries,
        "queries_inspect": inspect.queries,
        "queries_apply": apply.queries,
        "queries_progress_updates": inspect.progress_updates + apply.progress_updates,
        "peak_rss_inspect_mb": mb(inspect.peak_rss_kb),
        "peak_rss_apply_mb": mb(apply.peak_rss_kb),
        "peak_rss_where": "this process" if tasks.eager else "the worker's pool processes",
        "source": "OBS (SeaweedFS)" if "obs_path" in source else "local file",
    }
    return wall[0], {**figures, "detail": detail}, task


# --- the raw limits -----------------------------------------------------------------------------------


def _directory(doc: dict[str, Any]) -> str:
    path = doc.get("directory")
    return path if isinstance(path, str) and path.strip() else "/"


def _subtasks(task: SystemTask, objects: list[tuple[str, str]], outcome: str) -> list[SubTask]:
    now = timezone.now()
    return [
        SubTask(
            task=task,
            order=order,
            object_type=kind,
            object_name=name,
            name=f"Import the {name} {kind}.",
            status=TaskStatus.SUCCESSFUL,
            outcome=outcome,
            message=f"{outcome} {kind} {name}.",
            started_at=now,
            ended_at=now,
        )
        for order, (kind, name) in enumerate(objects, start=1)
    ]


def insert_limit(*, package: _ParsedPackage, workspace: Workspace, user: Any) -> list[float]:
    """Seconds to bulk-insert, in one transaction, the rows an import of ``package`` writes."""
    now = timezone.now()
    with timed() as elapsed, transaction.atomic():
        job_dirs = _directories(workspace, Category.JOB, {_directory(j.document) for j in package.jobs})
        script_dirs = _directories(
            workspace, Category.SCRIPT, {_directory(s.document) for s in package.scripts}
        )
        resource_dirs = _directories(
            workspace, Category.RESOURCE, {_directory(r.document) for r in package.resources}
        )
        EnvironmentVariable.objects.bulk_create(
            [
                EnvironmentVariable(workspace=workspace, name=v["name"], value=v.get("value") or "")
                for v in package.environment or []
            ]
        )
        Resource.objects.bulk_create(
            [
                Resource(
                    workspace=workspace,
                    name=r.name,
                    directory=resource_dirs.get(_directory(r.document)),
                    type=r.document["type"],
                    location=r.document["location"],
                    document=r.document,
                    created_by=user,
                )
                for r in package.resources
            ],
            batch_size=BATCH,
        )
        scripts = Script.objects.bulk_create(
            [
                Script(
                    workspace=workspace,
                    name=s.name,
                    directory=script_dirs.get(_directory(s.document)),
                    document=s.document,
                    owner=user.username,
                    type=s.document["type"],
                    connection_name=s.document.get("connectionName") or "",
                    lock_holder=user,
                    locked_at=now,
                    submitted_revision=1,
                    created_by=user,
                    updated_by=user,
                )
                for s in package.scripts
            ],
            batch_size=BATCH,
        )
        ScriptVersion.objects.bulk_create(
            [
                ScriptVersion(
                    script=s, kind=VersionKind.SUBMITTED, number=1, document=s.document, created_by=user
                )
                for s in scripts
            ],
            batch_size=BATCH,
        )
        jobs = Job.objects.bulk_create(
            [
                Job(
                    workspace=workspace,
                    name=j.name,
                    directory=job_dirs.get(_directory(j.document)),
                    document=j.document,
                    owner=user.username,
                    process_type=j.document.get("processType") or "BATCH",
                    node_count=len(j.document.get("nodes") or []),
                    lock_holder=user,
                    locked_at=now,
                    submitted_revision=1,
                    created_by=user,
                    updated_by=user,
                )
                for j in package.jobs
            ],
            batch_size=BATCH,
        )
        JobVersion.objects.bulk_create(
            [
                JobVersion(job=j, kind=VersionKind.SUBMITTED, number=1, document=j.document, created_by=user)
                for j in jobs
            ],
            batch_size=BATCH,
        )
        task = SystemTask.objects.create(
            workspace=workspace,
            kind=TaskKind.IMPORT,
            name="limit",
            status=TaskStatus.SUCCESSFUL,
            created_by=user,
        )
        objects = [("environment_variable", str(v["name"])) for v in package.environment or []]
        objects += [("resource", r.name) for r in package.resources]
        objects += [("script", s.name) for s in package.scripts] + [("job", j.name) for j in package.jobs]
        SubTask.objects.bulk_create(_subtasks(task, objects, "created"), batch_size=BATCH)
    return elapsed


def overwrite_limit(*, package: _ParsedPackage, workspace: Workspace, user: Any) -> list[float]:
    """Seconds to overwrite, in one transaction, what ``insert_limit`` wrote: new documents and revisions
    with ``bulk_update``, a new submitted version each and the subtasks with ``bulk_create``."""
    now = timezone.now()
    with timed() as elapsed, transaction.atomic():
        resources = {r.name: r for r in Resource.objects.filter(workspace=workspace).select_for_update()}
        for r in package.resources:
            resources[r.name].document = r.document
            resources[r.name].updated_at = now
        Resource.objects.bulk_update(list(resources.values()), ["document", "updated_at"], batch_size=BATCH)
        fields = ["document", "revision", "submitted_revision", "lock_holder", "locked_at", "updated_at"]
        written: dict[type, list[Any]] = {}
        for model, items in ((Script, package.scripts), (Job, package.jobs)):
            rows = {
                o.name: o
                for o in model.objects.filter(workspace=workspace).select_for_update().defer("document")
            }
            changed = []
            for item in items:
                obj = rows[item.name]
                obj.document = item.document
                obj.revision += 1
                obj.submitted_revision = obj.revision
                obj.lock_holder, obj.locked_at, obj.updated_at = user, now, now
                changed.append(obj)
            model.objects.bulk_update(changed, fields, batch_size=BATCH)
            written[model] = changed
        ScriptVersion.objects.bulk_create(
            [
                ScriptVersion(
                    script=s, kind=VersionKind.SUBMITTED, number=2, document=s.document, created_by=user
                )
                for s in written[Script]
            ],
            batch_size=BATCH,
        )
        JobVersion.objects.bulk_create(
            [
                JobVersion(job=j, kind=VersionKind.SUBMITTED, number=2, document=j.document, created_by=user)
                for j in written[Job]
            ],
            batch_size=BATCH,
        )
        task = SystemTask.objects.create(
            workspace=workspace,
            kind=TaskKind.IMPORT,
            name="limit",
            status=TaskStatus.SUCCESSFUL,
            created_by=user,
        )
        objects = [("resource", r.name) for r in package.resources]
        objects += [("script", s.name) for s in package.scripts] + [("job", j.name) for j in package.jobs]
        SubTask.objects.bulk_create(_subtasks(task, objects, "overwritten"), batch_size=BATCH)
    return elapsed


@dataclass(frozen=True)
class _Parsed:
    name: str
    document: dict[str, Any]


@dataclass(frozen=True)
class _ParsedPackage:
    """The package's objects with their documents parsed once, in memory: the limits write rows from
    these without paying for reading or parsing (``Package`` parses an entry each time it is read)."""

    jobs: list[_Parsed]
    scripts: list[_Parsed]
    resources: list[_Parsed]
    environment: list[dict[str, Any]] | None


def _package(bench: Bench) -> _ParsedPackage:
    """The package as the reader sees it (read once, untimed): the rows of the limits come from it."""
    if "package" not in bench.cache:
        # The console's own limits (settings), which the bench raises to fit N as the import reads them.
        with package_read(source=package_ensure(bench), limits=package_limits()) as package:
            jobs, scripts, resources = (
                [_Parsed(o.name, o.document) for o in objects]
                for objects in (package.jobs, package.scripts, package.resources)
            )
            bench.cache["package"] = _ParsedPackage(jobs, scripts, resources, package.environment)
    return bench.cache["package"]


def _limit(bench: Bench, which: str) -> list[float]:
    """[wall, CPU] seconds of the raw limit ``which`` ("insert" or "overwrite")."""
    package = _package(bench)
    workspace = Workspace.objects.get(pk=bench.world.limit_id)
    user = bench.world.admin
    if "insert" not in bench.limit_state:
        timings = insert_limit(package=package, workspace=workspace, user=user)
        bench.limit_state.add("insert")
        if which == "insert":
            return timings
    return overwrite_limit(package=package, workspace=workspace, user=user)


# --- the cases ----------------------------------------------------------------------------------------


def _result(bench: Bench, *, seconds: float, measured: dict[str, Any], limit: list[float]) -> Result:
    package = _package(bench)
    detail = measured["detail"]
    detail["limit_cpu_seconds"] = round(limit[1], 3)
    detail.update(jobs=len(package.jobs), scripts=len(package.scripts), resources=len(package.resources))
    return Result(
        n=len(package.jobs),
        seconds=seconds,
        limit_seconds=limit[0],
        peak_rss_mb=measured["peak_rss_mb"],
        queries=measured["queries"],
        detail=detail,
    )


def import_case(bench: Bench) -> Result:
    workspace = Workspace.objects.get(pk=bench.world.target_id)
    if Job.objects.filter(workspace=workspace).exists():
        raise BenchError("bench_target is not empty: the import benchmark needs a freshly generated database")
    seconds, measured, _ = _import(bench, workspace=workspace)
    bench.limit_state.add("imported")
    return _result(bench, seconds=seconds, measured=measured, limit=_limit(bench, "insert"))


def import_overwrite_case(bench: Bench) -> Result:
    workspace = Workspace.objects.get(pk=bench.world.target_id)
    if "imported" not in bench.limit_state:  # `--only import_overwrite`: populate the target first, untimed
        _import(bench, workspace=workspace)
        bench.limit_state.add("imported")
    seconds, measured, task = _import(bench, workspace=workspace)
    # For import_undo, which undoes this import and is measured against its apply.
    bench.cache["overwrite"] = (task.pk, measured["detail"]["apply_seconds"], len(_package(bench).jobs))
    return _result(bench, seconds=seconds, measured=measured, limit=_limit(bench, "overwrite"))
