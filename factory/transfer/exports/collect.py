"""Export, pass 1 (``export_collect``): read the selected documents once to learn the jobs they call, what
they depend on and the manifest's references, checking every document as the writer will."""

from __future__ import annotations

from collections.abc import Callable
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
from factory.errors import ValidationError
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
from factory.transfer.exports.contents import (
    ExportContents,
    PreparedSpool,
    _config_without_secrets,
    _job_references,
    _named,
    _reference_dict,
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

    def __init__(self, *, scope: str, layout: Layout = "batch", spool: PreparedSpool | None = None) -> None:
        self.scope = scope
        self.layout = layout
        self.spool = spool
        self.references: set[tuple[str, str, str | None]] = set()
        self.by_kind: dict[str, set[str]] = {
            SCRIPT: set(),
            RESOURCE: set(),
            CONNECTION: set(),
            ENVIRONMENT_VARIABLE: set(),
        }
        self.called: set[str] = set()
        self.job_scripts: dict[str, tuple[str, ...]] = {}

    def job(self, *, name: str, document: dict[str, Any]) -> None:
        """Note what a job refers to (and the scripts the batch layout places beside it), after checking
        that its exported form is a valid document."""
        redacted = job_document_redact(document=job_sensitive_properties_flag(document))
        exported = dict(redacted, name=name)
        if self.scope == JOBS_ONLY:
            exported = {key: value for key, value in exported.items() if key not in ("schedule", "params")}
        if self.spool is None:
            _validated("job", name, job_document_validate, exported)
        scripts = set()
        for ref in _job_references(document=redacted, scope=self.scope):
            self.references.add((ref.kind, ref.name, ref.connection_type if ref.kind == CONNECTION else None))
            if ref.kind in self.by_kind:
                self.by_kind[ref.kind].add(ref.name)
            if ref.kind == SCRIPT:
                scripts.add(ref.name)
            elif reference_is_call(ref):  # SubJob / For Each: the export closure
                self.called.add(ref.name)
        self.job_scripts[name] = tuple(sorted(scripts))
        if self.spool is not None:
            try:
                prepared = job_entry_prepare(
                    layout=self.layout, name=name, document=exported, scripts=self.job_scripts[name]
                )
            except PackageError as exc:
                exc.entry = None  # worded as the first pass of a download words it: no zip path
                raise ValidationError(
                    f"The job {name} cannot be exported: {exc}", code="export_invalid_document"
                ) from exc
            self.spool.add(name, prepared.data, prepared.scripts)

    def script(self, *, name: str, document: dict[str, Any], spool: PreparedSpool | None = None) -> None:
        """Note what a script refers to, after checking it as the writer will; with ``spool``, prepared
        for the package and kept there."""
        exported = _named(document, name)
        if spool is None:
            _validated("script", name, script_document_validate, exported)
        else:
            try:
                spool.add(name, script_entry_prepare(name=name, document=exported))
            except PackageError as exc:
                exc.entry = None  # worded as for a job: no zip path
                raise ValidationError(
                    f"The script {name} cannot be exported: {exc}", code="export_invalid_document"
                ) from exc
        for ref in script_references(exported):
            self.references.add((ref.kind, ref.name, ref.connection_type if ref.kind == CONNECTION else None))
            if ref.kind == CONNECTION:
                self.by_kind[CONNECTION].add(ref.name)

    def reference_list(self) -> list[dict[str, Any]]:
        refs = sorted(self.references, key=lambda r: (r[0], r[1], r[2] or ""))
        return [_reference_dict(*ref) for ref in refs]


def _validated(kind: str, name: str, validate: Callable[..., None], document: Any) -> Any:
    """Check a document as the package writer will, so that a sync export fails before its first byte."""
    try:
        validate(document=document)
    except PackageError as exc:
        raise ValidationError(
            f"The {kind} {name} cannot be exported: {exc}", code="export_invalid_document"
        ) from exc
    return document


def _never_submitted(noun: str, names: list[str], *, why: str) -> ValidationError:
    return ValidationError(
        f"These {noun}s{' ' + why if why else ''} have never been submitted, so there is no submitted "
        f"version to export: {names_text(sorted(names))}.",
        code="never_submitted",
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
    errors come before the first byte. The dependencies' definitions are kept (they are few and small;
    batch layouts write each job's scripts beside it); jobs are kept by primary key only.

    ``spool_jobs`` prepares the jobs for the package now and keeps them on disk (see
    :class:`_Collector`), for an export nobody waits on byte by byte; with ``deflate_processes`` they are
    deflated meanwhile by a helper process (see :class:`PreparedSpool`). The caller closes the contents
    (:meth:`ExportContents.close`) when the package is written, or lets ``export_stream`` do it."""
    deflater = Deflater(level=DEFLATE_LEVEL) if deflate_processes > 0 else None
    job_spool = None
    if spool_jobs and selection.category != Category.SCRIPT:
        job_spool = PreparedSpool("factory-export-jobs-", deflater)
    try:
        return _collect(selection=selection, job_spool=job_spool, deflater=deflater)
    except BaseException:
        if job_spool is not None:
            job_spool.close()
        raise
    finally:
        if deflater is not None:
            deflater.close()  # what pass 1 did not deflate, pass 2 deflates with its own


def _collect(
    *, selection: ExportSelection, job_spool: PreparedSpool | None, deflater: Deflater | None
) -> ExportContents:
    request = selection.request
    workspace = selection.workspace
    with_dependencies = request.scope == WITH_DEPENDENCIES
    collector = _Collector(scope=request.scope, layout=selection.layout, spool=job_spool)

    if selection.category == Category.SCRIPT:
        for row in selectors.export_object_rows(
            workspace=workspace, category=Category.SCRIPT, status=request.status, pks=selection.pks
        ):
            collector.script(name=row.name, document=row.document or {})
        contents = ExportContents(pks=list(selection.pks), names=list(selection.names))
        if with_dependencies:
            contents.connections = _connections(workspace=workspace, names=collector.by_kind[CONNECTION])
        contents.references = collector.reference_list()
        return contents

    pks = list(selection.pks)
    exported_names = list(selection.names)
    names = set(selection.names)
    for row in selectors.export_object_rows(
        workspace=workspace, category=Category.JOB, status=request.status, pks=selection.pks
    ):
        collector.job(name=row.name, document=row.document or {})

    if with_dependencies:
        pending = collector.called - names
        while pending:
            never: list[str] = []
            for row in selectors.export_object_rows(
                workspace=workspace, category=Category.JOB, status=request.status, names=pending
            ):
                if row.document is None:
                    never.append(row.name)
                    continue
                pks.append(row.pk)
                exported_names.append(row.name)
                collector.job(name=row.name, document=row.document)
            if never:
                raise _never_submitted("job", never, why="(called by SubJob or For Each nodes)")
            names |= pending  # called jobs that do not exist stay references for the import to map
            pending = collector.called - names
        if len(pks) > export_selection.EXPORT_MAX_OBJECTS:
            raise ValidationError(
                f"With the jobs they call, the selected jobs come to {len(pks)}; at most "
                f"{export_selection.EXPORT_MAX_OBJECTS} can be exported at once.",
                code="export_too_large",
            )

    if job_spool is not None:
        job_spool.finish()
    contents = ExportContents(
        pks=pks, names=sorted(exported_names), job_scripts=collector.job_scripts, job_spool=job_spool
    )
    if with_dependencies:
        contents.spool = PreparedSpool("factory-export-scripts-", deflater)
        never = []
        for row in selectors.export_object_rows(
            workspace=workspace,
            category=Category.SCRIPT,
            status=request.status,
            names=collector.by_kind[SCRIPT],
        ):
            if row.document is None:
                never.append(row.name)
                continue
            collector.script(name=row.name, document=row.document, spool=contents.spool)
        if never:
            raise _never_submitted("script", never, why="(used by the exported jobs)")
        contents.spool.finish()
        contents.scripts = [*contents.spool.scripts()]
        contents.resources = _resources(workspace=workspace, names=collector.by_kind[RESOURCE])
        contents.connections = _connections(workspace=workspace, names=collector.by_kind[CONNECTION])
        contents.environment = _environment(
            workspace=workspace, names=collector.by_kind[ENVIRONMENT_VARIABLE]
        )
    contents.references = collector.reference_list()
    return contents
