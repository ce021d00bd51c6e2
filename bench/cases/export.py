"""Export of the whole source workspace, with dependencies, to a zip in the Download Center.

Two benchmarks: ``export_first``, the first export of the workspace, which prepares every entry (parse,
redact, check, serialize, deflate) and keeps it (``factory.transfer.exports.cache``); and ``export``, an
export of the same unchanged workspace, which copies the kept entries (what every later export of
unchanged jobs costs). ``export`` alone (``--only export``) runs an unmeasured first export when nothing
is kept yet.

Measured: the console's path for a large export. ``export_select`` and ``export_task_create`` in this
process (what the API view does), then the ``transfer.export_run`` task in the Celery worker, which writes
the package to default storage; wall time runs from the request until the task row says SUCCESSFUL.
Queries: this process's plus the task's (counted in the worker). Peak memory: the worker's pool process.

The limit: the same entries (the same bytes, the same deflate level) written with ``zipfile`` from memory
to a local file in one loop, timed in the same run.
"""

from __future__ import annotations

import shutil
import zipfile
import zlib
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage

from bench.cases import Bench, Result
from bench.measure import counting, mb, timed
from bench.runtime import BenchError
from factory.transfer.exports import WITH_DEPENDENCIES, ExportRequest, export_select, export_task_create
from factory.transfer.models import ExportArtifact, JobExportEntry, ScriptExportEntry, TaskStatus
from factory.workspaces.models import Workspace

FINISHED = (TaskStatus.SUCCESSFUL, TaskStatus.FAILED)


def deflate_level(infos: list[zipfile.ZipInfo], entries: list[tuple[str, bytes]]) -> int:
    """The zlib level that reproduces the package's compressed sizes (stream_zip's default is 9)."""
    samples = [
        (info, data)
        for info, (_, data) in zip(infos, entries, strict=True)
        if info.compress_type == zipfile.ZIP_DEFLATED and len(data) > 512
    ][:8]
    for level in (9, 6, 1, 2, 3, 4, 5, 7, 8):
        sizes = []
        for _, data in samples:
            compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
            sizes.append(len(compressor.compress(data) + compressor.flush()))
        if all(size == info.compress_size for size, (info, _) in zip(sizes, samples, strict=True)):
            return level
    return 9


def zip_limit(package: Path, out: Path) -> tuple[list[float], dict[str, Any]]:
    """[wall, CPU] seconds to write the package's entries with ``zipfile`` from memory, and what was written."""
    with zipfile.ZipFile(package) as archive:
        infos = archive.infolist()
        entries = [(info.filename, archive.read(info)) for info in infos]
    level = deflate_level(infos, entries)
    with timed() as elapsed:
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
            for name, data in entries:
                archive.writestr(name, data)
    limit_size = out.stat().st_size
    out.unlink()
    return elapsed, {
        "entries": len(entries),
        "uncompressed_bytes": sum(len(data) for _, data in entries),
        "deflate_level": level,
        "limit_zip_bytes": limit_size,
    }


def package_copy(artifact: ExportArtifact, target: Path) -> None:
    with default_storage.open(artifact.storage_name, "rb") as source, open(target, "wb") as out:
        shutil.copyfileobj(source, out, 1024 * 1024)


def _export(bench: Bench, *, what: str) -> Result:
    world = bench.world
    workspace = Workspace.objects.get(pk=world.source_id)
    user = world.admin
    request = ExportRequest(everything=True, scope=WITH_DEPENDENCIES)
    mark = bench.tasks.stats.mark()
    with timed() as wall:
        with counting() as here:
            selection = export_select(workspace=workspace, request=request)
            task = export_task_create(selection=selection, user=user)
        task = bench.tasks.wait(task.pk, FINISHED)
    if task.status != TaskStatus.SUCCESSFUL:
        raise BenchError(f"the export failed: {task.message}")
    runs = list(bench.tasks.stats.of_task(mark, task.pk, {"transfer.export_run"}).values())
    if not runs:
        raise BenchError("the export task reported no figures (is the worker running bench.celery_app?)")
    artifact = ExportArtifact.objects.get(task=task)
    package = bench.workdir / artifact.file_name
    package_copy(artifact, package)
    bench.package = package
    limit, written = zip_limit(package, bench.workdir / "limit.zip")
    peaks = [run.peak_rss_kb for run in runs if run.peak_rss_kb is not None]
    return Result(
        n=len(selection.pks),
        seconds=wall[0],
        limit_seconds=limit[0],
        peak_rss_mb=mb(max(peaks)) if peaks else None,
        queries=here.queries + sum(run.queries for run in runs),
        detail={
            "what": f"all jobs of bench_source with dependencies, background export to the Download Center, {what}",
            "zip_bytes": package.stat().st_size,
            "task_seconds": round(sum(run.seconds for run in runs), 3),
            "task_cpu_seconds": round(sum(run.cpu_seconds for run in runs), 3),
            "limit_cpu_seconds": round(limit[1], 3),
            "queries_web": here.queries,
            "queries_task": sum(run.queries for run in runs),
            "queries_task_progress_updates": sum(run.progress_updates for run in runs),
            "peak_rss_where": "this process" if bench.tasks.eager else "the worker's pool process",
            **written,
        },
    )


def _kept(workspace_id: int) -> int:
    return (
        JobExportEntry.objects.filter(job__workspace_id=workspace_id).count()
        + ScriptExportEntry.objects.filter(script__workspace_id=workspace_id).count()
    )


def export_first_case(bench: Bench) -> Result:
    """The first export: nothing kept (what an earlier run kept is dropped first)."""
    JobExportEntry.objects.filter(job__workspace_id=bench.world.source_id).delete()
    ScriptExportEntry.objects.filter(script__workspace_id=bench.world.source_id).delete()
    result = _export(bench, what="the first: every entry prepared and kept")
    result.detail["kept_entries_after"] = _kept(bench.world.source_id)
    return result


def export_case(bench: Bench) -> Result:
    """An export of the unchanged workspace, from the entries the first one kept."""
    warmed = False
    if not _kept(bench.world.source_id):
        _export(bench, what="unmeasured, to keep the entries")
        warmed = True
    kept = _kept(bench.world.source_id)
    result = _export(bench, what="again, unchanged: the kept entries copied")
    result.detail["kept_entries"] = kept
    result.detail["unmeasured_first_export_run"] = warmed
    return result
