"""A selection of jobs or scripts as the tree's check boxes make it, resolved on the server.

The tree sends what is ticked compactly (ids, whole directories, the whole category, minus what is
unticked inside them), never the ids of everything under a ticked directory: a directory of 5,000 jobs is
one id. The export and the batch operations (Delete, Move, Unlock, Configure Owner) read it the same way,
through ``selection_where``; ``selection_queryset`` resolves it in one query for the directories' paths
plus the caller's own query, whatever the number of objects.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from factory.development.models import Category, Directory, Job, Resource, Script
from factory.errors import ErrorCode, NotFound, ValidationError
from factory.workspaces.models import Workspace

_NAMES_SHOWN = 20


@dataclass(frozen=True)
class ObjectSelection:
    """Ticked jobs or scripts: ``ids``, everything under ``directory_ids`` (or the whole category with
    ``everything``), minus ``exclude_ids`` and everything under ``exclude_directory_ids``."""

    ids: tuple[int, ...] = ()
    directory_ids: tuple[int, ...] = ()
    exclude_ids: tuple[int, ...] = ()
    exclude_directory_ids: tuple[int, ...] = ()
    everything: bool = False

    @property
    def empty(self) -> bool:
        return not (self.ids or self.directory_ids or self.everything)


def _under(path: str) -> Q:
    """Objects in the directory ``path`` ("/a/b") or anywhere below it; "/" is the whole tree."""
    if path == "/":
        return Q(pk__isnull=False)  # not Q(): an empty Q vanishes when combined with | and &
    return Q(directory__path=path) | Q(directory__path__startswith=path.rstrip("/") + "/")


def _ancestors(path: str) -> Iterator[str]:
    """The directories above ``path``, nearest first, ending with the root "/"."""
    parts = [p for p in path.split("/") if p]
    for end in range(len(parts) - 1, 0, -1):
        yield "/" + "/".join(parts[:end])
    if parts:
        yield "/"


def selection_where(
    *,
    ids: Collection[int] = (),
    names: Collection[str] = (),
    directory_paths: Collection[str] = (),
    everything: bool = False,
    changed_since: datetime | None = None,
    changed_ids: Collection[int] = (),
    exclude_ids: Collection[int] = (),
    exclude_directory_paths: Collection[str] = (),
) -> Q:
    """The filter of a selection, as the tree's check boxes mean it: objects picked by id or name, or
    anywhere under the given directories (recursively), or everything; minus those anywhere under the
    excluded directories and the excluded ids; then only those updated after ``changed_since`` (or
    counted as changed by the caller: ``changed_ids``).

    The nearest decision wins, as in the tree: a directory ticked inside an excluded one is selected again,
    and an id picked explicitly is selected whatever directory it is in (only ``exclude_ids`` drop it).
    Each excluded directory is attached to its nearest selected ancestor, so the filter grows with the
    number of marks, not with their product.
    """
    included = {"/" + str(p).strip("/") for p in directory_paths}
    if everything:
        included.add("/")
    excluded = {"/" + str(p).strip("/") for p in exclude_directory_paths} - included
    holes: dict[str, list[str]] = {path: [] for path in included}
    for path in sorted(excluded):
        nearest = next((a for a in _ancestors(path) if a in included or a in excluded), None)
        if nearest in included:  # under an excluded one it changes nothing; under no selected one neither
            holes[nearest].append(path)
    where = Q(pk__in=[])
    for path in sorted(holes):
        clause = _under(path)
        for hole in holes[path]:
            clause &= ~_under(hole)
        where |= clause
    if ids:
        where |= Q(pk__in=list(ids))
    if names:
        where |= Q(name__in=list(names))
    if exclude_ids:
        where &= ~Q(pk__in=list(exclude_ids))
    if changed_since is not None:
        where &= Q(updated_at__gt=changed_since) | Q(pk__in=list(changed_ids))
    return where


_USING_BATCH = 500  # names per query: each is one containment test of the jobs' nodes


def jobs_using_changed(*, workspace: Workspace, since: datetime) -> set[int]:
    """The ids of the workspace's jobs whose nodes run a script or use a resource changed after
    ``since``: changed too for what carries its dependencies with it (an export, a promotion)."""
    used = [
        ("scriptName", name)
        for name in Script.objects.filter(workspace=workspace, updated_at__gt=since).values_list(
            "name", flat=True
        )
    ] + [
        ("resourceName", name)
        for name in Resource.objects.filter(workspace=workspace, updated_at__gt=since).values_list(
            "name", flat=True
        )
    ]
    found: set[int] = set()
    for start in range(0, len(used), _USING_BATCH):
        clauses = [
            Q(document__nodes__contains=[{"properties": [{"name": prop, "value": name}]}])
            for prop, name in used[start : start + _USING_BATCH]
        ]
        found.update(
            Job.objects.filter(workspace=workspace).filter(reduce(or_, clauses)).values_list("pk", flat=True)
        )
    return found


def _shown(values: list[int]) -> str:
    text = ", ".join(f"#{v}" for v in values[:_NAMES_SHOWN])
    return text + (f" and {len(values) - _NAMES_SHOWN} more" if len(values) > _NAMES_SHOWN else "")


def selection_queryset(
    *, workspace: Workspace, model: type[Job] | type[Script], selection: ObjectSelection
) -> QuerySet:
    """The workspace's selected objects, not yet read: one query reads the paths of the selected and
    excluded directories (none without directories). Refused, naming them: an empty selection, ids both
    selected and excluded, and selected directories not in the workspace's tree of ``model`` (other
    workspaces' directories are as unknown as missing ones). Unknown object ids are the caller's to
    name (``selection_missing``), once it has read what it selected."""
    noun = model.__name__.lower()
    if selection.empty:
        message = f"Select at least one {noun} or directory."
        raise ValidationError(message, code=ErrorCode.SELECTION_EMPTY, fields={"ids": [message]})
    both = sorted(set(selection.ids) & set(selection.exclude_ids))
    if both:
        raise ValidationError(
            f"{model.__name__}s both selected and excluded: {_shown(both)}.",
            code=ErrorCode.SELECTION_CONFLICT,
            fields={"excludeIds": [str(i) for i in both]},
        )
    dirs = sorted(set(selection.directory_ids) & set(selection.exclude_directory_ids))
    if dirs:
        raise ValidationError(
            f"Directories both selected and excluded: {_shown(dirs)}.",
            code=ErrorCode.SELECTION_CONFLICT,
            fields={"excludeDirectoryIds": [str(i) for i in dirs]},
        )
    category = Category.JOB if model is Job else Category.SCRIPT
    wanted = {*selection.directory_ids, *selection.exclude_directory_ids}
    paths: dict[int, str] = {}
    if wanted:
        rows = Directory.objects.filter(workspace=workspace, category=category, pk__in=sorted(wanted))
        paths = dict(rows.values_list("pk", "path"))
    missing = sorted(set(selection.directory_ids) - set(paths))
    if missing:
        raise NotFound(
            f"Directories not found in workspace {workspace.name}: {_shown(missing)}.",
            code=ErrorCode.DIRECTORY_NOT_FOUND,
            fields={"directoryIds": [str(i) for i in missing]},
        )
    where = selection_where(
        ids=selection.ids,
        directory_paths=[paths[i] for i in selection.directory_ids],
        everything=selection.everything,
        exclude_ids=selection.exclude_ids,
        # Excluded directories that no longer exist exclude nothing.
        exclude_directory_paths=[paths[i] for i in selection.exclude_directory_ids if i in paths],
    )
    return model.objects.filter(workspace=workspace).filter(where)


def selection_missing(*, selection: ObjectSelection, found: Collection[int]) -> list[int]:
    """The ids picked explicitly that were not found (in the workspace), in the order given."""
    seen = set(found)
    return [pk for pk in dict.fromkeys(selection.ids) if pk not in seen]


def selection_count(
    *, workspace: Workspace, model: type[Job] | type[Script], selection: ObjectSelection
) -> int:
    """How many objects a selection holds (what a batch's confirmation names), in three queries at most.
    Ids picked explicitly that the workspace does not hold are refused as the batch itself refuses them, so
    that the count tells nothing of other workspaces."""
    if selection.ids:
        found = model.objects.filter(workspace=workspace, pk__in=selection.ids).values_list("pk", flat=True)
        missing = selection_missing(selection=selection, found=set(found))
        if missing:
            noun = model.__name__
            raise NotFound(
                f"{noun} {missing[0]} does not exist.",
                code=model.not_found_code,
                fields={"ids": missing},
            )
    return selection_queryset(workspace=workspace, model=model, selection=selection).count()
