"""Which jobs and scripts use an object by name: what a delete confirmation lists (DataArts' "Reference
List"). One query per kind of user (jobs, scripts), never one per job: the database narrows the documents
to those whose text holds the name, and the node registry (``job_references``) decides which of them
really refer to it, in which property, so that a name merely mentioned in SQL does not count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from factory.development.models import Job, Script
from factory.development.nodes import NODE_TYPES, SCRIPT, job_references
from factory.workspaces.models import Workspace

# Script types name the node type that runs them ("DWSSQL", "HiveSQL"): its reference fields, read at the
# script's top level, are what a script refers to (the export reads scripts the same way).
_SCRIPT_NODE_TYPES = {code.lower(): node_type for code, node_type in NODE_TYPES.items()}


@dataclass(frozen=True)
class Usages:
    jobs: list[str]
    scripts: list[str]


def _narrowed(queryset: QuerySet, name: str) -> QuerySet:
    # SQLite keeps JSON ASCII-escaped, so a text search for a non-ASCII name would miss: read them all.
    return queryset.filter(document__icontains=name) if name.isascii() else queryset


def _script_refers(document: Any, kind: str, name: str) -> bool:
    if not isinstance(document, dict):
        return False
    node_type = _SCRIPT_NODE_TYPES.get(str(document.get("type") or "").lower())
    for f in node_type.reference_fields if node_type else ():
        value = document.get(f.name)
        if f.refers_to == kind and f.refers_to != SCRIPT and isinstance(value, str) and value.strip() == name:
            return True
    return False


def object_usages(*, workspace: Workspace, kind: str, name: str) -> Usages:
    """The jobs and scripts of ``workspace`` that refer to the ``kind`` object named ``name``
    (``kind`` is one of ``factory.development.nodes.REFERENCE_KINDS``), sorted by name."""
    jobs = sorted(
        job_name
        for job_name, document in _narrowed(Job.objects.filter(workspace=workspace), name)
        .values_list("name", "document")
        .iterator()
        if any(r.kind == kind and r.name == name for r in job_references(document or {}))
    )
    scripts = sorted(
        script_name
        for script_name, document in _narrowed(Script.objects.filter(workspace=workspace), name)
        .values_list("name", "document")
        .iterator()
        if _script_refers(document, kind, name)
    )
    return Usages(jobs=jobs, scripts=scripts)
