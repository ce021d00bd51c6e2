"""Exports at scale: the number of SQL queries does not grow with the number of jobs, and neither does the
memory the stream holds (the zip is written as it is produced)."""

from __future__ import annotations

import tracemalloc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factory.connections.models import DataConnection
from factory.development.models import (
    Directory,
    EnvironmentVariable,
    Job,
    JobVersion,
    Resource,
    Script,
    ScriptVersion,
)
from factory.errors import ValidationError
from factory.transfer.exports import (
    WITH_DEPENDENCIES,
    ExportRequest,
    export_collect,
    export_select,
    export_stream,
)
from factory.workspaces.models import Workspace
from tests.builders import job_document, node, script_document, workspace_make
from tests.transfer.exporting import zip_entries

pytestmark = pytest.mark.django_db


def workspace_of(n: int, *, name: str, padding: int = 0, submitted: bool = True) -> Workspace:
    """``n`` caller jobs in /callers, each running a callee job (outside the directory) through a SubJob
    node, using one of five scripts, a resource, a connection and an environment variable; every job
    and script submitted once. Built in bulk: what is measured is the export, not the setup."""
    ws = workspace_make(name)
    callers = Directory.objects.create(workspace=ws, category="job", name="callers", path="/callers", depth=1)
    DataConnection.objects.create(
        workspace=ws, name="c0", type="DWS", config={"host": "h"}, secrets_encrypted="x"
    )
    Resource.objects.create(
        workspace=ws, name="r0", type="jar", location="obs://b/r0.jar", document={"name": "r0", "type": "jar"}
    )
    EnvironmentVariable.objects.create(workspace=ws, name="E1", value="one")
    scripts = Script.objects.bulk_create(
        Script(
            workspace=ws,
            name=f"s{i}",
            type="DWSSQL",
            document=script_document(f"s{i}", connection="c0", directory="/sql", content=f"SELECT 's{i}';"),
        )
        for i in range(5)
    )
    ScriptVersion.objects.bulk_create(
        ScriptVersion(script=s, kind="submitted", number=1, document=s.document) for s in scripts
    )
    jobs = []
    for i in range(n):
        caller = job_document(
            f"caller{i:04d}",
            directory="/callers",
            nodes=[
                node(
                    "sql", "DWSSQL", {"scriptName": f"s{i % 5}", "connectionName": "c0", "database": "${E1}"}
                ),
                node("sub", "SubJob", {"subJobName": f"callee{i:04d}"}),
                node("spark", "DLISpark", {"clusterName": "q", "jobName": "j", "resourceName": "r0"}),
            ],
            description="x" * padding,
        )
        callee = job_document(f"callee{i:04d}", directory="/", nodes=[node("d", "Dummy", {})])
        jobs.append(Job(workspace=ws, name=caller["name"], directory=callers, document=caller, node_count=3))
        jobs.append(Job(workspace=ws, name=callee["name"], document=callee, node_count=1))
    jobs = Job.objects.bulk_create(jobs)
    if submitted:
        JobVersion.objects.bulk_create(
            JobVersion(job=j, kind="submitted", number=1, document=j.document) for j in jobs
        )
    return ws


def export_all(ws: Workspace, **request) -> tuple[int, bytes]:
    """The number of queries of a whole export (select, collect, stream consumed) and its bytes."""
    with CaptureQueriesContext(connection) as queries:
        selection = export_select(
            workspace=ws, request=ExportRequest(directory_paths=("/callers",), **request)
        )
        contents = export_collect(selection=selection)
        data = b"".join(export_stream(selection=selection, contents=contents, user=None))
    return len(queries.captured_queries), data


@pytest.mark.parametrize(
    "request_", [{}, {"scope": WITH_DEPENDENCIES, "status": "submit"}], ids=["jobs_only", "with_dependencies"]
)
def test_query_count_does_not_grow_with_the_number_of_jobs(request_, django_assert_max_num_queries):
    small, large = workspace_of(10, name="small"), workspace_of(300, name="large")

    few, few_data = export_all(small, **request_)
    with django_assert_max_num_queries(few):
        many, many_data = export_all(large, **request_)

    assert many == few
    jobs = [p for p in zip_entries(many_data) if p.endswith(".job")]
    expected = 600 if request_ else 300  # with dependencies the called jobs come along
    assert len(jobs) == expected
    assert len([p for p in zip_entries(few_data) if p.endswith(".job")]) == expected // 30


def test_query_count_does_not_grow_with_the_number_of_exclusions(django_assert_max_num_queries):
    """A ticked directory with most of its jobs unticked: the exclusions ride in the one selection query."""
    ws = workspace_of(300, name="excluded")
    callers = list(Job.objects.filter(workspace=ws, directory__path="/callers").order_by("name"))

    few, _ = export_all(ws, exclude_job_ids=tuple(j.pk for j in callers[:5]))
    with django_assert_max_num_queries(few):
        many, data = export_all(ws, exclude_job_ids=tuple(j.pk for j in callers[:290]))

    assert many == few
    assert sorted(p for p in zip_entries(data) if p.endswith(".job")) == [
        f"jobs/{j.name}/{j.name}.job" for j in callers[290:]
    ]


def _peak_while_streaming(ws: Workspace) -> tuple[int, int]:
    selection = export_select(workspace=ws, request=ExportRequest(directory_paths=("/callers",)))
    contents = export_collect(selection=selection)
    tracemalloc.start()
    try:
        size = sum(len(chunk) for chunk in export_stream(selection=selection, contents=contents, user=None))
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


def test_memory_while_streaming_does_not_grow_with_the_package():
    small = workspace_of(150, name="mem-small", padding=20_000, submitted=False)
    large = workspace_of(1200, name="mem-large", padding=20_000, submitted=False)

    small_peak, small_size = _peak_while_streaming(small)
    large_peak, large_size = _peak_while_streaming(large)

    assert large_size > 7 * small_size  # the package is eight times larger...
    assert large_peak < 2 * small_peak  # ...the memory held while writing it is not,
    assert large_peak < 1200 * 20_000 / 4  # and it is a fraction of the documents written


def _big_scripts_workspace(n_scripts: int, *, size: int) -> Workspace:
    """One job per script, each script ``size`` characters of SQL, all submitted."""
    ws = workspace_make(f"scripts-{n_scripts}")
    DataConnection.objects.create(
        workspace=ws, name="c0", type="DWS", config={"host": "h"}, secrets_encrypted="x"
    )
    scripts = Script.objects.bulk_create(
        Script(
            workspace=ws,
            name=f"s{i:04d}",
            type="DWSSQL",
            document=script_document(
                f"s{i:04d}", connection="c0", directory="/sql", content=f"-- {i}\n" + "x" * size
            ),
        )
        for i in range(n_scripts)
    )
    ScriptVersion.objects.bulk_create(
        ScriptVersion(script=s, kind="submitted", number=1, document=s.document) for s in scripts
    )
    jobs = Job.objects.bulk_create(
        Job(
            workspace=ws,
            name=f"j{i:04d}",
            document=job_document(
                f"j{i:04d}", directory="/", nodes=[node("sql", "DWSSQL", {"scriptName": f"s{i:04d}"})]
            ),
            node_count=1,
        )
        for i in range(n_scripts)
    )
    JobVersion.objects.bulk_create(
        JobVersion(job=j, kind="submitted", number=1, document=j.document) for j in jobs
    )
    return ws


def test_the_scripts_of_an_export_wait_on_disk_not_in_memory():
    """A batch export writes every job's scripts beside it, so the first pass hands them all to the second:
    they are spooled to a temporary file, and what the collection holds is a small part of their size."""
    n, size = 300, 20_000
    ws = _big_scripts_workspace(n, size=size)
    request = ExportRequest(everything=True, scope=WITH_DEPENDENCIES, status="submit")
    selection = export_select(workspace=ws, request=request)
    tracemalloc.start()
    try:
        contents = export_collect(selection=selection)
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(contents.scripts) == n
    assert held < n * size / 10  # the scripts are 6 MB of text; the collection holds offsets
    data = b"".join(export_stream(selection=selection, contents=contents, user=None))
    entries = zip_entries(data)
    assert len([p for p in entries if p.endswith(".script")]) == n
    assert contents.spool is not None and contents.spool.closed  # closed once the package is written


def test_a_background_export_writes_the_same_package_as_a_download(monkeypatch):
    """The background path prepares every job in pass 1 and keeps it on disk, and deflates in a helper
    process; the package is byte for byte the one a browser download gets (but for the export time)."""
    from django.utils import timezone

    ws = workspace_of(40, name="same-bytes")
    fixed = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: fixed)
    request = ExportRequest(directory_paths=("/callers",), scope=WITH_DEPENDENCIES, status="submit")

    selection = export_select(workspace=ws, request=request)
    download = b"".join(
        export_stream(selection=selection, contents=export_collect(selection=selection), user=None)
    )
    selection = export_select(workspace=ws, request=request)
    contents = export_collect(selection=selection, spool_jobs=True, deflate_processes=1)
    assert contents.job_spool is not None and len(contents.job_spool) == 80  # the callers and the called
    assert all(job.deflated for job in contents.job_spool.jobs()), "deflated in pass 1 by the helper"
    background = b"".join(
        export_stream(selection=selection, contents=contents, user=None, deflate_processes=1)
    )
    assert background == download
    assert contents.job_spool.closed


def test_a_background_export_refuses_an_invalid_job_before_writing_anything():
    ws = workspace_of(5, name="invalid-bg")
    broken = Job.objects.get(workspace=ws, name="caller0003")
    JobVersion.objects.filter(job=broken).update(document={**broken.document, "processType": "NOT_A_TYPE"})
    selection = export_select(
        workspace=ws,
        request=ExportRequest(directory_paths=("/callers",), scope=WITH_DEPENDENCIES, status="submit"),
    )
    with pytest.raises(ValidationError, match="The job caller0003 cannot be exported") as caught:
        export_collect(selection=selection, spool_jobs=True)
    assert "processType" in caught.value.message


@pytest.mark.parametrize("background", [False, True], ids=["download", "background"])
def test_many_names_are_read_by_a_merge_in_name_order_and_give_the_same_package(monkeypatch, background):
    """Above ``MAX_IN_NAMES`` names (the scripts the jobs use, the jobs they call) an export reads the whole
    workspace in name order and keeps the rows whose names come in the same order from the export's index:
    the package is byte for byte the one an ``IN (...)`` list gives. The background path also reads the
    entries kept by the first export beside the sources (the second export copies them)."""
    from django.utils import timezone

    from factory.transfer import selectors

    ws = _big_scripts_workspace(12, size=100)  # the other eight scripts must stay out of the package
    fixed = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: fixed)
    request = ExportRequest(
        job_names=("j0001", "j0003", "j0007", "j0011"), scope=WITH_DEPENDENCIES, status="submit"
    )

    def package() -> bytes:
        selection = export_select(workspace=ws, request=request)
        contents = export_collect(selection=selection, spool_jobs=background, deflate_processes=0)
        data = b"".join(export_stream(selection=selection, contents=contents, user=None))
        contents.close()
        return data

    listed = package()
    monkeypatch.setattr(selectors, "MAX_IN_NAMES", 2)
    merged, again = package(), package()

    assert merged == listed and again == listed
    assert sorted(p for p in zip_entries(merged) if p.endswith(".script")) == [
        f"jobs/j{i:04d}/s{i:04d}.script" for i in (1, 3, 7, 11)
    ]
