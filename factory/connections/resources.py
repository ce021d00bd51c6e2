"""Writes of resources: JARs, Python files, files and archives at an OBS (or HDFS) location, used by
DLI Spark, MRS Spark, MapReduce and Flink nodes. A resource is kept as DataArts' create-resource body
(``name, type, location, dependFiles, desc, directory``), unknown keys included.

An import writes many at once (``resources_import_check`` then ``resources_import_save``): the same checks
and end state as ``resource_create`` / ``resource_update``, in a constant number of queries per batch."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from factory.development.models import Category, Resource
from factory.development.services import ImportEntry, directories_ensure, directory_ensure, rows_update
from factory.development.validation import directory_path_normalize
from factory.errors import Conflict, DomainError, ErrorCode, ValidationError
from factory.packages.errors import PackageError
from factory.packages.schema import resource_document_validate
from factory.workspaces.models import Workspace

from .selectors import resource_referencing_jobs
from .services import full_clean

LOCATION_SCHEMES = ("obs://", "hdfs://")
MAX_LOCATION_LENGTH = 1023
MAX_DEPEND_FILES_LENGTH = 10240
BATCH_SIZE = 500  # rows per INSERT or UPDATE statement


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError(f"{field}: {message}", fields={field: [message]})


def _location_check(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.startswith(LOCATION_SCHEMES) or len(value) <= len("obs://"):
        raise _invalid(field, "An OBS path (obs://bucket/key) or an HDFS path (hdfs://...).")
    if len(value) > MAX_LOCATION_LENGTH:
        raise _invalid(field, f"At most {MAX_LOCATION_LENGTH} characters.")
    return value


def resource_document_check(*, document: Any) -> dict[str, Any]:
    """A valid resource document (a copy; unknown keys kept), or a ValidationError naming the field.

    The package format's rules first (what the console stores is what a package may carry), then the
    console's own: locations are OBS or HDFS paths.
    """
    try:
        resource_document_validate(document=document)
    except PackageError as exc:
        field = exc.field or "document"
        raise ValidationError(f"{field}: {exc.message}", fields={field: [exc.message]}) from exc
    doc = copy.deepcopy(document)
    _location_check(doc["location"], "location")
    depend = doc.get("dependFiles") or []
    for item in depend:
        _location_check(item, "dependFiles")
    if len(json.dumps(depend)) > MAX_DEPEND_FILES_LENGTH:
        raise _invalid("dependFiles", f"At most {MAX_DEPEND_FILES_LENGTH} characters in all.")
    doc["dependFiles"] = depend
    doc["desc"] = doc.get("desc") or ""
    doc["directory"] = doc.get("directory") or "/"
    return doc


def _name_free(*, workspace: Workspace, name: str, exclude_pk: int | None = None) -> None:
    taken = Resource.objects.filter(workspace=workspace, name=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise Conflict(f"A resource named {name} already exists.", code=ErrorCode.RESOURCE_EXISTS)


def _apply(*, resource: Resource, doc: dict[str, Any]) -> Resource:
    directory = directory_ensure(
        workspace=resource.workspace, category=Category.RESOURCE, path=doc["directory"]
    )
    doc["directory"] = directory.path if directory is not None else "/"
    resource.directory = directory
    resource.name = doc["name"]
    resource.type = doc["type"]
    resource.location = doc["location"]
    resource.document = doc
    full_clean(resource, validate_constraints=False)
    resource.save()
    return resource


@transaction.atomic
def resource_create(*, workspace: Workspace, user: User | None, document: dict[str, Any]) -> Resource:
    doc = resource_document_check(document=document)
    _name_free(workspace=workspace, name=doc["name"])
    resource = Resource(
        workspace=workspace, created_by=user if user is not None and user.is_authenticated else None
    )
    return _apply(resource=resource, doc=doc)


@transaction.atomic
def resource_update(*, resource: Resource, user: User | None, document: dict[str, Any]) -> Resource:
    """Replace a resource's definition (the whole document, as DataArts' update-resource does)."""
    doc = resource_document_check(document=document)
    _name_free(workspace=resource.workspace, name=doc["name"], exclude_pk=resource.pk)
    return _apply(resource=resource, doc=doc)


def resource_delete(*, resource: Resource) -> None:
    """Delete a resource no job uses; DataArts blocks deleting a referenced resource too."""
    jobs = resource_referencing_jobs(workspace=resource.workspace, name=resource.name)
    if jobs:
        shown = ", ".join(jobs[:10]) + (f" and {len(jobs) - 10} more" if len(jobs) > 10 else "")
        raise Conflict(
            f"Resource {resource.name} is used by jobs {shown}; change them first.",
            code=ErrorCode.RESOURCE_REFERENCED,
            fields={"jobs": jobs},
        )
    resource.delete()


# --- many at once, for an import -----------------------------------------------------------------------


@dataclass
class ResourceChecked:
    """A resource document that passed every check: ready for ``resources_import_save``."""

    document: dict[str, Any]
    directory: str  # the canonical path, "/" for the root
    resource: Resource | None  # the one it overwrites


def _created_by(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def _import_check_one(entry: ImportEntry, *, workspace: Workspace) -> ResourceChecked:
    doc = resource_document_check(document=entry.document)
    directory = directory_path_normalize(doc["directory"])
    probe = Resource(workspace=workspace, name=doc["name"], type=doc["type"], location=doc["location"])
    probe.document = doc
    full_clean(
        probe,
        exclude=["workspace", "directory", "created_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    return ResourceChecked(document=doc, directory=directory, resource=entry.obj)


def resources_import_check(
    *, workspace: Workspace, entries: Sequence[ImportEntry[Resource]]
) -> list[ResourceChecked | DomainError]:
    """Per entry (document, the resource it overwrites or None), in order: a ``ResourceChecked`` row or
    the error ``resource_create`` / ``resource_update`` would raise. One query per batch (the names)."""
    results: list[ResourceChecked | DomainError] = []
    for entry in entries:
        try:
            results.append(_import_check_one(entry, workspace=workspace))
        except DomainError as exc:
            results.append(exc)
    names = [r.document["name"] for r in results if isinstance(r, ResourceChecked)]
    holders: dict[str, int] = {}
    for start in range(0, len(names), BATCH_SIZE):
        holders.update(
            Resource.objects.filter(
                workspace=workspace, name__in=names[start : start + BATCH_SIZE]
            ).values_list("name", "pk")
        )
    claimed: set[str] = set()
    for index, row in enumerate(results):
        if not isinstance(row, ResourceChecked):
            continue
        name = row.document["name"]
        holder = holders.get(name)
        if name in claimed or holder not in (None, row.resource.pk if row.resource else None):
            results[index] = Conflict(
                f"A resource named {name} already exists.", code=ErrorCode.RESOURCE_EXISTS
            )
        claimed.add(name)
    return results


@transaction.atomic
def resources_import_save(
    *, workspace: Workspace, user: User | None, rows: Sequence[ResourceChecked]
) -> list[Resource]:
    """Write checked resources: directories (one query per depth), ``bulk_create`` of the new ones,
    ``bulk_update`` of the overwritten ones. Per row, in order, the resource written."""
    if not rows:
        return []
    now = timezone.now()
    directories = directories_ensure(
        workspace=workspace,
        category=Category.RESOURCE,
        paths=[r.directory for r in rows if r.directory != "/"],
    )
    written, created, updated = [], [], []
    for row in rows:
        if row.resource is None:
            resource = Resource(workspace=workspace, created_by=_created_by(user))
            created.append(resource)
        else:
            resource = row.resource
            resource.updated_at = now  # bulk_update leaves auto_now fields alone
            updated.append(resource)
        doc = row.document
        directory = directories.get(row.directory)
        doc["directory"] = directory.path if directory is not None else "/"
        resource.directory = directory
        resource.name, resource.type, resource.location = doc["name"], doc["type"], doc["location"]
        resource.document = doc
        written.append(resource)
    try:
        with transaction.atomic():
            Resource.objects.bulk_create(created, batch_size=BATCH_SIZE)
    except IntegrityError as exc:
        raise Conflict(
            "Another resource of the same name was created meanwhile.",
            code=ErrorCode.RESOURCE_EXISTS,
        ) from exc
    rows_update(Resource, updated, ["directory", "name", "type", "location", "document", "updated_at"])
    return written
