"""Export, pass 2 (``export_stream``): the package's bytes, produced as the documents are read again,
chunk by chunk, redacted, and handed to the package writer. Memory does not grow with the package."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import cast

from django.contrib.auth.models import User
from django.utils import timezone

from factory.development.models import Category
from factory.packages import (
    JobEntry,
    JobStatus,
    ManifestInfo,
    PreparedJob,
    PreparedScript,
    Scope,
    ScriptEntry,
    package_write,
)
from factory.transfer import selectors
from factory.transfer.exports.collect import _never_submitted
from factory.transfer.exports.contents import (
    ExportContents,
    _named,
    job_document_export,
)
from factory.transfer.exports.selection import (
    WITH_DEPENDENCIES,
    ExportSelection,
)

# --- pass 2: the package -----------------------------------------------------------------------------


def _job_entries(
    *, selection: ExportSelection, contents: ExportContents, progress: Callable[[int], None] | None
) -> Iterator[JobEntry | PreparedJob]:
    request = selection.request
    with_scripts = request.scope == WITH_DEPENDENCIES
    if contents.job_spool is not None:
        # The batch layout's scripts beside each job are found in their spool as the job is written.
        beside = contents.spool if with_scripts and selection.layout == "batch" else None
        for done, job in enumerate(contents.job_spool.jobs(beside=beside), start=1):
            yield (
                job
                if with_scripts
                else PreparedJob(name=job.name, data=job.data, deflated=job.deflated, sha256=job.sha256)
            )
            if progress is not None:
                progress(done)
        return
    rows = selectors.export_object_rows(
        workspace=selection.workspace, category=Category.JOB, status=request.status, pks=contents.pks
    )
    for done, row in enumerate(rows, start=1):
        if row.document is None:  # submitted versions deleted since the first pass
            raise _never_submitted("job", [row.name], why="")
        document = job_document_export(document=row.document, scope=request.scope, name=row.name)
        scripts = list(contents.job_scripts.get(row.name, ())) if with_scripts else []
        yield JobEntry(name=row.name, document=document, scripts=scripts)
        if progress is not None:
            progress(done)


def _script_entries(
    *, selection: ExportSelection, contents: ExportContents, progress: Callable[[int], None] | None
) -> Iterator[ScriptEntry]:
    rows = selectors.export_object_rows(
        workspace=selection.workspace,
        category=Category.SCRIPT,
        status=selection.request.status,
        pks=contents.pks,
    )
    for done, row in enumerate(rows, start=1):
        if row.document is None:  # submitted versions deleted since the first pass
            raise _never_submitted("script", [row.name], why="")
        yield ScriptEntry(name=row.name, document=_named(row.document, row.name))
        if progress is not None:
            progress(done)


def export_stream(
    *,
    selection: ExportSelection,
    contents: ExportContents,
    user: User | None,
    progress: Callable[[int], None] | None = None,
    deflate_processes: int = 0,
) -> Iterator[bytes]:
    """The package's bytes, produced as they are read: one more query for the jobs (or scripts), read in
    chunks and written one at a time, so memory stays flat whatever the size of the package.

    ``progress`` is called with the number of jobs (or scripts) written so far; ``deflate_processes``
    as :func:`~factory.packages.package_write`.
    """
    request = selection.request
    manifest = ManifestInfo(
        # Both checked against their lists by export_select.
        scope=cast(Scope, request.scope),
        job_status=cast(JobStatus, request.status),
        workspace=selection.workspace.name,
        user=getattr(user, "username", "") or "",
        exported_at=timezone.now().isoformat(timespec="seconds"),
        references=contents.references,
    )
    if selection.category == Category.SCRIPT:
        jobs: Iterable[JobEntry | PreparedJob] = ()
        scripts: Iterable[ScriptEntry | PreparedScript] = _script_entries(
            selection=selection, contents=contents, progress=progress
        )
    else:
        jobs = _job_entries(selection=selection, contents=contents, progress=progress)
        scripts = contents.scripts
        if contents.job_spool is not None and contents.spool is not None and selection.layout == "batch":
            scripts = contents.spool.loose()  # the others come with the jobs they are beside
    try:
        yield from package_write(
            layout=selection.layout,
            jobs=jobs,
            scripts=scripts,
            resources=contents.resources,
            connections=contents.connections,
            environment=contents.environment,
            manifest=manifest,
            deflate_processes=deflate_processes,
        )
    finally:
        contents.spools_close()  # the references stay readable until the contents are closed (or collected)
