"""Writes of resources: JARs, Python files, files and archives at an OBS (or HDFS) location, used by
DLI Spark, MRS Spark, MapReduce and Flink nodes. A resource is kept as DataArts' create-resource body
(``name, type, location, dependFiles, desc, directory``), unknown keys included."""

from __future__ import annotations

import copy
import json
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from factory.development.models import Category, Resource
from factory.development.services import directory_ensure
from factory.errors import Conflict, ValidationError
from factory.packages.errors import PackageError
from factory.packages.schema import resource_document_validate
from factory.workspaces.models import Workspace

from .selectors import resource_referencing_jobs
from .services import full_clean

LOCATION_SCHEMES = ("obs://", "hdfs://")
MAX_LOCATION_LENGTH = 1023
MAX_DEPEND_FILES_LENGTH = 10240


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
    if Resource.objects.filter(workspace=workspace, name=name).exclude(pk=exclude_pk).exists():
        raise Conflict(f"A resource named {name} already exists.", code="resource_exists")


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
def resource_create(
    *, workspace: Workspace, user: AbstractBaseUser | None, document: dict[str, Any]
) -> Resource:
    doc = resource_document_check(document=document)
    _name_free(workspace=workspace, name=doc["name"])
    resource = Resource(
        workspace=workspace, created_by=user if user is not None and user.is_authenticated else None
    )
    return _apply(resource=resource, doc=doc)


@transaction.atomic
def resource_update(
    *, resource: Resource, user: AbstractBaseUser | None, document: dict[str, Any]
) -> Resource:
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
            code="resource_referenced",
            fields={"jobs": jobs},
        )
    resource.delete()
