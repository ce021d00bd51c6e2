"""Which of a job's node references name nothing in its workspace: what the canvas flags.

An import may leave a missing script or cloud object unresolved (DataArts imports such a job and fails it
when it is scheduled), and an object a job uses may be deleted later. Neither is stored: the job detail
reads it afresh from the document, so that the flag goes as soon as the object exists or the node is
changed. One query per kind of object the job names (never one per node or per reference).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from factory.development.models import Job, Resource, Script
from factory.development.nodes import (
    BUILTIN_OBJECTS,
    CONNECTION,
    EXTERNAL_KINDS,
    JOB,
    RESOURCE,
    SCRIPT,
    job_references,
)

from .models import DataConnection, ExternalObject

_CHECKED_KINDS = frozenset({CONNECTION, *EXTERNAL_KINDS, SCRIPT, RESOURCE, JOB})


@dataclass(frozen=True)
class UnresolvedReference:
    """A node property naming an object the workspace does not hold."""

    node: str
    kind: str
    name: str
    property: str


def job_unresolved_references(*, workspace_id: int, document: Any) -> list[UnresolvedReference]:
    """The references of ``document``'s nodes (a job's) that name no object of the workspace, sorted by
    kind, name, node and property. Schedule-level references (the jobs a
    schedule waits for) are not a node's and are left out; environment variables may be set by the
    scheduler's environment and are not checked either."""
    refs = [
        ref
        for ref in job_references(document if isinstance(document, dict) else {})
        if ref.node is not None
        and ref.property is not None
        and ref.kind in _CHECKED_KINDS
        and (ref.kind, ref.name) not in BUILTIN_OBJECTS
    ]
    if not refs:
        return []
    wanted: dict[str, set[str]] = {}
    for ref in refs:
        wanted.setdefault(ref.kind, set()).add(ref.name)
    existing = _existing(workspace_id=workspace_id, wanted=wanted)
    return [
        UnresolvedReference(node=str(ref.node), kind=ref.kind, name=ref.name, property=str(ref.property))
        for ref in refs
        if (ref.kind, ref.name) not in existing
    ]


def _existing(*, workspace_id: int, wanted: dict[str, set[str]]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    named: dict[str, type[Script | Resource | Job | DataConnection]] = {
        SCRIPT: Script,
        RESOURCE: Resource,
        JOB: Job,
        CONNECTION: DataConnection,
    }
    for kind, model in named.items():
        if kind in wanted:
            names = model.objects.filter(workspace_id=workspace_id, name__in=sorted(wanted[kind]))
            found |= {(kind, name) for name in names.values_list("name", flat=True)}
    externals = {kind: names for kind, names in wanted.items() if kind in EXTERNAL_KINDS}
    if externals:
        # One query for every kind of cloud object: a (kind, name) pair outside `wanted` is ignored below.
        rows = ExternalObject.objects.filter(
            workspace_id=workspace_id,
            kind__in=sorted(externals),
            name__in=sorted(set().union(*externals.values())),
        ).values_list("kind", "name")
        found |= set(rows)
    return found
