"""The objects a package is made of, on the way in (writer) and on the way out (reader)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Layout = Literal["single", "batch"]
"""DataArts' two export layouts: ``DLF_<job>.zip`` (flat folders) and ``jobs.zip`` (a folder per job)."""
ReadLayout = Literal["single", "batch", "mixed"]
"""What the reader found; ``mixed`` when a package holds both flat and per-folder jobs."""
Scope = Literal["jobs_only", "with_dependencies"]
JobStatus = Literal["develop", "submit"]
FORMAT_VERSION = "1"


@dataclass(frozen=True)
class JobEntry:
    """A job to write. ``scripts`` names the scripts it uses; the batch layout places them beside it."""

    name: str
    document: dict[str, Any]
    scripts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ScriptEntry:
    name: str
    document: dict[str, Any]


@dataclass(frozen=True)
class ResourceEntry:
    name: str
    document: dict[str, Any]


@dataclass(frozen=True)
class ConnectionEntry:
    """A data connection's definition without secrets (the validator refuses a ``password``)."""

    name: str
    document: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class ManifestInfo:
    """What the caller knows about an export; ``exported_at`` is the only field that varies by time.

    ``references`` lists what the package needs from the target workspace, as
    ``{"type": "DWS_CONNECTION", "name": "doctest", ...}``; the app's node registry computes them. A list
    (any sequence) is deduplicated and sorted by the writer; another iterable (too many to hold) is read
    as the manifest is written, and must give them each once, sorted by ``(type, name)``.
    """

    scope: Scope
    job_status: JobStatus
    workspace: str
    user: str
    exported_at: str
    references: Sequence[dict[str, Any]] | Iterable[dict[str, Any]] = field(default_factory=list)
    format_version: str = FORMAT_VERSION


DocumentReader = Callable[[], Any]
"""Reads one entry's document again from the package (parsed anew on every call)."""


@dataclass(frozen=True, slots=True)
class PackageEntry:
    """An entry read from a package: its ``name`` (the document's) and its ``path`` in the zip.

    The document itself is not kept: it was parsed and validated while the package was read, then
    dropped, so that a package of thousands of documents costs about a kilobyte per entry. Each read
    of :attr:`document` parses the entry again from the zip (a new object every time): read it once
    where it is needed and let it go.
    """

    name: str
    path: str
    reader: DocumentReader = field(repr=False, compare=False)

    @property
    def document(self) -> Any:
        """The entry's document, parsed now from the package's zip (``PackageError`` once it is closed
        or if the entry's bytes changed since they were checked)."""
        return self.reader()

    def text(self) -> bytes | None:
        """The entry's JSON text, read now from the package's zip as :attr:`document` is (UTF-8, without
        a byte order mark), for a caller that hands it on unparsed; ``None`` from a reader that has no
        text (an entry made in memory)."""
        text = getattr(self.reader, "text", None)
        return text() if callable(text) else None


@dataclass(frozen=True, slots=True)
class PackageJob(PackageEntry):
    """A job read from a package. ``scripts``: scripts found beside it in its batch-layout folder."""

    scripts: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PackageScript(PackageEntry):
    pass


@dataclass(frozen=True, slots=True)
class PackageResource(PackageEntry):
    pass


@dataclass(frozen=True, slots=True)
class PackageConnection(PackageEntry):
    pass


@dataclass(frozen=True, eq=False)
class Package:
    """Everything a package holds, validated. Lists are sorted by name; ``path`` is the zip entry.

    The package keeps its zip open, so that each entry's document can be read again when it is needed
    (see :class:`PackageEntry`): close it (``close()`` or ``with package_read(...) as package:``) when
    done. One that is never closed is closed when it is garbage collected; closing deletes the
    temporary copy of a package read from a stream.
    """

    layout: ReadLayout
    jobs: list[PackageJob]
    scripts: list[PackageScript]
    resources: list[PackageResource]
    connections: list[PackageConnection]
    environment: list[dict[str, Any]] | None
    ignored: list[str]
    manifest_reader: DocumentReader | None = field(default=None, repr=False)
    closer: Callable[[], None] = field(default=lambda: None, repr=False)

    @property
    def has_manifest(self) -> bool:
        return self.manifest_reader is not None

    @property
    def manifest(self) -> dict[str, Any] | None:
        """Our ``manifest.json``, read again from the zip (``None`` for a DataArts export)."""
        return self.manifest_reader() if self.manifest_reader is not None else None

    @property
    def references(self) -> list[dict[str, Any]]:
        """The manifest's ``references`` (what the exporter said the package needs), or ``[]``."""
        refs = (self.manifest or {}).get("references")
        return [ref for ref in refs if isinstance(ref, dict)] if isinstance(refs, list) else []

    def close(self) -> None:
        """Close the zip (its entries' documents cannot be read any more); closing twice is harmless."""
        self.closer()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
