"""Reading a package: safely unzip, recognise the layout, parse and validate every document.

Accepts both DataArts layouts and mixtures, with or without our ``manifest.json`` (packages exported
by DataArts itself have none). On any problem it raises :class:`PackageError` naming the entry and,
for documents, the field; on arbitrary bytes it raises nothing else.

Every document is checked once, up front, and then dropped: the package keeps names, paths and each
entry's sha256, and parses a document again from its open zip when asked for it, so that what a
package costs in memory does not grow with the size of its documents.

A package read and validated before (an import's later steps read again the package its inspection
read, and compare the sha256 of the whole file first) may be read ``checked``: the zip is opened with
the same care, the layout and the manifest checked again, but the documents' own rules, already met by
these very bytes, are not run again, and documents are parsed by orjson (see ``document_loads_checked``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import weakref
from collections.abc import Callable, Iterator
from typing import IO, Any, BinaryIO, TypeVar, cast

from factory.packages.entries import (
    Package,
    PackageConnection,
    PackageEntry,
    PackageJob,
    PackageResource,
    PackageScript,
    ReadLayout,
)
from factory.packages.errors import PackageError
from factory.packages.jsonio import (
    BOM,
    document_loads,
    document_loads_checked,
    document_shape_check,
    unstorable_text_check,
    unstorable_text_possible,
)
from factory.packages.layout import Placement, classify, wrapper_prefix
from factory.packages.limits import DEFAULT_LIMITS, MANIFEST_BYTES_PER_ENTRY, Limits
from factory.packages.manifest import (
    Expected,
    manifest_entry_check,
    manifest_expected,
    manifest_expected_scan,
    manifest_missing_check,
    manifest_text,
)
from factory.packages.safezip import Member, SafeZip, printable
from factory.packages.schema import (
    connection_document_validate,
    environment_document_validate,
    job_document_validate,
    resource_document_validate,
    script_document_validate,
)

ZIP_MAGIC = b"PK\x03\x04"
EntryType = TypeVar("EntryType", bound=PackageEntry)
SPOOL_IN_MEMORY = 8 * 1024 * 1024
Visit = Callable[[str, str, Any], None]
"""Called by :func:`package_read` with the kind (``job``, ``script``), name and document of each job and
script as it is read (a script once, however many copies the package holds), so that a caller that
needs something from every document takes it in the same pass."""
VALIDATORS: dict[str, Callable[..., None]] = {
    "job": job_document_validate,
    "script": script_document_validate,
    "resource": resource_document_validate,
    "connection": connection_document_validate,
}


def package_read(
    *,
    source: BinaryIO | str | os.PathLike[str],
    limits: Limits = DEFAULT_LIMITS,
    owns_source: bool = False,
    checked: bool = False,
    visit: Visit | None = None,
) -> Package:
    """Read and validate a whole package from a path or a binary file object.

    Every entry is read, checked and parsed here, then its document is dropped: the package keeps its
    zip open and each entry parses its document again when asked (see :class:`PackageEntry`), after
    checking that its bytes did not change. A file object is read from its start and must stay open
    while the package is used; one that cannot seek (an HTTP body) is first copied, up to
    ``max_packed_bytes``, to a temporary file the package owns. ``owns_source``: the package closes
    ``source`` when it is closed (also when it is refused). Nothing is ever extracted to disk.

    ``checked``: these bytes were read and validated before (the caller compared the whole file's sha256
    with the one recorded then): the documents' rules are not run again. ``visit`` sees each job's and
    script's document as it is read (see :data:`Visit`).
    """
    archive = _archive_open(source, limits=limits, owns_source=owns_source)
    try:
        return _package_build(archive, limits=limits, checked=checked, visit=visit)
    except BaseException:
        archive.close()
        raise


def _files_close(files: list[IO[bytes]]) -> None:
    for handle in files:
        with contextlib.suppress(OSError, ValueError):
            handle.close()


def _archive_close(zipped: SafeZip, owned: list[IO[bytes]]) -> None:
    try:
        zipped.close()
    finally:
        _files_close(owned)


class _Archive:
    """The open zip a package's documents are read again from, and the files the package owns (closed,
    a temporary file so deleted, by :meth:`close` or when the last entry is garbage collected)."""

    def __init__(self, *, zipped: SafeZip, owned: list[IO[bytes]]) -> None:
        self.zip = zipped
        self._finalizer = weakref.finalize(self, _archive_close, zipped, owned)

    def read(self, member: Member) -> bytes:
        return self.zip.read(member)

    def data(self, member: Member, sha256: bytes) -> bytes:
        """The entry's bytes read again; refused when they differ from those checked."""
        entry = member.original
        if not self._finalizer.alive:
            raise PackageError("cannot be read: the package was closed", code="zip.unreadable", entry=entry)
        data = self.zip.read(member, again=True)
        if hashlib.sha256(data).digest() != sha256:
            raise PackageError(
                "changed since the package was checked; read the package again",
                code="zip.changed",
                entry=entry,
            )
        return data

    def document(self, member: Member, sha256: bytes) -> Any:
        """The entry's document parsed again; refused when its bytes differ from those checked."""
        # The bytes are those validated (text check included) when the package was read.
        return document_loads_checked(self.data(member, sha256), entry=member.original)

    def close(self) -> None:
        self._finalizer()


class _EntryReader:
    """Reads one entry's document again (a :data:`DocumentReader`); a few dozen bytes per entry."""

    __slots__ = ("archive", "member", "sha256")

    def __init__(self, archive: _Archive, member: Member, sha256: bytes) -> None:
        self.archive, self.member, self.sha256 = archive, member, sha256

    @property
    def name(self) -> str:
        """The entry's name in the zip."""
        return self.member.original

    def __call__(self) -> Any:
        return self.archive.document(self.member, self.sha256)

    def text(self) -> bytes:
        """The entry's JSON text (without a byte order mark), as checked when the package was read."""
        return self.archive.data(self.member, self.sha256).removeprefix(BOM)


def _archive_open(
    source: BinaryIO | str | os.PathLike[str], *, limits: Limits, owns_source: bool
) -> _Archive:
    """The zip of ``source`` opened with every check; what was opened for it is closed if it is refused."""
    fileobj, owned = _seekable(source, limits=limits, owns_source=owns_source)
    try:
        return _Archive(zipped=SafeZip(fileobj=fileobj, limits=limits), owned=owned)
    except BaseException:
        _files_close(owned)
        raise


def _seekable(
    source: BinaryIO | str | os.PathLike[str], *, limits: Limits, owns_source: bool
) -> tuple[IO[bytes], list[IO[bytes]]]:
    """A seekable file of the package, and the files the package will own (to close with it)."""
    if isinstance(source, (str, os.PathLike)):
        try:
            handle: IO[bytes] = open(source, "rb")  # noqa: SIM115 - the package closes it
        except OSError as exc:
            raise PackageError(f"cannot be opened ({exc.strerror})", code="zip.unreadable") from None
        owned = [handle]
    else:
        handle = source
        owned = [source] if owns_source else []
        seekable = getattr(source, "seekable", None)
        if seekable is None or not seekable():
            try:
                handle = _spooled(source, limits=limits)
            except BaseException:
                _files_close(owned)
                raise
            return handle, [handle, *owned]
    try:
        _size_check(handle, limits=limits)
    except BaseException:
        _files_close(owned)
        raise
    return handle, owned


def _spooled(source: BinaryIO, *, limits: Limits) -> IO[bytes]:
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, prefix="factory-package-")  # noqa: SIM115
    try:
        copied = 0
        while chunk := source.read(1024 * 1024):
            copied += len(chunk)
            if copied > limits.max_packed_bytes:
                raise _too_large(limits)
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    return spool


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


Placed = tuple[Member, str, Placement]
"""A recognised member, its package-relative path and what it holds."""


class _Placements:
    """The archive's recognised members, the manifest's first (so that every other entry is checked
    against it before it is parsed), each placed again as it is iterated: a package of a hundred thousand
    entries does not hold a path and a ``Placement`` per entry beside its members for the whole read."""

    def __init__(self, archive: SafeZip) -> None:
        self.archive = archive
        self.prefix = wrapper_prefix([member.path for member in archive.members])
        self.ignored: list[str] = []
        self.count = 0
        self.manifest: Placed | None = None
        self.has_objects = False
        for member, placed in self._all():
            if placed is None:
                self.ignored.append(member.original)
                continue
            self.count += 1
            kind = placed[2].kind
            self.has_objects = self.has_objects or kind in ("job", "script", "resource")
            if kind == "manifest":
                self.manifest = placed

    def _all(self) -> Iterator[tuple[Member, Placed | None]]:
        prefix = self.prefix
        for member in self.archive.members:
            relative: str | None = member.path
            if prefix:
                relative = member.path[len(prefix) :] if member.path.startswith(prefix) else None
            placement = classify(relative) if relative else None
            yield member, (member, relative, placement) if relative and placement else None

    def __iter__(self) -> Iterator[Placed]:
        if self.manifest is not None:
            yield self.manifest
        for _, placed in self._all():
            if placed is not None and placed[2].kind != "manifest":
                yield placed


class _Collector:
    """The entries read so far, checked for clashes as they arrive (their documents are not kept)."""

    def __init__(self, archive: _Archive) -> None:
        self.archive = archive
        self.jobs: dict[str, tuple[PackageJob, str | None]] = {}
        self.scripts: dict[str, PackageScript] = {}
        self.folder_scripts: dict[str, list[str]] = {}
        self.resources: dict[str, PackageResource] = {}
        self.connections: dict[str, PackageConnection] = {}
        self.environment: list[dict[str, Any]] | None = None

    def add(self, *, placement: Placement, name: str, member: Member, sha256: bytes, document: Any) -> bool:
        """Add the entry; False for a copy of a script already added."""
        kind, path = placement.kind, member.original
        reader = _EntryReader(self.archive, member, sha256)
        if kind == "job":
            self._unique(self.jobs, name=name, path=path, kind=kind, existing=lambda item: item[0].path)
            self.jobs[name] = (PackageJob(name=name, path=path, reader=reader), placement.folder)
        elif kind == "script":
            previous = self.scripts.get(name)
            if previous is not None and self._differs(previous, sha256=sha256, document=document):
                raise PackageError(
                    f"script {name!r} differs from the one in {previous.path}; a package may hold one "
                    "version of each script",
                    code="layout.conflict",
                    entry=path,
                )
            if previous is None:
                self.scripts[name] = PackageScript(name=name, path=path, reader=reader)
            if placement.folder is not None:
                self.folder_scripts.setdefault(placement.folder, []).append(name)
            return previous is None
        elif kind == "resource":
            self._unique(self.resources, name=name, path=path, kind=kind, existing=lambda item: item.path)
            self.resources[name] = PackageResource(name=name, path=path, reader=reader)
        elif kind == "connection":
            self._unique(self.connections, name=name, path=path, kind=kind, existing=lambda item: item.path)
            self.connections[name] = PackageConnection(name=name, path=path, reader=reader)
        return True

    @staticmethod
    def _differs(previous: PackageScript, *, sha256: bytes, document: Any) -> bool:
        """Copies of one script beside each job that uses it (the batch layout) are usually the same
        bytes; only copies that differ in bytes are compared as documents (key order, spacing)."""
        reader = previous.reader
        if isinstance(reader, _EntryReader) and reader.sha256 == sha256:
            return False
        return bool(previous.document != document)

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


def _package_build(archive: _Archive, *, limits: Limits, checked: bool, visit: Visit | None) -> Package:
    placed = _Placements(archive.zip)
    ignored = placed.ignored
    if not placed.has_objects:
        found = f" (it holds only: {', '.join(ignored[:5])})" if ignored else ""
        raise PackageError(f"the package holds no jobs, scripts or resources{found}", code="layout.empty")
    collected = _Collector(archive)
    manifest: _EntryReader | None = None
    manifest_entry = ""
    expected: Expected = {}
    manifest_bytes = min(
        limits.max_entry_bytes,
        limits.max_document_bytes + MANIFEST_BYTES_PER_ENTRY * placed.count,
    )
    for member, relative, placement in placed:
        entry = member.original
        _document_size_check(
            member,
            max_bytes=manifest_bytes if placement.kind == "manifest" else limits.max_document_bytes,
            kind=placement.kind,
        )
        if placement.kind == "manifest":
            expected, manifest = _manifest_read(archive, member, limits=limits, checked=checked)
            expected.pop(relative, None)  # listing itself, it is found
            manifest_entry = entry
            continue
        data = archive.read(member)  # inflated up to the size just checked, never beyond
        sha256 = hashlib.sha256(data).digest()
        manifest_entry_check(
            expected=expected, path=relative, sha256=sha256, entry=entry, manifest=manifest_entry
        )
        if data.startswith(ZIP_MAGIC):
            raise PackageError("entry is a nested zip archive", code="zip.nested_archive", entry=entry)
        document, text_suspect = _document_parse(data, entry=entry, limits=limits, checked=checked)
        del data
        _document_add(
            collected,
            placement=placement,
            member=member,
            sha256=sha256,
            document=document,
            limits=limits,
            text_suspect=text_suspect,
            checked=checked,
            visit=visit,
        )
    if manifest is not None:
        # Each entry checked was let go of: what is left was not found.
        manifest_missing_check(expected=expected, manifest=manifest_entry)
    return _package_assemble(collected, manifest=manifest, ignored=ignored)


def _document_parse(data: bytes, *, entry: str, limits: Limits, checked: bool) -> tuple[Any, bool]:
    """An entry's document and whether its text may hold what PostgreSQL cannot store, to be checked
    (``_storable_check``) after the document's own rules, which say more precisely what is wrong where
    they apply (``job name 'j\x00' contains U+0000``). Bytes ``checked`` before are parsed by orjson."""
    if checked:
        return document_loads_checked(data, entry=entry), False
    document = document_loads(
        data,
        entry=entry,
        text_check=False,
        max_values=limits.max_json_values,
        max_depth=limits.max_json_depth,
    )
    return document, unstorable_text_possible(data)


def _manifest_read(
    archive: _Archive, member: Member, *, limits: Limits, checked: bool
) -> tuple[Expected, _EntryReader]:
    """The manifest's promises (path -> sha256) and its reader. Its rows are read one at a time from its
    text (``manifest_expected_scan``): neither the whole document nor its bytes beside its text are held.
    A manifest that is not plainly valid is parsed whole, as every document is, to say what is wrong."""
    entry = member.original
    data = archive.read(member)
    sha256 = hashlib.sha256(data).digest()
    if data.startswith(ZIP_MAGIC):
        raise PackageError("entry is a nested zip archive", code="zip.nested_archive", entry=entry)
    reader = _EntryReader(archive, member, sha256)
    if not checked and len(data.removeprefix(BOM)) >= 2 * limits.max_json_values:
        # As document_loads does first: too many values are refused unparsed.
        document_shape_check(
            data.removeprefix(BOM),
            max_values=limits.max_json_values,
            max_depth=limits.max_json_depth,
            entry=entry,
        )
    text = manifest_text(data)
    if text is not None:
        del data
        expected = manifest_expected_scan(text, entry=entry, max_depth=limits.max_json_depth)
        del text
        if expected is not None:
            return expected, reader
        data = archive.data(member, sha256)
    document, text_suspect = _document_parse(data, entry=entry, limits=limits, checked=checked)
    del data
    expected = manifest_expected(document=document, entry=entry)
    _storable_check(document, entry=entry, suspect=text_suspect)
    return expected, reader


def _document_size_check(member: Member, *, max_bytes: int, kind: str) -> None:
    """Refuse a document larger than its limit from the size its header declares, before reading it
    (reading stops at the declared size: a header that lies cannot make it bigger)."""
    size = member.file_size
    if size > max_bytes:
        what = {"manifest": "the manifest", "environment": "an environment document"}.get(
            kind, f"a {kind} document"
        )
        raise PackageError(
            f"is {size} bytes uncompressed; {what} may be at most {max_bytes} bytes",
            code="zip.too_large",
            entry=member.original,
        )


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
    member: Member,
    sha256: bytes,
    document: Any,
    limits: Limits,
    text_suspect: bool,
    checked: bool,
    visit: Visit | None,
) -> None:
    entry = member.original
    try:
        if placement.kind == "environment":
            if not checked:
                environment_document_validate(document=document, limits=limits)
        else:
            _document_name(document, stem=placement.stem, entry=entry)
            if not checked:
                VALIDATORS[placement.kind](document=document, limits=limits)
    except PackageError as exc:
        raise exc.in_entry(entry) from None
    _storable_check(document, entry=entry, suspect=text_suspect)
    if placement.kind == "environment":
        # One small document, which every step reads: kept.
        collected.environment = document
        return
    name = document["name"]
    added = collected.add(placement=placement, name=name, member=member, sha256=sha256, document=document)
    if added and visit is not None and placement.kind in ("job", "script"):
        visit(placement.kind, name, document)


def _package_assemble(collected: _Collector, *, manifest: _EntryReader | None, ignored: list[str]) -> Package:
    jobs: list[PackageJob] = []
    folders = [folder for _, folder in collected.jobs.values()]
    for name in sorted(collected.jobs):
        job, folder = collected.jobs[name]
        scripts = sorted(set(collected.folder_scripts.get(folder, []))) if folder is not None else []
        jobs.append(PackageJob(name=job.name, path=job.path, reader=job.reader, scripts=scripts))
    layout: ReadLayout = "single"
    if any(folder is not None for folder in folders):
        layout = "batch" if all(folder is not None for folder in folders) else "mixed"
    return Package(
        layout=layout,
        jobs=jobs,
        scripts=[collected.scripts[name] for name in sorted(collected.scripts)],
        resources=[collected.resources[name] for name in sorted(collected.resources)],
        connections=[collected.connections[name] for name in sorted(collected.connections)],
        environment=collected.environment,
        ignored=ignored,
        manifest_reader=manifest,
        closer=collected.archive.close,
    )


# --- opening a package read before, from its index -----------------------------------------------------

INDEX_VERSION = 1


INDEX_KINDS = ("jobs", "scripts", "resources", "connections")
IndexRows = Iterator[tuple[str, list[Any]]]


def package_index(package: Package) -> dict[str, Any] | None:
    """What :func:`package_reopen` needs to open the same file again without reading a document: the
    layout, and per entry its name, its path, its member and the sha256 of its bytes (a few hundred
    bytes an entry, JSON-ready). ``None`` for a package not read by :func:`package_read`."""
    parts = package_index_parts(package)
    if parts is None:
        return None
    head, rows = parts
    index: dict[str, Any] = {"version": head["version"], "layout": head["layout"]}
    index.update({kind: [] for kind in INDEX_KINDS})
    for kind, row in rows:
        index[kind].append(row)
    index.update(head)
    return index


def package_index_parts(package: Package) -> tuple[dict[str, Any], IndexRows] | None:
    """:func:`package_index` in two parts, for a caller that writes it out: its head (all but the
    entries) and its entries' rows, ``(kind, row)`` one at a time, made as they are taken."""
    readers = [
        entry.reader for entry in (*package.jobs, *package.scripts, *package.resources, *package.connections)
    ]
    manifest = package.manifest_reader
    if not all(isinstance(reader, _EntryReader) for reader in readers) or not (
        manifest is None or isinstance(manifest, _EntryReader)
    ):
        return None
    del readers

    def row(entry: PackageEntry) -> list[Any]:
        reader = cast(_EntryReader, entry.reader)
        return [entry.name, entry.path, reader.member.path, reader.sha256.hex()]

    def rows() -> IndexRows:
        for job in package.jobs:
            yield "jobs", [*row(job), job.scripts]
        for kind, entries in (
            ("scripts", package.scripts),
            ("resources", package.resources),
            ("connections", package.connections),
        ):
            for entry in entries:
                yield kind, row(entry)

    head = {
        "version": INDEX_VERSION,
        "layout": package.layout,
        "environment": package.environment,
        "ignored": package.ignored,
        "manifest": [manifest.member.path, manifest.sha256.hex()]
        if isinstance(manifest, _EntryReader)
        else None,
    }
    return head, rows()


class _Deferred:
    """The zip of a reopened package, opened with every check when an entry is first read (``lazy``): a
    step that reads none (a preview whose objects are all known unchanged) never parses its directory."""

    def __init__(
        self, source: BinaryIO | str | os.PathLike[str], *, limits: Limits, owns_source: bool
    ) -> None:
        self._source, self._limits, self._owns = source, limits, owns_source
        self._archive: _Archive | None = None
        self._members: dict[str, Member] = {}
        self._closed = False

    def open(self) -> tuple[_Archive, dict[str, Member]]:
        if self._archive is None:
            if self._closed:
                raise PackageError("cannot be read: the package was closed", code="zip.unreadable")
            self._archive = _archive_open(self._source, limits=self._limits, owns_source=self._owns)
            self._members = {member.path: member for member in self._archive.zip.members}
        return self._archive, self._members

    def member(self, path: str) -> tuple[_Archive, Member]:
        archive, members = self.open()
        member = members.get(path)
        if member is None:
            raise PackageError("is not in the package any more", code="zip.changed", entry=printable(path))
        return archive, member

    def close(self) -> None:
        self._closed = True
        if self._archive is not None:
            self._archive.close()
        elif self._owns and not isinstance(self._source, (str, os.PathLike)):
            _files_close([self._source])


class _DeferredReader:
    """An entry of a reopened package (a :data:`DocumentReader`), its zip opened when it is first read."""

    __slots__ = ("deferred", "path", "sha256")

    def __init__(self, deferred: _Deferred, path: str, sha256: bytes) -> None:
        self.deferred, self.path, self.sha256 = deferred, path, sha256

    @property
    def name(self) -> str:
        """The entry's path in the zip."""
        return self.path

    def __call__(self) -> Any:
        archive, member = self.deferred.member(self.path)
        return archive.document(member, self.sha256)

    def text(self) -> bytes:
        archive, member = self.deferred.member(self.path)
        return archive.data(member, self.sha256).removeprefix(BOM)


def package_reopen(
    *,
    source: BinaryIO | str | os.PathLike[str],
    index: dict[str, Any],
    limits: Limits = DEFAULT_LIMITS,
    owns_source: bool = False,
    lazy: bool = False,
) -> Package:
    """The package :func:`package_index` described, opened again from ``source``, which must be the very
    file it was read from: the caller compared the whole file's sha256 with the one recorded then
    (``PackageError`` when an entry of the index is not in the zip). The zip is opened with every check
    of :func:`package_read`, but no document is read here; each is read, and its bytes checked against
    the index's sha256, when it is asked for, as with :func:`package_read`. ``lazy``: the zip is opened
    (with the same checks, and the same errors) only when an entry is first read, and the caller learns of
    a missing entry then: for a caller that may read none."""
    if index.get("version") != INDEX_VERSION:
        raise PackageError(
            "the package's index is of another version; read the package again", code="zip.changed"
        )
    if lazy:
        deferred = _Deferred(source, limits=limits, owns_source=owns_source)
        return _package_of_index(
            index,
            lambda path, sha256: _DeferredReader(deferred, path, bytes.fromhex(sha256)),
            closer=deferred.close,
        )
    archive = _archive_open(source, limits=limits, owns_source=owns_source)
    try:
        members = {member.path: member for member in archive.zip.members}

        def reader(path: str, sha256: str) -> _EntryReader:
            member = members.get(path)
            if member is None:
                raise PackageError(
                    "is not in the package any more", code="zip.changed", entry=printable(path)
                )
            return _EntryReader(archive, member, bytes.fromhex(sha256))

        return _package_of_index(index, reader, closer=archive.close)
    except BaseException:
        archive.close()
        raise


def _package_of_index(
    index: dict[str, Any],
    reader: Callable[[str, str], _EntryReader | _DeferredReader],
    *,
    closer: Callable[[], None],
) -> Package:
    """The package ``index`` describes, each entry read by ``reader(member, sha256)``."""

    def entry(
        kind: type[EntryType], name: str, path: str, member: str, sha256: str, **extra: Any
    ) -> EntryType:
        read = reader(member, sha256)
        # ``path`` is the member's name as package_read gave it: one string for both, not two.
        return kind(name=name, path=read.name if read.name == path else path, reader=read, **extra)

    manifest = index["manifest"]
    return Package(
        layout=index["layout"],
        jobs=[
            entry(PackageJob, name, path, member, sha256, scripts=list(scripts))
            for name, path, member, sha256, scripts in index["jobs"]
        ],
        scripts=[entry(PackageScript, *row) for row in index["scripts"]],
        resources=[entry(PackageResource, *row) for row in index["resources"]],
        connections=[entry(PackageConnection, *row) for row in index["connections"]],
        environment=index["environment"],
        ignored=list(index["ignored"]),
        manifest_reader=reader(*manifest) if manifest else None,
        closer=closer,
    )


__all__ = ["INDEX_VERSION", "package_index", "package_index_parts", "package_read", "package_reopen"]
