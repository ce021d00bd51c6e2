"""The directory tree, read lazily one directory at a time, as the console's tree panel shows it.

A constant number of queries whatever the size of the folder or workspace, and only the columns the
tree shows: documents are never loaded here.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Q

from factory.development.models import Category, Directory, Job, Resource, ScheduleStatus, Script
from factory.development.selectors.objects import directory_get
from factory.errors import ValidationError
from factory.workspaces.models import Workspace

TREE_DEFAULT_LIMIT = 200
TREE_MAX_LIMIT = 1000

_MODELS: dict[str, type[Job] | type[Script] | type[Resource]] = {
    Category.JOB: Job,
    Category.SCRIPT: Script,
    Category.RESOURCE: Resource,
}
_COMMON = ("id", "name", "updated_at", "directory__path")
_LOCKED = ("owner", "lock_holder_id", "lock_holder__username", "revision", "submitted_revision")
_FIELDS: dict[str, tuple[str, ...]] = {
    Category.JOB: (*_COMMON, *_LOCKED, "process_type", "schedule_status"),
    Category.SCRIPT: (*_COMMON, *_LOCKED, "type"),
    Category.RESOURCE: (*_COMMON, "type"),
}


def _element(category: str, row: dict[str, Any], *, user_id: int | None) -> dict[str, Any]:
    locked = category != Category.RESOURCE
    return {
        "category": category,
        "id": row["id"],
        "name": row["name"],
        "directory": row["directory__path"] or "/",
        "owner": row.get("owner", ""),
        "processType": row.get("process_type"),
        "scriptType": row["type"] if category == Category.SCRIPT else None,
        "resourceType": row["type"] if category == Category.RESOURCE else None,
        "lockHolder": row["lock_holder__username"] if locked else None,
        "lockedByMe": locked and row["lock_holder_id"] is not None and row["lock_holder_id"] == user_id,
        "submitted": locked and row["submitted_revision"] == row["revision"],
        "scheduled": row.get("schedule_status") == ScheduleStatus.SCHEDULING,
        "updatedAt": row["updated_at"],
    }


def _directory(directory: Directory | None) -> dict[str, Any]:
    if directory is None:
        return {"id": None, "name": "/", "path": "/", "parentId": None, "hasChildren": True}
    return {
        "id": directory.pk,
        "name": directory.name,
        "path": directory.path,
        "parentId": directory.parent_id,
        "hasChildren": True,
    }


def directory_tree_get(
    *,
    workspace: Workspace,
    category: str,
    parent_id: int | None,
    search: str | None,
    offset: int,
    limit: int,
    user: User,
) -> dict[str, Any]:
    """The children of one directory (the root when ``parent_id`` is None): all its sub-directories,
    then a page of its elements (jobs, scripts or resources) by name, with the elements' ``count``.

    With ``search``, the elements anywhere in the tree whose name (or owner) contains it, with their
    directory paths, and no sub-directories.
    """
    if category not in _MODELS:
        message = f"Unknown tree {category!r}; use one of {', '.join(Category.values)}."
        raise ValidationError(message, fields={"category": message})
    model = _MODELS[category]
    offset = max(0, offset)
    limit = min(max(1, limit), TREE_MAX_LIMIT)
    search = (search or "").strip()
    elements = model.objects.filter(workspace=workspace)
    directories: list[dict[str, Any]] = []
    parent = None
    if search:
        match = Q(name__icontains=search)
        if category != Category.RESOURCE:
            match |= Q(owner__icontains=search)
        elements = elements.filter(match)
    else:
        if parent_id is not None:
            parent = directory_get(workspace=workspace, directory_id=parent_id, category=category)
        elements = elements.filter(directory=parent)
        rows = (
            Directory.objects.filter(workspace=workspace, category=category, parent=parent)
            .annotate(
                has_dirs=Exists(Directory.objects.filter(parent=OuterRef("pk"))),
                has_elements=Exists(model.objects.filter(directory=OuterRef("pk"))),
            )
            .order_by("name")
            .values("id", "name", "path", "parent_id", "has_dirs", "has_elements")
        )
        directories = [
            {
                "id": row["id"],
                "name": row["name"],
                "path": row["path"],
                "parentId": row["parent_id"],
                "hasChildren": row["has_dirs"] or row["has_elements"],
            }
            for row in rows
        ]
    count = elements.count()
    page = elements.order_by("name", "id").values(*_FIELDS[category])[offset : offset + limit]
    return {
        "category": category,
        "directory": _directory(parent),
        "search": search or None,
        "directories": directories,
        "elements": [_element(category, row, user_id=user.pk) for row in page],
        "count": count,
        "offset": offset,
        "limit": limit,
    }
