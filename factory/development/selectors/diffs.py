"""Compare Versions: the structural differences between two versions of a job or a script (or a version
and the development state), by ``factory.packages.diff``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Generic, Literal, TypeVar

from factory.development.models import Job, JobVersion, Script, ScriptVersion, VersionKind
from factory.development.nodes import NODE_TYPES
from factory.development.selectors.objects import job_version_get, script_version_get
from factory.packages.diff import JobDiff, ScriptDiff, job_diff, script_diff

DEVELOPMENT: Final = "development"
VersionRef = int | Literal["development"]
"""A version's id, or ``"development"`` for the development state as saved."""

NODE_SENSITIVE_PROPERTIES: dict[str, frozenset[str]] = {
    code: node_type.sensitive_fields for code, node_type in NODE_TYPES.items() if node_type.sensitive_fields
}
"""The registry's always-secret properties per node type, for ``job_diff``."""

Diff = TypeVar("Diff", JobDiff, ScriptDiff)


@dataclass(frozen=True)
class DiffSide:
    """One side of a comparison: a saved or submitted version, or the development state."""

    kind: str  # "saved" | "submitted" | "development"
    version_id: int | None
    number: int | None
    created_by: str | None
    created_at: datetime | None
    document: dict[str, Any]


@dataclass(frozen=True)
class VersionsDiff(Generic[Diff]):
    old: DiffSide
    new: DiffSide
    diff: Diff


def _side(obj: Job | Script, version: JobVersion | ScriptVersion | None) -> DiffSide:
    if version is None:
        return DiffSide(
            kind=DEVELOPMENT,
            version_id=None,
            number=None,
            created_by=obj.updated_by.get_username() if obj.updated_by else None,
            created_at=obj.updated_at,
            document=obj.document or {},
        )
    return DiffSide(
        kind=version.kind,
        version_id=version.pk,
        number=version.number,
        created_by=version.created_by.get_username() if version.created_by else None,
        created_at=version.created_at,
        document=version.document or {},
    )


def _latest_submitted(obj: Job | Script) -> JobVersion | ScriptVersion | None:
    return obj.versions.filter(kind=VersionKind.SUBMITTED).order_by("-number").first()


def _version(obj: Job | Script, ref: VersionRef | None) -> JobVersion | ScriptVersion | None:
    """The version ``ref`` names (``None``: the latest submitted one), or ``None`` for the development
    state; NotFound for a version of another object."""
    if ref is None:
        return _latest_submitted(obj)
    if ref == DEVELOPMENT:
        return None
    if isinstance(obj, Job):
        return job_version_get(job=obj, version_id=int(ref))
    return script_version_get(script=obj, version_id=int(ref))


def job_versions_diff(
    *, job: Job, old: VersionRef | None = None, new: VersionRef = DEVELOPMENT
) -> VersionsDiff[JobDiff]:
    """What changed from ``old`` to ``new``: versions of ``job`` or its development state; ``old`` by
    default the latest submitted version (the development state when there is none), so that the default
    says what is not submitted yet."""
    before, after = _side(job, _version(job, old)), _side(job, _version(job, new))
    diff = job_diff(before.document, after.document, sensitive_properties=NODE_SENSITIVE_PROPERTIES)
    return VersionsDiff(old=before, new=after, diff=diff)


def script_versions_diff(
    *, script: Script, old: VersionRef | None = None, new: VersionRef = DEVELOPMENT
) -> VersionsDiff[ScriptDiff]:
    """What changed from ``old`` to ``new`` (versions of ``script``, or its development state), as
    ``job_versions_diff``."""
    before, after = _side(script, _version(script, old)), _side(script, _version(script, new))
    return VersionsDiff(old=before, new=after, diff=script_diff(before.document, after.document))
