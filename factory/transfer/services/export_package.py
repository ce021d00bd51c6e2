"""Export, passes 1 and 2: what the package holds (``export_collect``) and its bytes (``export_stream``).

Pass 1 reads the selected documents once to learn the jobs they call, what they depend on and the
manifest's references, and checks every document as the writer will; pass 2 reads them again, chunk by
chunk, and hands them redacted to the package writer, which produces the zip as it goes. One query per
kind of object either way; memory does not grow with the package.
"""

from __future__ import annotations

import tempfile
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from factory.development.models import Category
from factory.development.nodes import (
    CONNECTION,
    ENVIRONMENT_VARIABLE,
    NODE_TYPES,
    RESOURCE,
    SCRIPT,
    Reference,
    job_references,
    job_sensitive_properties_flag,
    reference_is_call,
)
from factory.errors import ValidationError
from factory.packages import (
    ConnectionEntry,
    JobEntry,
    ManifestInfo,
    PackageError,
    PreparedJob,
    PreparedScript,
    ResourceEntry,
    ScriptEntry,
    connection_document_validate,
    environment_document_validate,
    job_document_redact,
    job_document_validate,
    job_entry_prepare,
    package_write,
    resource_document_validate,
    script_document_validate,
    script_entry_prepare,
)
from factory.packages.deflater import Deflater
from factory.packages.secrets import secret_name_like, text_secrets_redact
from factory.packages.write import DEFLATE_LEVEL, GROUP_BYTES, GROUP_MEMBERS
from factory.transfer import selectors
from factory.transfer.services import export_selection
from factory.transfer.services.export_selection import (
    JOBS_ONLY,
    WITH_DEPENDENCIES,
    ExportSelection,
    names_text,
)
from factory.workspaces.models import Workspace


@dataclass
class ExportContents:
    """What the first pass learnt: the jobs (or scripts) to write, by primary key (the selection plus the
    jobs it calls), the definitions of their dependencies, and the manifest's references."""

    pks: list[int]
    names: list[str]
    scripts: list[ScriptEntry | PreparedScript] = field(default_factory=list)
    resources: list[ResourceEntry] = field(default_factory=list)
    connections: list[ConnectionEntry] = field(default_factory=list)
    environment: list[dict[str, Any]] | None = None
    references: list[dict[str, Any]] = field(default_factory=list)
    # The scripts each job uses (by name), for the batch layout, which writes them beside it.
    job_scripts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    spool: PreparedSpool | None = None  # the scripts
    job_spool: PreparedSpool | None = None

    @property
    def count(self) -> int:
        return len(self.pks)

    def close(self) -> None:
        for spool in (self.spool, self.job_spool):
            if spool is not None:
                spool.close()


class _Spool:
    """Byte strings kept in an anonymous temporary file (gone when closed or when the process ends), so
    that what an export's first pass hands to the second costs memory only an offset per entry."""

    def __init__(self, prefix: str) -> None:
        self._file = tempfile.TemporaryFile(prefix=prefix)  # noqa: SIM115  # closed by close()
        # An export that never reaches pass 2 (refused, abandoned) closes its files when collected.
        weakref.finalize(self, self._file.close)
        self._end = 0

    def put(self, data: bytes) -> tuple[int, int]:
        self._file.seek(self._end)
        self._file.write(data)
        offset, self._end = self._end, self._end + len(data)
        return offset, len(data)

    def get(self, offset: int, size: int) -> bytes:
        self._file.seek(offset)
        return self._file.read(size)

    def close(self) -> None:
        self._file.close()

    @property
    def closed(self) -> bool:
        return self._file.closed


class PreparedSpool(_Spool):
    """Entries prepared for the package in pass 1 (checked and serialized by the writer's own
    ``*_entry_prepare``), kept on disk with their deflated bytes until pass 2 writes them: pass 2 then
    reads no document again, and memory holds only offsets.

    With a ``deflater`` the entries are deflated here, in groups, by the helper process while pass 1 reads
    and prepares the next ones: pass 1 is where the work is, and pass 2 then only copies bytes."""

    def __init__(self, prefix: str, deflater: Deflater | None) -> None:
        super().__init__(prefix)
        self._index: list[tuple[str, int, int, int, int, Any]] = []
        self._deflater = deflater
        self._pending: list[tuple[str, bytes, Any]] = []
        self._pending_bytes = 0
        self._sent: list[tuple[str, bytes, Any]] | None = None

    def add(self, name: str, data: bytes, extra: Any = None) -> None:
        if self._deflater is None:
            self._put(name, data, b"", extra)
            return
        self._pending.append((name, data, extra))
        self._pending_bytes += len(data)
        if len(self._pending) >= GROUP_MEMBERS or self._pending_bytes >= GROUP_BYTES:
            self._swap(self._pending)
            self._pending, self._pending_bytes = [], 0

    def finish(self) -> None:
        """Deflate and store what is still pending."""
        if self._deflater is None:
            return
        self._swap(self._pending or None)
        self._swap(None)
        self._pending, self._pending_bytes = [], 0

    def _swap(self, group: list[tuple[str, bytes, Any]] | None) -> None:
        """Store the group sent before with its deflated bytes, then send ``group`` (one in flight)."""
        assert self._deflater is not None
        if self._sent is not None:
            for (name, data, extra), deflated in zip(self._sent, self._deflater.receive(), strict=True):
                self._put(name, data, deflated, extra)
        if group is not None:
            self._deflater.send([data for _, data, _ in group])
        self._sent = group

    def _put(self, name: str, data: bytes, deflated: bytes, extra: Any) -> None:
        offset, size = self.put(data)
        deflated_offset, deflated_size = self.put(deflated) if deflated else (0, 0)
        self._index.append((name, offset, size, deflated_offset, deflated_size, extra))

    def __len__(self) -> int:
        return len(self._index)

    def _read(
        self, offset: int, size: int, deflated_offset: int, deflated_size: int
    ) -> tuple[bytes, bytes | None]:
        deflated = self.get(deflated_offset, deflated_size) if deflated_size else None
        return self.get(offset, size), deflated

    def jobs(self) -> Iterator[PreparedJob]:
        """The jobs in name order (the order the writer requires), read back one at a time."""
        for name, offset, size, deflated_offset, deflated_size, scripts in sorted(self._index):
            data, deflated = self._read(offset, size, deflated_offset, deflated_size)
            yield PreparedJob(name=name, data=data, scripts=scripts, deflated=deflated)

    def scripts(self) -> list[PreparedScript]:
        """The scripts, each read back when the writer writes it."""
        return [
            PreparedScript(name, partial(self._read, offset, size, deflated_offset, deflated_size))
            for name, offset, size, deflated_offset, deflated_size, _ in self._index
        ]


# --- documents ---------------------------------------------------------------------------------------


def _named(document: dict[str, Any] | None, name: str) -> dict[str, Any]:
    """A shallow copy of ``document`` carrying the object's current name (a submitted version keeps the
    name it had then; the package names files after the object as it is called now)."""
    named = dict(document or {})
    named["name"] = name
    return named


def job_document_export(*, document: dict[str, Any], scope: str, name: str | None = None) -> dict[str, Any]:
    """The job document as it enters a package: sensitive properties (flagged by the document or by the
    node-type registry) and masked parameters emptied, flags kept; "Export jobs only" further drops the
    scheduling and the parameters. Every other key, unknown ones included, is kept as it is."""
    redacted = job_document_redact(document=job_sensitive_properties_flag(document))
    if name is not None:
        redacted["name"] = name
    if scope == JOBS_ONLY:
        return {key: value for key, value in redacted.items() if key not in ("schedule", "params")}
    return redacted


def _job_references(*, document: dict[str, Any], scope: str) -> list[Reference]:
    """The references of a redacted document. Computed before "jobs only" drops the parameters (so that
    a parameter is not mistaken for an environment variable), without those of the dropped schedule."""
    refs = job_references(document)
    if scope == JOBS_ONLY:
        refs = [r for r in refs if not (r.property or "").startswith("schedule.")]
    return refs


# Script types name the node type that runs them ("DWSSQL", "HiveSQL"; "PYTHON" for the Python node).
_SCRIPT_NODE_TYPES = {code.lower(): node_type for code, node_type in NODE_TYPES.items()}


def _script_references(document: dict[str, Any]) -> list[Reference]:
    """A script's references (its data connection, a DLI queue): the reference fields of the node type of
    the script's type, read at the script's top level."""
    node_type = _SCRIPT_NODE_TYPES.get(str(document.get("type") or "").lower())
    refs = []
    for f in node_type.reference_fields if node_type else ():
        value = document.get(f.name)
        if f.refers_to != SCRIPT and isinstance(value, str) and value.strip():
            refs.append(Reference(f.refers_to, value.strip(), f.connection_type, None, f.name))
    return refs


def _reference_dict(kind: str, name: str, connection_type: str | None) -> dict[str, Any]:
    ref: dict[str, Any] = {"type": kind, "name": name}
    if kind == CONNECTION:
        ref["connectionType"] = connection_type
    return ref


def _config_without_secrets(value: Any, secret_fields: set[str]) -> Any:
    """``config`` without any key that names a secret, and with the secret parts of its texts emptied (the
    password of a JDBC URL). Secrets live only in ``secrets_encrypted`` (never read here) and the
    connection services refuse both in ``config``; one that strayed in anyway (an older row, a direct
    database edit) is dropped rather than risk it leaving the installation."""
    if isinstance(value, dict):
        return {
            key: _config_without_secrets(item, secret_fields)
            for key, item in value.items()
            if not (key in secret_fields or secret_name_like(key))
        }
    if isinstance(value, list):
        return [_config_without_secrets(item, secret_fields) for item in value]
    if isinstance(value, str):
        return text_secrets_redact(value)
    return value


# --- pass 1: what the package holds ------------------------------------------------------------------


class _Collector:
    """Accumulates, per job, what it refers to; the documents themselves are not kept.

    Every job is checked as the writer will check it, so that a download streamed to a browser fails
    before its first byte rather than halfway. With ``spool`` (a background export), each job is prepared
    for the package right away (:func:`job_entry_prepare` checks it on the way) and its bytes kept on
    disk for pass 2, which then reads no document a second time."""

    def __init__(self, *, scope: str, layout: str = "batch", spool: PreparedSpool | None = None) -> None:
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
        for ref in _script_references(exported):
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
    return _validated("environment variables", "list", environment_document_validate, variables)


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
        contents.scripts = contents.spool.scripts()
        contents.resources = _resources(workspace=workspace, names=collector.by_kind[RESOURCE])
        contents.connections = _connections(workspace=workspace, names=collector.by_kind[CONNECTION])
        contents.environment = _environment(
            workspace=workspace, names=collector.by_kind[ENVIRONMENT_VARIABLE]
        )
    contents.references = collector.reference_list()
    return contents


# --- pass 2: the package -----------------------------------------------------------------------------


def _job_entries(
    *, selection: ExportSelection, contents: ExportContents, progress: Callable[[int], None] | None
) -> Iterator[JobEntry | PreparedJob]:
    request = selection.request
    with_scripts = request.scope == WITH_DEPENDENCIES
    if contents.job_spool is not None:
        for done, job in enumerate(contents.job_spool.jobs(), start=1):
            yield job if with_scripts else PreparedJob(name=job.name, data=job.data, deflated=job.deflated)
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
    user: AbstractBaseUser | None,
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
        scope=request.scope,
        job_status=request.status,
        workspace=selection.workspace.name,
        user=getattr(user, "username", "") or "",
        exported_at=timezone.now().isoformat(timespec="seconds"),
        references=contents.references,
    )
    if selection.category == Category.SCRIPT:
        jobs: Iterable[JobEntry] = ()
        scripts: Iterable[ScriptEntry] = _script_entries(
            selection=selection, contents=contents, progress=progress
        )
    else:
        jobs = _job_entries(selection=selection, contents=contents, progress=progress)
        scripts = contents.scripts
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
        contents.close()
