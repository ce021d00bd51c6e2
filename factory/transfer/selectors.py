"""Reads of the export side: selections of jobs and scripts, their dependencies, tasks and the Download Center.

Every read here is one query per kind of object, whatever the number of objects, and iterates with
``.iterator(chunk_size=...)`` so that memory stays flat. Data connections are read with ``.values()``
without ``secrets_encrypted``: an export never even loads the ciphertext.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Exists, F, JSONField, OrderBy, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Collate

from factory.connections.models import DataConnection
from factory.development.models import (
    Category,
    Directory,
    EnvironmentVariable,
    Job,
    JobVersion,
    Resource,
    Script,
    ScriptVersion,
    VersionKind,
)
from factory.errors import ErrorCode, NotFound
from factory.transfer.models import ExportArtifact, JobExportEntry, ScriptExportEntry, SystemTask
from factory.transfer.progress import task_live_merge
from factory.workspaces.models import Membership, Role, Workspace

CHUNK_SIZE = 500
# Documents can be large (a job of 1,000 nodes is megabytes): read them a hundred at a time.
DOCUMENT_CHUNK_SIZE = 100
# Kept export entries hold deflated bytes (a few KB each).
KEPT_CHUNK_SIZE = 200
# Above this many names an ``IN (...)`` list is replaced by a scan of the workspace's rows filtered in
# Python: still one query, and no database's limit on bound parameters is ever reached.
MAX_IN_NAMES = 2000

_Row = TypeVar("_Row", bound=tuple[Any, ...])

DEVELOP = "develop"
SUBMIT = "submit"


@dataclass(frozen=True)
class ObjectRow:
    """One job or script as an export reads it: the development document, or the latest submitted one
    (``None`` when ``status`` is submit and it was never submitted)."""

    pk: int
    name: str
    document: dict[str, Any] | None


def by_name() -> OrderBy:
    """Ordering by name in Python's string order, which the package writer demands of a stream: PostgreSQL
    compares by its locale unless told ``COLLATE "C"``; SQLite's default (binary) order already is it."""
    return _by("name")


def _by(field: str) -> OrderBy:
    if connection.vendor == "postgresql":
        return Collate(F(field), "C").asc()
    return F(field).asc()


def _model_for(category: str) -> tuple[type[Job | Script], type[JobVersion | ScriptVersion], str]:
    if category == Category.SCRIPT:
        return Script, ScriptVersion, "script"
    return Job, JobVersion, "job"


def export_directories_get(
    *, workspace: Workspace, category: str, directory_ids: Collection[int]
) -> dict[int, str]:
    """The paths of the given directories of one tree of the workspace, by id (unknown ids are absent)."""
    if not directory_ids:
        return {}
    rows = Directory.objects.filter(workspace=workspace, category=category, pk__in=list(directory_ids))
    return dict(rows.values_list("pk", "path"))


def export_directories_by_paths(*, workspace: Workspace, category: str, paths: Collection[str]) -> set[str]:
    """Which of the given directory paths ("/a/b") exist in one tree of the workspace."""
    if not paths:
        return set()
    rows = Directory.objects.filter(workspace=workspace, category=category, path__in=sorted(set(paths)))
    return set(rows.values_list("path", flat=True))


@dataclass(frozen=True)
class SelectionRow:
    """A selected job or script as the selection sees it: a few small columns, never the document."""

    pk: int
    name: str
    updated_at: datetime
    submitted: bool


def export_selection_list(
    *, workspace: Workspace, category: str, where: Q, status: str
) -> list[SelectionRow]:
    """Every selected job or script of the workspace, by name. With ``status`` submit, ``submitted`` says
    whether it has a submitted version; otherwise it is always true."""
    model, version_model, fk = _model_for(category)
    rows = model.objects.filter(workspace=workspace).filter(where).order_by(by_name())
    if status == SUBMIT:
        submitted = version_model.objects.filter(**{fk: OuterRef("pk")}, kind=VersionKind.SUBMITTED)
        values = rows.annotate(submitted=Exists(submitted)).values_list(
            "pk", "name", "updated_at", "submitted"
        )
        return [SelectionRow(pk, name, at, bool(sub)) for pk, name, at, sub in values.iterator(CHUNK_SIZE)]
    plain = rows.values_list("pk", "name", "updated_at")
    return [SelectionRow(pk, name, at, True) for pk, name, at in plain.iterator(CHUNK_SIZE)]


def _rows(*, model: type[Job | Script], category: str, queryset: QuerySet[Any], status: str) -> QuerySet[Any]:
    _, version_model, fk = _model_for(category)
    if status == SUBMIT:
        latest = (
            version_model.objects.filter(**{fk: OuterRef("pk")}, kind=VersionKind.SUBMITTED)
            .order_by("-number")
            .values("document")[:1]
        )
        queryset = queryset.annotate(export_document=Subquery(latest, output_field=JSONField()))
        return queryset.values_list("pk", "name", "export_document")
    return queryset.values_list("pk", "name", "document")


class NamesInOrder(Collection[str]):
    """Names given in name order (Python's string order) each once, too many to hold as a set: iterated,
    never looked up, by a merge with rows read in the same order."""


def _picked(
    *, workspace: Workspace, category: str, pks: Collection[int], names: Collection[str]
) -> tuple[type[Job | Script], QuerySet[Any], Iterable[str] | None]:
    """The jobs or scripts picked by primary key or by name, by name; with many names, the whole
    workspace, to be narrowed to the names returned (in name order; see ``MAX_IN_NAMES`` and
    :func:`_named_only`)."""
    model, _, _ = _model_for(category)
    queryset = model.objects.filter(workspace=workspace)
    wanted: Iterable[str] | None = None
    if pks:
        queryset = queryset.filter(pk__in=list(pks))
    elif len(names) <= MAX_IN_NAMES:
        queryset = queryset.filter(name__in=sorted(set(names)))
    else:
        wanted = names if isinstance(names, NamesInOrder) else sorted(set(names))
    return model, queryset.order_by(by_name()), wanted


def _named_only(rows: Iterable[_Row], wanted: Iterable[str] | None) -> Iterator[_Row]:
    """The rows (``(pk, name, ...)``, in name order) whose names are ``wanted`` (in name order too), in one
    pass over both: nothing is held but the current name of each."""
    if wanted is None:
        yield from rows
        return
    names = iter(wanted)
    name = next(names, None)
    for row in rows:
        while name is not None and name < row[1]:
            name = next(names, None)
        if name is None:
            return
        if name == row[1]:
            yield row


def export_object_rows(
    *,
    workspace: Workspace,
    category: str,
    status: str,
    pks: Collection[int] = (),
    names: Collection[str] = (),
) -> Iterator[ObjectRow]:
    """The documents of jobs or scripts picked by primary key or by name, by name, in one query."""
    model, queryset, wanted = _picked(workspace=workspace, category=category, pks=pks, names=names)
    rows = _rows(model=model, category=category, queryset=queryset, status=status)
    for pk, name, document in _named_only(rows.iterator(DOCUMENT_CHUNK_SIZE), wanted):
        yield ObjectRow(pk=pk, name=name, document=document)


@dataclass(frozen=True)
class ObjectSource:
    """A selected job or script and what an export of it would read, without the document: ``source`` is
    ``v<id>`` for its latest submitted version (status submit; None when never submitted) or
    ``r<revision>:<directory path>`` for its development state (a move changes the document's
    ``directory`` but not its revision)."""

    pk: int
    name: str
    source: str | None


def _sourced(
    *, model: type[Job | Script], category: str, queryset: QuerySet[Any], status: str, documents: bool
) -> QuerySet[Any]:
    """``queryset`` as ``(pk, name, source parts..., [document])`` rows; see :func:`_source`."""
    _, version_model, fk = _model_for(category)
    if status == SUBMIT:
        latest = version_model.objects.filter(**{fk: OuterRef("pk")}, kind=VersionKind.SUBMITTED).order_by(
            "-number"
        )
        queryset = queryset.annotate(export_version=Subquery(latest.values("pk")[:1]))
        if documents:
            queryset = queryset.annotate(
                export_document=Subquery(latest.values("document")[:1], output_field=JSONField())
            )
            return queryset.values_list("pk", "name", "export_version", "export_document")
        return queryset.values_list("pk", "name", "export_version")
    if documents:
        return queryset.values_list("pk", "name", "revision", "directory__path", "document")
    return queryset.values_list("pk", "name", "revision", "directory__path")


def _source(status: str, parts: tuple[Any, ...]) -> str | None:
    if status == SUBMIT:
        return None if parts[0] is None else f"v{parts[0]}"
    return f"r{parts[0]}:{parts[1] or '/'}"


KEPT_COLUMNS = ("key", "sha256", "size", "deflated", "references")


def export_object_sources_kept(
    *,
    workspace: Workspace,
    category: str,
    status: str,
    variant: str,
    pks: Collection[int] = (),
    names: Collection[str] = (),
) -> Iterator[tuple[ObjectSource, tuple[Any, ...] | None]]:
    """What :func:`export_object_rows` would read, as sources instead of documents, by name, each with its
    kept entry of ``variant`` (``KEPT_COLUMNS``) if it has one, whatever its key: two queries, both read
    in name order and merged, so that nothing is held."""
    model, queryset, wanted = _picked(workspace=workspace, category=category, pks=pks, names=names)
    rows = _sourced(model=model, category=category, queryset=queryset, status=status, documents=False)
    fk = "script" if category == Category.SCRIPT else "job"
    entry_model = ScriptExportEntry if category == Category.SCRIPT else JobExportEntry
    entries = (
        entry_model.objects.filter(variant=variant, **{f"{fk}__in": queryset.order_by().values("pk")})
        .order_by(_by(f"{fk}__name"))
        .values_list(f"{fk}_id", f"{fk}__name", *KEPT_COLUMNS)
        .iterator(KEPT_CHUNK_SIZE)
    )
    entry = next(entries, None)
    for pk, name, *parts in _named_only(rows.iterator(CHUNK_SIZE), wanted):
        while entry is not None and entry[1] < name:
            entry = next(entries, None)
        kept = entry[2:] if entry is not None and entry[0] == pk else None
        yield ObjectSource(pk=pk, name=name, source=_source(status, tuple(parts))), kept


def export_object_documents(
    *, workspace: Workspace, category: str, status: str, pks: Collection[int]
) -> Iterator[tuple[ObjectSource, dict[str, Any] | None]]:
    """The documents of the given jobs or scripts, each with its source read from the same row (so that
    what is kept under a source is what that source holds), by name, in one query."""
    if not pks:
        return
    model, _, _ = _model_for(category)
    queryset = model.objects.filter(_pk_among(pks), workspace=workspace).order_by(by_name())
    rows = _sourced(model=model, category=category, queryset=queryset, status=status, documents=True)
    for pk, name, *parts, document in rows.iterator(DOCUMENT_CHUNK_SIZE):
        yield ObjectSource(pk=pk, name=name, source=_source(status, tuple(parts))), document


def _pk_among(pks: Collection[int]) -> Q:
    """The rows whose primary key is one of ``pks``: on PostgreSQL one array parameter (``unnest``) rather
    than a placeholder each, which for the 200,000 scripts of a first export cost the query's text and the
    driver's bookkeeping some 50 MB at once."""
    if connection.vendor != "postgresql":
        return Q(pk__in=list(pks))
    return Q(pk__in=RawSQL("SELECT unnest(%s::bigint[])", (list(pks),)))


def _by_names(queryset: QuerySet[Any], names: Collection[str]) -> tuple[QuerySet[Any], set[str] | None]:
    """``queryset`` narrowed to ``names``: by ``IN`` when the list is short, otherwise by a Python filter
    (the second value) over one scan of the workspace."""
    wanted = set(names)
    if len(wanted) <= MAX_IN_NAMES:
        return queryset.filter(name__in=sorted(wanted)), None
    return queryset, wanted


def export_resources_by_names(*, workspace: Workspace, names: Collection[str]) -> Iterator[dict[str, Any]]:
    """Resource definitions ``{name, type, location, document}`` with the given names, by name."""
    if not names:
        return
    queryset, wanted = _by_names(Resource.objects.filter(workspace=workspace).order_by(by_name()), names)
    for row in queryset.values("name", "type", "location", "document").iterator(CHUNK_SIZE):
        if wanted is None or row["name"] in wanted:
            yield row


def export_connections_by_names(*, workspace: Workspace, names: Collection[str]) -> Iterator[dict[str, Any]]:
    """Data connection definitions ``{name, type, config, description, secret_fields}`` with the given
    names, by name. ``secrets_encrypted`` is never selected; ``secret_fields`` holds only the names of
    the secrets that are set, so that the export can drop any such key that strayed into ``config``."""
    if not names:
        return
    queryset, wanted = _by_names(
        DataConnection.objects.filter(workspace=workspace).order_by(by_name()), names
    )
    for row in queryset.values("name", "type", "config", "description", "secret_fields").iterator(CHUNK_SIZE):
        if wanted is None or row["name"] in wanted:
            yield row


def export_environment_by_names(*, workspace: Workspace, names: Collection[str]) -> Iterator[dict[str, Any]]:
    """Workspace environment variables ``{name, value, description}`` with the given names, by name."""
    if not names:
        return
    queryset, wanted = _by_names(
        EnvironmentVariable.objects.filter(workspace=workspace).order_by(by_name()), names
    )
    for row in queryset.values("name", "value", "description").iterator(CHUNK_SIZE):
        if wanted is None or row["name"] in wanted:
            yield row


def system_task_get(
    *, workspace: Workspace, user: User, public_id: str, is_admin: bool, live: bool = False
) -> SystemTask:
    """A task of the workspace by its public id, with its subtasks. Users see the tasks they started;
    workspace admins see all. Anything else is reported as not found. ``live``: a RUNNING task comes
    with the progress its worker published (``task_live_merge``), for reading only."""
    task = (
        SystemTask.objects.filter(workspace=workspace, public_id=public_id)
        .prefetch_related("subtasks")
        .first()
    )
    if task is None or not (is_admin or task.created_by_id == user.pk):
        raise NotFound(f"Task {public_id} not found.", code=ErrorCode.TASK_NOT_FOUND)
    return task_live_merge(task) if live else task


def export_artifact_list(*, workspace: Workspace, user: User, is_admin: bool) -> QuerySet[ExportArtifact]:
    """The Download Center: the user's exports (every user's for workspace admins), newest first."""
    rows = ExportArtifact.objects.filter(workspace=workspace).select_related("task", "user", "workspace")
    if not is_admin:
        rows = rows.filter(user=user)
    return rows.order_by("-created_at", "-pk")


def export_artifact_get(
    *, workspace: Workspace, user: User, is_admin: bool, artifact_id: int
) -> ExportArtifact:
    artifact = (
        export_artifact_list(workspace=workspace, user=user, is_admin=is_admin).filter(pk=artifact_id).first()
    )
    if artifact is None:
        raise NotFound(f"Download {artifact_id} not found.", code=ErrorCode.DOWNLOAD_NOT_FOUND)
    return artifact


def workspace_first_admin(*, workspace: Workspace) -> User | None:
    """The workspace's earliest admin: who the CLI exports as when no user is named."""
    membership = (
        Membership.objects.filter(workspace=workspace, role=Role.ADMIN)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None
