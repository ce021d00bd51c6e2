"""The objects a package is made of, on the way in (writer) and on the way out (reader)."""

from __future__ import annotations

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
    ``{"type": "DWS_CONNECTION", "name": "doctest", ...}``; the app's node registry computes them.
    """

    scope: Scope
    job_status: JobStatus
    workspace: str
    user: str
    exported_at: str
    references: list[dict[str, Any]] = field(default_factory=list)
    format_version: str = FORMAT_VERSION


@dataclass(frozen=True)
class PackageJob:
    """A job read from a package. ``scripts``: scripts found beside it in its batch-layout folder."""

    name: str
    path: str
    document: dict[str, Any]
    scripts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PackageScript:
    name: str
    path: str
    document: dict[str, Any]


@dataclass(frozen=True)
class PackageResource:
    name: str
    path: str
    document: dict[str, Any]


@dataclass(frozen=True)
class PackageConnection:
    name: str
    path: str
    document: dict[str, Any]


@dataclass(frozen=True)
class Package:
    """Everything a package holds, validated. Lists are sorted by name; ``path`` is the zip entry."""

    layout: ReadLayout
    manifest: dict[str, Any] | None
    jobs: list[PackageJob]
    scripts: list[PackageScript]
    resources: list[PackageResource]
    connections: list[PackageConnection]
    environment: list[dict[str, Any]] | None
    ignored: list[str]

    @property
    def references(self) -> list[dict[str, Any]]:
        """The manifest's ``references`` (what the exporter said the package needs), or ``[]``."""
        refs = (self.manifest or {}).get("references")
        return [ref for ref in refs if isinstance(ref, dict)] if isinstance(refs, list) else []
