"""Recognising what each path of a package is, in either DataArts layout or a mixture of both.

Single export: ``jobs/<job>.job``, ``scripts/<s>.script``, ``resources/<r>.resource``.
Batch export: ``jobs/<dir>/<job>.job`` with that job's scripts as ``jobs/<dir>/<s>.script``.
Both: ``connections/<c>.conn``, ``environment/variables.json`` and our ``manifest.json``. Anything
else (``__MACOSX/``, ``.DS_Store``, a README) is ignored and reported, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from factory.packages import paths

Kind = Literal["job", "script", "resource", "connection", "environment", "manifest"]
JUNK_DIRS = frozenset({"__MACOSX"})
JUNK_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
FLAT_KINDS: dict[str, tuple[str, Kind]] = {
    paths.JOBS_DIR: (paths.JOB_SUFFIX, "job"),
    paths.SCRIPTS_DIR: (paths.SCRIPT_SUFFIX, "script"),
    paths.RESOURCES_DIR: (paths.RESOURCE_SUFFIX, "resource"),
    paths.CONNECTIONS_DIR: (paths.CONNECTION_SUFFIX, "connection"),
}


@dataclass(frozen=True)
class Placement:
    """What a path holds: its kind, the file name's stem and, for batch layout, the job folder."""

    kind: Kind
    stem: str = ""
    folder: str | None = None


def is_junk(path: str) -> bool:
    """Files that operating systems add when users zip a folder by hand."""
    segments = path.split("/")
    return segments[0] in JUNK_DIRS or segments[-1] in JUNK_FILES or segments[-1].startswith("._")


def wrapper_prefix(file_paths: list[str]) -> str:
    """The one folder wrapping a re-zipped package (``export/jobs/a.job``), to strip; else ``""``.

    Only stripped when every (non-junk) entry sits below the same folder and none is already at a
    package root, so a real package is never misread.
    """
    relevant = [path for path in file_paths if not is_junk(path)]
    if not relevant or any("/" not in path for path in relevant):
        return ""
    firsts = {path.split("/", 1)[0] for path in relevant}
    if len(firsts) != 1 or firsts & paths.ROOT_NAMES:
        return ""
    return f"{firsts.pop()}/"


def _stem(name: str, suffix: str) -> str | None:
    if name.endswith(suffix) and len(name) > len(suffix):
        return name[: -len(suffix)]
    return None


def classify(path: str) -> Placement | None:
    """The placement of a package-relative path, or ``None`` for an entry the reader ignores."""
    if is_junk(path):
        return None
    if path == paths.MANIFEST_PATH:
        return Placement(kind="manifest")
    if path == paths.ENVIRONMENT_PATH:
        return Placement(kind="environment")
    segments = path.split("/")
    if len(segments) == 2 and segments[0] in FLAT_KINDS:
        suffix, kind = FLAT_KINDS[segments[0]]
        stem = _stem(segments[1], suffix)
        return Placement(kind=kind, stem=stem) if stem else None
    if len(segments) == 3 and segments[0] == paths.JOBS_DIR:
        for suffix, kind in ((paths.JOB_SUFFIX, "job"), (paths.SCRIPT_SUFFIX, "script")):
            stem = _stem(segments[2], suffix)
            if stem:
                return Placement(kind=kind, stem=stem, folder=segments[1])
    return None
