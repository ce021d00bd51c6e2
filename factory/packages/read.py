"""Reading a package: safely unzip, recognise the layout, parse and validate every document.

Accepts both DataArts layouts and mixtures, with or without our ``manifest.json`` (packages exported
by DataArts itself have none). On any problem it raises :class:`PackageError` naming the entry and,
for documents, the field; on arbitrary bytes it raises nothing else.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Any, BinaryIO

from factory.packages.entries import (
    Package,
    PackageConnection,
    PackageJob,
    PackageResource,
    PackageScript,
    ReadLayout,
)
from factory.packages.errors import PackageError
from factory.packages.jsonio import document_loads, unstorable_text_check, unstorable_text_possible
from factory.packages.layout import Placement, classify, wrapper_prefix
from factory.packages.limits import DEFAULT_LIMITS, Limits
from factory.packages.manifest import manifest_entry_check, manifest_expected, manifest_missing_check
from factory.packages.safezip import Member, SafeZip
from factory.packages.schema import (
    connection_document_validate,
    environment_document_validate,
    job_document_validate,
    resource_document_validate,
    script_document_validate,
)

ZIP_MAGIC = b"PK\x03\x04"
SPOOL_IN_MEMORY = 8 * 1024 * 1024
VALIDATORS: dict[str, Callable[..., None]] = {
    "job": job_document_validate,
    "script": script_document_validate,
    "resource": resource_document_validate,
    "connection": connection_document_validate,
}


def package_read(*, source: BinaryIO | str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS) -> Package:
    """Read and validate a whole package from a path or a binary file object.

    A file object is read from its start; one that cannot seek (an HTTP body) is first copied, up to
    ``max_packed_bytes``, to a temporary file. Nothing is ever extracted to disk.
    """
    with _seekable(source, limits=limits) as fileobj:
        archive = SafeZip(fileobj=fileobj, limits=limits)
        try:
            return _package_build(archive, limits=limits)
        finally:
            archive.close()


@contextlib.contextmanager
def _seekable(source: BinaryIO | str | os.PathLike[str], *, limits: Limits) -> Iterator[IO[bytes]]:
    if isinstance(source, (str, os.PathLike)):
        try:
            handle: IO[bytes] = open(source, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise PackageError(f"cannot be opened ({exc.strerror})", code="zip.unreadable") from None
        with handle:
            _size_check(handle, limits=limits)
            yield handle
        return
    seekable = getattr(source, "seekable", None)
    if seekable is not None and seekable():
        _size_check(source, limits=limits)
        yield source
        return
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        copied = 0
        while chunk := source.read(1024 * 1024):
            copied += len(chunk)
            if copied > limits.max_packed_bytes:
                raise _too_large(limits)
            spool.write(chunk)
        yield spool  # type: ignore[misc]


def _too_large(limits: Limits) -> PackageError:
    return PackageError(f"the package is larger than {limits.max_packed_bytes} bytes", code="zip.too_large")


def _size_check(fileobj: IO[bytes], *, limits: Limits) -> None:
    try:
        size = fileobj.seek(0, os.SEEK_END)
        fileobj.seek(0)
    except (OSError, ValueError) as exc:
        raise PackageError(f"cannot be read ({exc})", code="zip.unreadable") from None
    if size > limits.max_packed_bytes:
        raise _too_large(limits)


def _placements(archive: SafeZip) -> tuple[list[tuple[Member, str, Placement]], list[str]]:
    """Recognised members (with their package-relative path) and the ignored entries."""
    prefix = wrapper_prefix([member.path for member in archive.members])
    placed: list[tuple[Member, str, Placement]] = []
    ignored: list[str] = []
    for member in archive.members:
        relative: str | None = member.path
        if prefix:
            relative = member.path[len(prefix) :] if member.path.startswith(prefix) else None
        placement = classify(relative) if relative else None
        if placement is None or relative is None:
            ignored.append(member.original)
        else:
            placed.append((member, relative, placement))
    return placed, ignored


class _Collector:
    """The documents read so far, checked for clashes as they arrive."""

    def __init__(self) -> None:
        self.jobs: dict[str, tuple[PackageJob, str | None]] = {}
        self.scripts: dict[str, PackageScript] = {}
        self.folder_scripts: dict[str, list[str]] = {}
        self.resources: dict[str, PackageResource] = {}
        self.connections: dict[str, PackageConnection] = {}
        self.environment: list[dict[str, Any]] | None = None

    def add(self, *, placement: Placement, name: str, path: str, document: Any) -> None:
        kind = placement.kind
        if kind == "job":
            self._unique(self.jobs, name=name, path=path, kind=kind, existing=lambda item: item[0].path)
            self.jobs[name] = (PackageJob(name=name, path=path, document=document), placement.folder)
        elif kind == "script":
            previous = self.scripts.get(name)
            if previous is not None and previous.document != document:
                raise PackageError(
                    f"script {name!r} differs from the one in {previous.path}; a package may hold one "
                    "version of each script",
                    code="layout.conflict",
                    entry=path,
                )
            if previous is None:
                self.scripts[name] = PackageScript(name=name, path=path, document=document)
            if placement.folder is not None:
                self.folder_scripts.setdefault(placement.folder, []).append(name)
        elif kind == "resource":
            self._unique(self.resources, name=name, path=path, kind=kind, existing=lambda item: item.path)
            self.resources[name] = PackageResource(name=name, path=path, document=document)
        elif kind == "connection":
            self._unique(self.connections, name=name, path=path, kind=kind, existing=lambda item: item.path)
            self.connections[name] = PackageConnection(name=name, path=path, document=document)

    @staticmethod
    def _unique(
        table: dict[str, Any], *, name: str, path: str, kind: str, existing: Callable[[Any], str]
    ) -> None:
        if name in table:
            raise PackageError(
                f"{kind} {name!r} is also defined in {existing(table[name])}",
                code="layout.duplicate_name",
                entry=path,
            )


def _document_name(document: Any, *, stem: str, entry: str) -> None:
    """The document's ``name`` is authoritative; one without a name cannot be placed."""
    if isinstance(document, dict) and "name" not in document:
        raise PackageError(
            f'the document has no name (the file is named {stem!r}); add "name": {stem!r}',
            code="layout.name_mismatch",
            entry=entry,
            field="name",
        )


def _package_build(archive: SafeZip, *, limits: Limits) -> Package:
    placed, ignored = _placements(archive)
    if not any(placement.kind in ("job", "script", "resource") for _, _, placement in placed):
        found = f" (it holds only: {', '.join(ignored[:5])})" if ignored else ""
        raise PackageError(f"the package holds no jobs, scripts or resources{found}", code="layout.empty")
    # The manifest first, so that every other entry is checked against it before it is parsed.
    placed.sort(key=lambda item: item[2].kind != "manifest")
    collected = _Collector()
    manifest: dict[str, Any] | None = None
    manifest_entry = ""
    expected: dict[str, str] = {}
    for member, relative, placement in placed:
        entry = member.original
        data = archive.read(member)
        if placement.kind != "manifest":
            digest = hashlib.sha256(data).hexdigest()
            manifest_entry_check(
                expected=expected, path=relative, sha256=digest, entry=entry, manifest=manifest_entry
            )
        if data.startswith(ZIP_MAGIC):
            raise PackageError("entry is a nested zip archive", code="zip.nested_archive", entry=entry)
        # U+0000 and lone surrogates are refused after the document's own rules, which say more
        # precisely what is wrong where they apply (``job name 'j\x00' contains U+0000``).
        text_suspect = unstorable_text_possible(data)
        document = document_loads(data, entry=entry, text_check=False)
        del data
        if placement.kind == "manifest":
            expected = manifest_expected(document=document, entry=entry)
            _storable_check(document, entry=entry, suspect=text_suspect)
            manifest, manifest_entry = document, entry
            continue
        _document_add(
            collected,
            placement=placement,
            document=document,
            entry=entry,
            limits=limits,
            text_suspect=text_suspect,
        )
    if manifest is not None:
        seen = {relative for _, relative, _ in placed}
        manifest_missing_check(expected=expected, seen=seen, manifest=manifest_entry)
    return _package_assemble(collected, manifest=manifest, ignored=ignored)


def _storable_check(document: Any, *, entry: str, suspect: bool) -> None:
    """``json.malformed`` for text PostgreSQL cannot store (see :func:`unstorable_text_check`)."""
    if suspect:
        try:
            unstorable_text_check(document)
        except PackageError as exc:
            raise exc.in_entry(entry) from None


def _document_add(
    collected: _Collector,
    *,
    placement: Placement,
    document: Any,
    entry: str,
    limits: Limits,
    text_suspect: bool,
) -> None:
    try:
        if placement.kind == "environment":
            environment_document_validate(document=document, limits=limits)
        else:
            _document_name(document, stem=placement.stem, entry=entry)
            VALIDATORS[placement.kind](document=document, limits=limits)
    except PackageError as exc:
        raise exc.in_entry(entry) from None
    _storable_check(document, entry=entry, suspect=text_suspect)
    if placement.kind == "environment":
        collected.environment = document
        return
    collected.add(placement=placement, name=document["name"], path=entry, document=document)


def _package_assemble(
    collected: _Collector, *, manifest: dict[str, Any] | None, ignored: list[str]
) -> Package:
    jobs: list[PackageJob] = []
    folders = [folder for _, folder in collected.jobs.values()]
    for name in sorted(collected.jobs):
        job, folder = collected.jobs[name]
        scripts = sorted(set(collected.folder_scripts.get(folder, []))) if folder is not None else []
        jobs.append(PackageJob(name=job.name, path=job.path, document=job.document, scripts=scripts))
    layout: ReadLayout = "single"
    if any(folder is not None for folder in folders):
        layout = "batch" if all(folder is not None for folder in folders) else "mixed"
    return Package(
        layout=layout,
        manifest=manifest,
        jobs=jobs,
        scripts=[collected.scripts[name] for name in sorted(collected.scripts)],
        resources=[collected.resources[name] for name in sorted(collected.resources)],
        connections=[collected.connections[name] for name in sorted(collected.connections)],
        environment=collected.environment,
        ignored=ignored,
    )


__all__ = ["package_read"]
