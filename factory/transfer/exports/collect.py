"""Export, pass 1 (``export_collect``): read the selected documents once to learn the jobs they call, what
they depend on and the manifest's references, checking every document as the writer will."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

from factory.development.models import Category
from factory.development.nodes import (
    CONNECTION,
    ENVIRONMENT_VARIABLE,
    RESOURCE,
    SCRIPT,
    job_sensitive_properties_flag,
    reference_is_call,
    script_references,
)
from factory.errors import ErrorCode, ValidationError
from factory.packages import (
    ConnectionEntry,
    Layout,
    PackageError,
    ResourceEntry,
    connection_document_validate,
    environment_document_validate,
    job_document_redact,
    job_document_validate,
    job_entry_prepare,
    resource_document_validate,
    script_document_validate,
    script_entry_prepare,
)
from factory.packages.deflater import Deflater
from factory.packages.write import DEFLATE_LEVEL
from factory.transfer import selectors
from factory.transfer.exports import selection as export_selection
from factory.transfer.exports.cache import CachedEntry, EntryCache, Keep
from factory.transfer.exports.contents import (
    ExportContents,
    ExportIndex,
    PreparedSpool,
    _config_without_secrets,
    _job_references,
    _named,
)
from factory.transfer.exports.selection import (
    JOBS_ONLY,
    WITH_DEPENDENCIES,
    ExportSelection,
    names_text,
)
from factory.workspaces.models import Workspace

# --- pass 1: what the package holds ------------------------------------------------------------------


class _Collector:
    """Accumulates, per job, what it refers to; the documents themselves are not kept.

    Every job is checked as the writer will check it, so that a download streamed to a browser fails
    before its first byte rather than halfway. With ``spool`` (a background export), each job is prepared
    for the package right away (:func:`job_entry_prepare` checks it on the way) and its bytes kept on
    disk for pass 2, which then reads no document a second time."""

    def __init__(
        self, *, scope: str, index: ExportIndex, layout: Layout = "batch", spool: PreparedSpool | None = None
    ) -> None:
        self.scope = scope
        self.layout = layout
        self.spool = spool
        # The references, by kind, and the jobs called (SubJob / For Each: the export closure).
        self.index = index
        # The scripts each job uses, for a download's second pass (a spool keeps its jobs' own).
        self.job_scripts: dict[str, tuple[str, ...]] = {}

    def _note(self, kind: str, name: str, connection_type: str | None, call: bool) -> None:
        self.index.reference_add(kind, name, connection_type if kind == CONNECTION else None, call)

    def read(self, read: _Read, *, spool: PreparedSpool | None = None) -> None:
        """A job (or, with ``spool``, a script) as :func:`_objects` read it."""
        add = self.job if read.category == Category.JOB else partial(self.script, spool=spool)
        if read.entry is None:
            add(name=read.name, document=read.document or {}, keep=read.keep)
            return
        entry = read.entry
        scripts = set()
        for kind, name, connection_type, call in entry.references:
            self._note(kind, name, connection_type, call)
            if kind == SCRIPT:
                scripts.add(name)
        target = self.spool if read.category == Category.JOB else spool
        assert target is not None  # entries are looked up for spooled exports only
        extra = tuple(sorted(scripts)) if read.category == Category.JOB else None
        target.add_deflated(
            entry.name, deflated=entry.deflated, size=entry.size, sha256=entry.sha256, extra=extra
        )

    def job(self, *, name: str, document: dict[str, Any], keep: KeepFor | None = None) -> None:
        """Note what a job refers to (and the scripts the batch layout places beside it), after checking
        that its exported form is a valid document."""
        redacted = job_document_redact(document=job_sensitive_properties_flag(document))
        exported = dict(redacted, name=name)
        if self.scope == JOBS_ONLY:
            exported = {key: value for key, value in exported.items() if key not in ("schedule", "params")}
        if self.spool is None:
            _validated("job", name, job_document_validate, exported)
        scripts = set()
        noted: set[tuple[str, str, str | None, bool]] = set()
        for ref in _job_references(document=redacted, scope=self.scope):
            connection_type = ref.connection_type if ref.kind == CONNECTION else None
            noted.add((ref.kind, ref.name, connection_type, reference_is_call(ref)))
            if ref.kind == SCRIPT:
                scripts.add(ref.name)
        for note in noted:
            self._note(*note)
        job_scripts = tuple(sorted(scripts))
        if self.spool is None:
            self.job_scripts[name] = job_scripts
        else:
            try:
                prepared = job_entry_prepare(
                    layout=self.layout, name=name, document=exported, scripts=job_scripts
                )
            except PackageError as exc:
                exc.entry = None  # worded as the first pass of a download words it: no zip path
                raise ValidationError(
                    f"The job {name} cannot be exported: {exc}", code=ErrorCode.EXPORT_INVALID_DOCUMENT
                ) from exc
            kept = keep([list(note) for note in sorted(noted, key=_note_order)]) if keep else None
            self.spool.add(name, prepared.data, prepared.scripts, keep=kept)

    def script(
        self,
        *,
        name: str,
        document: dict[str, Any],
        spool: PreparedSpool | None = None,
        keep: KeepFor | None = None,
    ) -> None:
        """Note what a script refers to, after checking it as the writer will; with ``spool``, prepared
        for the package and kept there."""
        exported = _named(document, name)
        noted = {
            (ref.kind, ref.name, ref.connection_type if ref.kind == CONNECTION else None, False)
            for ref in script_references(exported)
        }
        if spool is None:
            _validated("script", name, script_document_validate, exported)
        else:
            try:
                data = script_entry_prepare(name=name, document=exported)
            except PackageError as exc:
                exc.entry = None  # worded as for a job: no zip path
                raise ValidationError(
                    f"The script {name} cannot be exported: {exc}", code=ErrorCode.EXPORT_INVALID_DOCUMENT
                ) from exc
            kept = keep([list(note) for note in sorted(noted, key=_note_order)]) if keep else None
            spool.add(name, data, keep=kept)
        for note in noted:
            self._note(*note)


KeepFor = Callable[[list[list[Any]]], Keep]


def _note_order(note: tuple[str, str, str | None, bool]) -> tuple[str, str, str, bool]:
    return (note[0], note[1], note[2] or "", note[3])


@dataclass(frozen=True)
class _Read:
    """A job or script as pass 1 reads it: its document (None: never submitted), or the entry an earlier
    export kept for it; with ``keep``, how to keep what it becomes."""

    category: str
    pk: int
    name: str
    document: dict[str, Any] | None = None
    entry: CachedEntry | None = None
    keep: KeepFor | None = None


def _objects(
    *,
    selection: ExportSelection,
    category: str,
    cache: EntryCache | None,
    pks: Collection[int] = (),
    names: Collection[str] = (),
) -> Iterator[_Read]:
    """The jobs or scripts picked by primary key or by name: without a cache, their documents in one
    query; with one, first the entries kept for them (two queries read side by side), then the documents
    of the others (one query). Nothing is held per object but the primary key of those not kept."""
    workspace, status = selection.workspace, selection.request.status
    if cache is None:
        for row in selectors.export_object_rows(
            workspace=workspace, category=category, status=status, pks=pks, names=names
        ):
            yield _Read(category=category, pk=row.pk, name=row.name, document=row.document)
        return
    missing = array("q")
    for source, kept in selectors.export_object_sources_kept(
        workspace=workspace, category=category, status=status, variant=cache.variant, pks=pks, names=names
    ):
        entry = cache.hit(source, kept)
        if entry is None:
            missing.append(source.pk)
        else:
            yield _Read(category=category, pk=entry.pk, name=entry.name, entry=entry)
    for source, document in selectors.export_object_documents(
        workspace=workspace, category=category, status=status, pks=missing
    ):
        keep = partial(cache.keep_for, source) if document is not None else None
        yield _Read(category=category, pk=source.pk, name=source.name, document=document, keep=keep)


def _validated(kind: str, name: str, validate: Callable[..., None], document: Any) -> Any:
    """Check a document as the package writer will, so that a sync export fails before its first byte."""
    try:
        validate(document=document)
    except PackageError as exc:
        raise ValidationError(
            f"The {kind} {name} cannot be exported: {exc}", code=ErrorCode.EXPORT_INVALID_DOCUMENT
        ) from exc
    return document


def _never_submitted(noun: str, names: list[str], *, why: str) -> ValidationError:
    return ValidationError(
        f"These {noun}s{' ' + why if why else ''} have never been submitted, so there is no submitted "
        f"version to export: {names_text(sorted(names))}.",
        code=ErrorCode.NEVER_SUBMITTED,
        fields={f"{noun}s": sorted(names)},
    )


def _resources(*, workspace: Workspace, names: set[str]) -> list[ResourceEntry]:
    entries = []
    for row in selectors.export_resources_by_names(workspace=workspace, names=names):
        document = _named(row["document"], row["name"])
        document.setdefault("type", row["type"])
        document.setdefault("location", row["location"])
        entries.append(
            ResourceEntry(
                name=row["name"],
                document=_validated("resource", row["name"], resource_document_validate, document),
            )
        )
    return entries


def _connections(*, workspace: Workspace, names: set[str]) -> list[ConnectionEntry]:
    entries = []
    for row in selectors.export_connections_by_names(workspace=workspace, names=names):
        document = {
            "name": row["name"],
            "type": row["type"],
            "config": _config_without_secrets(row["config"] or {}, set(row["secret_fields"] or ())),
            "description": row["description"] or "",
        }
        entries.append(
            ConnectionEntry(
                name=row["name"],
                document=_validated("data connection", row["name"], connection_document_validate, document),
            )
        )
    return entries


def _environment(*, workspace: Workspace, names: set[str]) -> list[dict[str, Any]] | None:
    variables = [
        {"name": row["name"], "value": row["value"] or "", "description": row["description"] or ""}
        for row in selectors.export_environment_by_names(workspace=workspace, names=names)
    ]
    if not variables:
        return None
    return cast(
        list[dict[str, Any]],
        _validated("environment variables", "list", environment_document_validate, variables),
    )


def export_collect(
    *, selection: ExportSelection, spool_jobs: bool = False, deflate_processes: int = 0
) -> ExportContents:
    """The first pass: read the selected documents once to learn the jobs they call (with dependencies:
    the transitive closure of SubJob and For Each nodes, one query per round of newly found names, safe
    against cycles), the scripts, resources, data connections and environment variables they need, and
    the references for the manifest. Every document is checked as the writer will check it, so that
    errors come before the first byte. What every entry leaves for pass 2 waits in an
    :class:`ExportIndex` and the spools, on disk; jobs are kept by primary key only.

    ``spool_jobs`` prepares the jobs for the package now and keeps them on disk (see
    :class:`_Collector`), for an export nobody waits on byte by byte; with ``deflate_processes`` they are
    deflated meanwhile by a helper process (see :class:`PreparedSpool`). The caller closes the contents
    (:meth:`ExportContents.close`) when the package is written, or lets ``export_stream`` do it."""
    deflater = Deflater(level=DEFLATE_LEVEL) if deflate_processes > 0 else None
    index = ExportIndex()
    job_spool = None
    if spool_jobs and selection.category != Category.SCRIPT:
        request = selection.request
        job_cache = EntryCache(
            workspace=selection.workspace, category=Category.JOB, status=request.status, scope=request.scope
        )
        job_spool = PreparedSpool("factory-export-jobs-", deflater, index=index, cache=job_cache)
    try:
        return _collect(selection=selection, index=index, job_spool=job_spool, deflater=deflater)
    except BaseException:
        if job_spool is not None:
            job_spool.close()
        index.close()
        raise
    finally:
        if deflater is not None:
            deflater.close()  # what pass 1 did not deflate, pass 2 deflates with its own


def _collect(
    *,
    selection: ExportSelection,
    index: ExportIndex,
    job_spool: PreparedSpool | None,
    deflater: Deflater | None,
) -> ExportContents:
    request = selection.request
    workspace = selection.workspace
    with_dependencies = request.scope == WITH_DEPENDENCIES
    collector = _Collector(scope=request.scope, index=index, layout=selection.layout, spool=job_spool)

    if selection.category == Category.SCRIPT:
        for row in selectors.export_object_rows(
            workspace=workspace, category=Category.SCRIPT, status=request.status, pks=selection.pks
        ):
            collector.script(name=row.name, document=row.document or {})
        contents = ExportContents(pks=list(selection.pks), names=list(selection.names), index=index)
        if with_dependencies:
            contents.connections = _connections(workspace=workspace, names=set(index.names(CONNECTION)))
        return contents

    pks = list(selection.pks)
    exported_names = list(selection.names)
    names = set(selection.names)
    job_cache = job_spool.cache if job_spool is not None else None
    for read in _objects(selection=selection, category=Category.JOB, cache=job_cache, pks=selection.pks):
        collector.read(read)

    if with_dependencies:
        pending = {name for name in index.called() if name not in names}
        while pending:
            never: list[str] = []
            for read in _objects(selection=selection, category=Category.JOB, cache=job_cache, names=pending):
                if read.document is None and read.entry is None:
                    never.append(read.name)
                    continue
                pks.append(read.pk)
                exported_names.append(read.name)
                collector.read(read)
            if never:
                raise _never_submitted("job", never, why="(called by SubJob or For Each nodes)")
            names |= pending  # called jobs that do not exist stay references for the import to map
            pending = {name for name in index.called() if name not in names}
        if len(pks) > export_selection.EXPORT_MAX_OBJECTS:
            raise ValidationError(
                f"With the jobs they call, the selected jobs come to {len(pks)}; at most "
                f"{export_selection.EXPORT_MAX_OBJECTS} can be exported at once.",
                code=ErrorCode.EXPORT_TOO_LARGE,
            )

    if job_spool is not None:
        job_spool.finish()
    contents = ExportContents(
        pks=pks,
        names=sorted(exported_names),
        index=index,
        job_scripts=collector.job_scripts,
        job_spool=job_spool,
    )
    if with_dependencies:
        script_cache = None
        if job_spool is not None:
            script_cache = EntryCache(workspace=workspace, category=Category.SCRIPT, status=request.status)
        contents.spool = PreparedSpool("factory-export-scripts-", deflater, index=index, cache=script_cache)
        never = []
        for read in _objects(
            selection=selection, category=Category.SCRIPT, cache=script_cache, names=index.wanted(SCRIPT)
        ):
            if read.document is None and read.entry is None:
                never.append(read.name)
                continue
            collector.read(read, spool=contents.spool)
        if never:
            raise _never_submitted("script", never, why="(used by the exported jobs)")
        contents.spool.finish()
        contents.scripts = contents.spool.scripts()
        contents.resources = _resources(workspace=workspace, names=set(index.names(RESOURCE)))
        contents.connections = _connections(workspace=workspace, names=set(index.names(CONNECTION)))
        contents.environment = _environment(workspace=workspace, names=set(index.names(ENVIRONMENT_VARIABLE)))
    return contents
