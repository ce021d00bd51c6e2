"""Writing a package as a stream of zip bytes, one document in memory at a time.

Exports can hold thousands of jobs and are streamed straight to the browser or to OBS, so the writer
never builds the zip in memory: each document is serialized, hashed for the manifest and handed to
``stream_zip``; what every entry leaves for the end (its row of ``manifest.json``, written last, and its
record of the zip's central directory) waits in a temporary file (:mod:`.spool`), so memory stays flat.
The output is deterministic: fixed timestamps (1980-01-01 00:00) and modes (0644), sorted JSON keys,
entries in a fixed order, so the same content gives the same bytes but for the manifest's ``exportedAt``.

Deflating (level 9) costs about as much as everything else a large export does. With
``deflate_processes`` the members are deflated in groups by a helper process (:mod:`.deflater`) while
this one reads, checks and serializes the next documents. The bytes are the same as deflating in line:
``stream_zip``'s own ``ZIP_AUTO`` decides the zip format of every member, only the deflating is done
beforehand, by the same zlib call.
"""

from __future__ import annotations

import contextlib
import hashlib
import stat
import types
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, BinaryIO

from stream_zip import ZIP_AUTO, MemberFile, Method, stream_zip

from factory.packages import paths
from factory.packages.deflater import Deflater
from factory.packages.entries import (
    ConnectionEntry,
    JobEntry,
    Layout,
    ManifestInfo,
    ResourceEntry,
    ScriptEntry,
)
from factory.packages.errors import PackageError
from factory.packages.jsonio import document_dumps, unstorable_text_check, unstorable_text_possible
from factory.packages.limits import DEFAULT_LIMITS, Limits
from factory.packages.manifest import ManifestRows, manifest_chunks, reference_check, references_streamed
from factory.packages.names import entry_name_check
from factory.packages.redact import environment_redact, job_document_redact
from factory.packages.schema import (
    connection_document_validate,
    environment_document_validate,
    job_document_validate,
    resource_document_validate,
    script_document_validate,
)
from factory.packages.spool import RecordSpool

FIXED_MODIFIED_AT = datetime(1980, 1, 1, 0, 0, 0)
FILE_MODE = stat.S_IFREG | 0o644
LAYOUTS = ("single", "batch")
SCOPES = ("jobs_only", "with_dependencies")
JOB_STATUSES = ("develop", "submit")

DEFLATE_LEVEL = 9  # stream_zip's ZIP_AUTO default: the smallest packages
# Members are deflated by the helper process in groups of this many members or bytes (whichever comes
# first), one group while the next is built: two groups in memory at most.
GROUP_MEMBERS = 512
GROUP_BYTES = 4 * 1024 * 1024

Validator = Callable[..., None]


def package_file_name(*, layout: Layout, job_name: str | None = None) -> str:
    """DataArts' download names: ``DLF_<job>.zip`` for a single job, ``jobs.zip`` for a batch."""
    if layout == "single":
        if job_name is None:
            raise ValueError("a single-job package is named after its job: give job_name")
        entry_name_check(name=job_name, kind="job")
        return f"DLF_{job_name}.zip"
    if layout == "batch":
        return "jobs.zip"
    raise ValueError(f"layout must be one of {LAYOUTS}, not {layout!r}")


def package_write(
    *,
    layout: Layout,
    jobs: Iterable[JobEntry | PreparedJob],
    scripts: Iterable[ScriptEntry | PreparedScript] = (),
    resources: Iterable[ResourceEntry] = (),
    connections: Iterable[ConnectionEntry] = (),
    environment: list[dict[str, Any]] | None = None,
    manifest: ManifestInfo,
    limits: Limits = DEFAULT_LIMITS,
    deflate_processes: int = 0,
) -> Iterator[bytes]:
    """Yield the zip's bytes chunk by chunk.

    ``deflate_processes`` > 0 deflates in a helper process (see the module's docstring): worth it for
    large packages written in the background; starting the process costs a few tens of milliseconds.

    Lists are sorted by name here; other iterables (a database cursor) must already come in Python
    string order (``ORDER BY name COLLATE "C"``) and are refused otherwise, so that determinism never
    depends on a caller's luck. Job documents are redacted here, whatever the caller did, and every
    document is validated: an export never produces a package that the reader would refuse.
    Names of a job's scripts that are not among ``scripts`` are skipped (a ``jobs_only`` export).
    Raises ``ValueError`` for programming errors (unsafe or duplicate names) and ``PackageError`` for
    an invalid document, both as soon as the offending entry is reached.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, not {layout!r}")
    references = _manifest_check(manifest)
    return _package_chunks(
        layout=layout,
        jobs=jobs,
        scripts=scripts,
        resources=resources,
        connections=connections,
        environment=environment,
        manifest=manifest,
        references=references,
        limits=limits,
        deflate_processes=deflate_processes,
    )


def _package_chunks(
    *,
    manifest: ManifestInfo,
    references: list[dict[str, Any]] | Iterable[dict[str, Any]],
    layout: Layout,
    deflate_processes: int,
    **entries: Any,
) -> Iterator[bytes]:
    """The zip's chunks; with helper processes, members are deflated ahead while the next are built."""
    with contextlib.ExitStack() as stack:
        # Closed however the stream ends (written, refused, abandoned by a closed download).
        rows = ManifestRows()
        stack.callback(rows.close)
        members = _members(layout=layout, rows=rows, **entries)
        manifest_member = _manifest_member(info=manifest, layout=layout, references=references, rows=rows)
        if deflate_processes > 0:
            deflater = stack.enter_context(Deflater(level=DEFLATE_LEVEL))
            members = _ahead(members, deflater)
        zipped = _stream_zip_spooled(lambda: stack.enter_context(RecordSpool()))
        yield from zipped(_chain(members, manifest_member), extended_timestamps=False)


def _stream_zip_spooled(central_directory: Callable[[], RecordSpool]) -> Callable[..., Iterator[bytes]]:
    """``stream_zip`` itself (the same code, so the same bytes) keeping its central directory in a
    :class:`~factory.packages.spool.RecordSpool` made by ``central_directory`` instead of a ``deque`` in
    memory: ``stream_zip`` builds it with the module's global ``deque`` (the version is pinned; the tests
    check that the directory is spooled and the bytes are the same)."""
    function = types.FunctionType(
        stream_zip.__code__,
        {**stream_zip.__globals__, "deque": central_directory},
        stream_zip.__name__,
        stream_zip.__defaults__,
        stream_zip.__closure__,
    )
    function.__kwdefaults__ = stream_zip.__kwdefaults__
    return function


@dataclass(frozen=True)
class PreparedJob:
    """A job entry already redacted, checked and serialized by :func:`job_entry_prepare`, so that a caller
    can keep it (on disk) between reading a job and writing the package, and the writer only hashes and
    zips ``data``. ``data`` must come from :func:`job_entry_prepare`, unchanged; ``deflated``, when given,
    from :func:`deflate` (or :class:`~factory.packages.deflater.Deflater` at :data:`DEFLATE_LEVEL`) of it."""

    name: str
    data: bytes
    scripts: tuple[str, ...] = ()
    deflated: bytes | None = None
    sha256: str | None = None  # of ``data``, when known already (the manifest lists it)
    # The batch layout's scripts beside it, found by the caller (in name order, among ``scripts``): then
    # ``package_write``'s ``scripts`` holds only those no job has beside it. None: found there by name.
    beside: tuple[PreparedScript, ...] | None = None


class PreparedScript:
    """A script entry already checked and serialized by :func:`script_entry_prepare`. Its bytes may wait
    elsewhere (a batch export holds every script until the jobs using them are written): ``load`` returns
    ``(data, deflated or None)``, read when the writer needs them and not kept; ``sha256``, of ``data``,
    when known already."""

    __slots__ = ("_load", "name", "sha256")

    def __init__(
        self, name: str, load: Callable[[], tuple[bytes, bytes | None]], sha256: str | None = None
    ) -> None:
        self.name = name
        self._load = load
        self.sha256 = sha256

    @classmethod
    def of(cls, name: str, data: bytes, deflated: bytes | None = None) -> PreparedScript:
        return cls(name, lambda: (data, deflated))

    def load(self) -> tuple[bytes, bytes | None]:
        return self._load()


def script_entry_prepare(*, name: str, document: dict[str, Any], limits: Limits = DEFAULT_LIMITS) -> bytes:
    """What :func:`package_write` does to a script before zipping it, done now: the name checks,
    validation, serialization; the bytes for :class:`PreparedScript`. Raises as the writer would."""
    entry_name_check(name=name, kind="script")
    if not isinstance(document, dict) or document.get("name") != name:
        found = document.get("name") if isinstance(document, dict) else None
        raise ValueError(f"script {name!r} has a document named {found!r}")
    return _document_data(
        path=paths.script_path_single(name),
        document=document,
        validate=script_document_validate,
        limits=limits,
    )


def job_entry_prepare(
    *,
    layout: Layout,
    name: str,
    document: dict[str, Any],
    scripts: Iterable[str] = (),
    limits: Limits = DEFAULT_LIMITS,
) -> PreparedJob:
    """What :func:`package_write` does to a job before zipping it, done now: redaction, the name checks,
    validation, serialization. Raises ``ValueError`` and ``PackageError`` as the writer would."""
    entry_name_check(name=name, kind="job")
    if not isinstance(document, dict) or document.get("name") != name:
        found = document.get("name") if isinstance(document, dict) else None
        raise ValueError(f"job {name!r} has a document named {found!r}")
    path = paths.job_path_single(name) if layout == "single" else paths.job_path_batch(name)
    data = _document_data(
        path=path,
        document=job_document_redact(document=document),
        validate=job_document_validate,
        limits=limits,
    )
    return PreparedJob(name=name, data=data, scripts=tuple(scripts))


def package_write_to(*, fileobj: BinaryIO, **kwargs: Any) -> int:
    """Write a package (arguments as :func:`package_write`) to ``fileobj``; return the bytes written."""
    written = 0
    for chunk in package_write(**kwargs):
        fileobj.write(chunk)
        written += len(chunk)
    return written


def _manifest_check(info: ManifestInfo) -> list[dict[str, Any]] | Iterable[dict[str, Any]]:
    """The references as the manifest lists them: a sequence is deduplicated and sorted now; any other
    iterable is read when the manifest is written, and must give them each once in that order."""
    if info.scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, not {info.scope!r}")
    if info.job_status not in JOB_STATUSES:
        raise ValueError(f"job_status must be one of {JOB_STATUSES}, not {info.job_status!r}")
    if references_streamed(info.references):
        return info.references  # checked as the manifest is written (manifest_chunks)
    unique: dict[bytes, dict[str, Any]] = {}
    for ref in info.references:
        reference_check(ref)
        unique.setdefault(document_dumps(ref), ref)
    return sorted(unique.values(), key=lambda ref: (ref["type"], ref["name"]))


def _in_order(items: Iterable[Any], *, kind: str) -> Iterator[Any]:
    """Entries sorted by name (lists) or checked to be (other iterables); names unique and path-safe."""
    if isinstance(items, Sequence):
        items = sorted(items, key=lambda item: item.name)
    previous: str | None = None
    for item in items:
        entry_name_check(name=item.name, kind=kind)
        if previous is not None and item.name <= previous:
            problem = "is given twice" if item.name == previous else f"comes after {previous!r}"
            raise ValueError(f"{kind} {item.name!r} {problem}: give {kind}s once each, in name order")
        if isinstance(item, PreparedJob | PreparedScript):  # checked when they were prepared
            previous = item.name
            yield item
            continue
        name_in_document = item.document.get("name") if isinstance(item.document, dict) else None
        if name_in_document != item.name:
            raise ValueError(f"{kind} {item.name!r} has a document named {name_in_document!r}")
        previous = item.name
        yield item


# --- deflating ahead ----------------------------------------------------------------------------------


# Raw deflate as ``ZIP_AUTO`` configures zlib (level 9, memLevel 8, no header): the same bytes.
_deflated = partial(zlib.compress, level=DEFLATE_LEVEL, wbits=-zlib.MAX_WBITS)


def deflate(data: bytes) -> bytes:
    """``data`` deflated as the writer deflates a member (for :attr:`PreparedJob.deflated`)."""
    return _deflated(data)


class _Slot:
    """A member's deflated bytes: set by ``_ahead`` from the helper process, or deflated in line."""

    __slots__ = ("data", "deflated")

    def __init__(self, data: bytes) -> None:
        self.data: bytes | None = data
        self.deflated: bytes | None = None

    def result(self) -> bytes:
        if self.deflated is None:  # no helper process: deflated in line, now
            self.deflated = _deflated(self.data or b"")
        self.data = None
        deflated, self.deflated = self.deflated, None
        return deflated


class _DeflatedResult:
    """A zlib compressor stand-in for ``stream_zip`` that hands over bytes deflated beforehand: the member's
    bytes go through ``compress`` (``stream_zip`` computes the CRC and sizes from them) and the deflated
    stream comes out whole at ``flush``."""

    def __init__(self, slot: _Slot, size: int) -> None:
        self._slot = slot
        self._size = size
        self._seen = 0

    def compress(self, chunk: bytes) -> bytes:
        self._seen += len(chunk)
        return b""

    def flush(self) -> bytes:
        if self._seen != self._size:  # the member's bytes are the ones deflated, or this is a bug
            raise RuntimeError(f"deflated {self._size} bytes ahead but the member has {self._seen}")
        return self._slot.result()


_ZIP32_SAFE_SIZE = 4_293_656_841  # ``ZIP_AUTO`` picks zip64 for larger members (stream_zip's bound)
_ZIP_AUTO_SMALL = ZIP_AUTO(0, level=DEFLATE_LEVEL)


class _Predeflated(Method):
    """``ZIP_AUTO`` (zip32, or zip64 when sizes or offsets need it) with the member deflated ahead.

    ``Method._get`` is ``stream_zip``'s own extension point for a member's method; the version is pinned
    and the tests check that the bytes equal those of deflating in line."""

    def __init__(self, size: int, slot: _Slot) -> None:
        # ``ZIP_AUTO`` builds a class per call; its choice depends on the size only beyond zip32's bound
        self._auto = _ZIP_AUTO_SMALL if size <= _ZIP32_SAFE_SIZE else ZIP_AUTO(size, level=DEFLATE_LEVEL)
        self.size = size
        self.slot = slot

    def _get(self, offset: int, default_get_compressobj: Callable[[], Any]) -> Any:
        method, upgrade, _, size, crc = self._auto._get(offset, default_get_compressobj)
        return method, upgrade, partial(_DeflatedResult, self.slot, self.size), size, crc


def _slots(group: list[MemberFile]) -> list[_Slot]:
    """The members of ``group`` still to deflate (a prepared job may come deflated already)."""
    return [
        member[3].slot
        for member in group
        if isinstance(member[3], _Predeflated) and member[3].slot.deflated is None
    ]


def _ahead(members: Iterator[MemberFile], deflater: Deflater) -> Iterator[MemberFile]:
    """``members`` in groups: the helper process deflates a group while this process builds the next one
    and streams the one before; two groups in memory at most. One hand-off per group, not per member,
    which would cost more than the smaller members take to deflate."""
    group: list[MemberFile] = []
    group_bytes = 0
    sent: list[MemberFile] | None = None

    def swap(next_group: list[MemberFile] | None) -> list[MemberFile] | None:
        """Collect the group sent before, send ``next_group``; return the collected group."""
        nonlocal sent
        done = sent
        if done is not None:
            for slot, deflated in zip(_slots(done), deflater.receive(), strict=True):
                slot.deflated, slot.data = deflated, None
        if next_group is not None:
            deflater.send([slot.data or b"" for slot in _slots(next_group)])
        sent = next_group
        return done

    for member in members:
        group.append(member)
        if isinstance(member[3], _Predeflated) and member[3].slot.deflated is None:
            group_bytes += member[3].size
        if len(group) >= GROUP_MEMBERS or group_bytes >= GROUP_BYTES:
            done = swap(group)
            group, group_bytes = [], 0
            if done is not None:
                yield from done
    done = swap(group or None)
    if done is not None:
        yield from done
    done = swap(None)
    if done is not None:
        yield from done


def _document_data(*, path: str, document: Any, validate: Validator, limits: Limits) -> bytes:
    """A checked document's bytes; ``PackageError`` naming ``path`` otherwise."""
    try:
        validate(document=document, limits=limits)
        data = document_dumps(document)
        if unstorable_text_possible(data):  # the reader refuses U+0000 and lone surrogates
            unstorable_text_check(document)
    except PackageError as exc:
        raise exc.in_entry(path) from None
    return data


def _member(
    *,
    path: str,
    kind: str,
    document: Any,
    validate: Validator,
    limits: Limits,
    rows: ManifestRows,
) -> MemberFile:
    data = _document_data(path=path, document=document, validate=validate, limits=limits)
    return _member_of(path=path, kind=kind, data=data, rows=rows)


def _member_of(
    *,
    path: str,
    kind: str,
    data: bytes,
    rows: ManifestRows,
    deflated: bytes | None = None,
    sha256: str | None = None,
) -> MemberFile:
    rows.append((path, sha256 or hashlib.sha256(data).hexdigest(), len(data), kind))
    slot = _Slot(data)
    slot.deflated = deflated
    return (path, FIXED_MODIFIED_AT, FILE_MODE, _Predeflated(len(data), slot), (data,))


def _members(
    *,
    layout: Layout,
    jobs: Iterable[JobEntry | PreparedJob],
    scripts: Iterable[ScriptEntry | PreparedScript],
    resources: Iterable[ResourceEntry],
    connections: Iterable[ConnectionEntry],
    environment: list[dict[str, Any]] | None,
    limits: Limits,
    rows: ManifestRows,
) -> Iterator[MemberFile]:
    """The member files in their fixed order; lazy, so each is built only when the zip needs it."""

    def member(path: str, kind: str, document: Any, validate: Validator) -> MemberFile:
        return _member(
            path=path,
            kind=kind,
            document=document,
            validate=validate,
            limits=limits,
            rows=rows,
        )

    def job_member(job: JobEntry | PreparedJob, path: str) -> MemberFile:
        if isinstance(job, PreparedJob):
            return _member_of(
                path=path, kind="job", data=job.data, rows=rows, deflated=job.deflated, sha256=job.sha256
            )
        return member(path, "job", job_document_redact(document=job.document), job_document_validate)

    def script_member(script: ScriptEntry | PreparedScript, path: str) -> MemberFile:
        if isinstance(script, PreparedScript):
            data, deflated = script.load()
            return _member_of(
                path=path, kind="script", data=data, rows=rows, deflated=deflated, sha256=script.sha256
            )
        return member(path, "script", script.document, script_document_validate)

    loose_scripts: Iterable[ScriptEntry | PreparedScript] = scripts
    if layout == "single":
        for job in _in_order(jobs, kind="job"):
            yield job_member(job, paths.job_path_single(job.name))
    else:
        # Scripts go beside every job that uses them, so they must be at hand by name.
        by_name = {script.name: script for script in _in_order(scripts, kind="script")}
        used: set[str] = set()
        for job in _in_order(jobs, kind="job"):
            yield job_member(job, paths.job_path_batch(job.name))
            if isinstance(job, PreparedJob) and job.beside is not None:
                for script in _beside(job):
                    yield script_member(script, paths.script_path_batch(job.name, script.name))
                continue
            for name in sorted(set(job.scripts) & by_name.keys()):
                yield script_member(by_name[name], paths.script_path_batch(job.name, name))
                used.add(name)
        loose_scripts = [script for name, script in sorted(by_name.items()) if name not in used]
    for script in _in_order(loose_scripts, kind="script"):
        yield script_member(script, paths.script_path_single(script.name))
    for resource in _in_order(resources, kind="resource"):
        yield member(
            paths.resource_path(resource.name), "resource", resource.document, resource_document_validate
        )
    for connection in _in_order(connections, kind="connection"):
        path = paths.connection_path(connection.name)
        yield member(path, "connection", connection.document, connection_document_validate)
    if environment is not None:
        if isinstance(environment, list):  # secrets never leave, whatever the caller did
            environment = environment_redact(variables=environment)
        yield member(paths.ENVIRONMENT_PATH, "environment", environment, environment_document_validate)


def _beside(job: PreparedJob) -> Iterator[PreparedScript]:
    """The scripts a caller found for a job (:attr:`PreparedJob.beside`), checked as ``scripts`` would be."""
    scripts = set(job.scripts)
    for script in _in_order(iter(job.beside or ()), kind="script"):
        if script.name not in scripts:
            raise ValueError(
                f"script {script.name!r} is given beside job {job.name!r}, which does not use it"
            )
        yield script


def _manifest_member(
    *,
    info: ManifestInfo,
    layout: Layout,
    references: list[dict[str, Any]] | Iterable[dict[str, Any]],
    rows: ManifestRows,
) -> Callable[[], MemberFile]:
    """Built only when called, i.e. after every other member has been written and hashed."""

    def build() -> MemberFile:
        fields = {
            "formatVersion": info.format_version,
            "scope": info.scope,
            "jobStatus": info.job_status,
            "workspace": info.workspace,
            "exportedBy": info.user,
            "exportedAt": info.exported_at,
            "layout": layout,
            "references": references,
        }
        pieces = manifest_chunks(fields=fields, rows=rows)
        size = sum(len(piece) for piece in pieces())  # a first pass for the size, so ZIP_AUTO can pick zip64
        return (paths.MANIFEST_PATH, FIXED_MODIFIED_AT, FILE_MODE, ZIP_AUTO(size), pieces())

    return build


def _chain(members: Iterator[MemberFile], last: Callable[[], MemberFile]) -> Iterator[MemberFile]:
    yield from members
    yield last()
