"""Reads of the objects jobs refer to: data connections, external objects, resources, environment variables.

Every read is scoped to one workspace; an object of another workspace is reported as not found.
"""

from __future__ import annotations

from django.db.models import QuerySet

from factory.development.models import EnvironmentVariable, Job, Resource
from factory.development.nodes import RESOURCE, job_references
from factory.errors import ErrorCode, NotFound
from factory.workspaces.models import Workspace

from .models import DataConnection, ExternalObject


def connection_list(
    *, workspace: Workspace, type: str | None = None, search: str | None = None
) -> QuerySet[DataConnection]:
    connections = DataConnection.objects.filter(workspace=workspace).order_by("name")
    if type:
        connections = connections.filter(type=type)
    if search:
        connections = connections.filter(name__icontains=search)
    return connections


def connection_get(*, workspace: Workspace, connection_id: int) -> DataConnection:
    connection = DataConnection.objects.filter(workspace=workspace, pk=connection_id).first()
    if connection is None:
        raise NotFound("Data connection not found.", code=ErrorCode.CONNECTION_NOT_FOUND)
    return connection


def external_object_list(*, workspace: Workspace, kind: str | None = None) -> QuerySet[ExternalObject]:
    objects = ExternalObject.objects.filter(workspace=workspace).order_by("kind", "name")
    return objects.filter(kind=kind) if kind else objects


def external_object_get(*, workspace: Workspace, external_object_id: int) -> ExternalObject:
    obj = ExternalObject.objects.filter(workspace=workspace, pk=external_object_id).first()
    if obj is None:
        raise NotFound("Object not found.", code=ErrorCode.EXTERNAL_OBJECT_NOT_FOUND)
    return obj


def resource_list(*, workspace: Workspace, search: str | None = None) -> QuerySet[Resource]:
    resources = Resource.objects.filter(workspace=workspace).select_related("directory").order_by("name")
    return resources.filter(name__icontains=search) if search else resources


def resource_get(*, workspace: Workspace, resource_id: int) -> Resource:
    resource = (
        Resource.objects.select_related("directory").filter(workspace=workspace, pk=resource_id).first()
    )
    if resource is None:
        raise NotFound("Resource not found.", code=ErrorCode.RESOURCE_NOT_FOUND)
    return resource


def resource_referencing_jobs(*, workspace: Workspace, name: str) -> list[str]:
    """Names of the jobs whose nodes use resource ``name`` (DataArts' "Reference List")."""
    names = []
    for job_name, document in (
        Job.objects.filter(workspace=workspace).values_list("name", "document").iterator()
    ):
        if any(r.kind == RESOURCE and r.name == name for r in job_references(document or {})):
            names.append(job_name)
    return sorted(names)


def environment_variable_list(
    *, workspace: Workspace, search: str | None = None
) -> QuerySet[EnvironmentVariable]:
    variables = EnvironmentVariable.objects.filter(workspace=workspace).order_by("name")
    return variables.filter(name__icontains=search) if search else variables


def environment_variable_get(*, workspace: Workspace, variable_id: int) -> EnvironmentVariable:
    variable = EnvironmentVariable.objects.filter(workspace=workspace, pk=variable_id).first()
    if variable is None:
        raise NotFound("Environment variable not found.", code=ErrorCode.ENVIRONMENT_VARIABLE_NOT_FOUND)
    return variable
