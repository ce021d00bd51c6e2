"""Resources of a workspace, in DataArts' create-resource shape (``name, type, location, dependFiles, desc,
directory``). An update replaces the whole definition, as DataArts' update-resource does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from factory.api.common import WorkspaceApi, request_user
from factory.api.pagination import PAGE_PARAMETERS, paginated, paginated_response
from factory.connections.resources import resource_create, resource_delete, resource_update
from factory.connections.selectors import resource_get, resource_list
from factory.development.models import Resource, ResourceType

TAG = ["resources"]


class ResourceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=ResourceType.choices)
    location = serializers.CharField()
    dependFiles = serializers.ListField(  # noqa: N815
        child=serializers.CharField(), source="document.dependFiles", default=list
    )
    desc = serializers.CharField(source="document.desc", default="")
    directory = serializers.SerializerMethodField()
    createdAt = serializers.DateTimeField(source="created_at")  # noqa: N815
    updatedAt = serializers.DateTimeField(source="updated_at")  # noqa: N815

    def get_directory(self, resource: Resource) -> str:
        # From the directory row, not the document: renaming or moving a directory changes only rows.
        return resource.directory.path if resource.directory is not None else "/"


class ResourceDocumentSerializer(serializers.Serializer):
    """The definition as sent. Only its shape is checked here; ``resource_create`` checks the values,
    and keys not listed are kept, as DataArts' own documents carry more than it documents."""

    name = serializers.CharField(max_length=32)
    type = serializers.ChoiceField(choices=ResourceType.choices)
    location = serializers.CharField(max_length=1023)
    dependFiles = serializers.ListField(child=serializers.CharField(), required=False)  # noqa: N815
    desc = serializers.CharField(max_length=255, required=False, allow_blank=True)
    directory = serializers.CharField(required=False, allow_blank=True)

    class Meta:
        ref_name = "ResourceDocument"


def _document(request: Request) -> dict:
    data = ResourceDocumentSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    # is_valid refused anything but a mapping (a list body fails "Expected a dictionary")
    return {**cast(Mapping[str, Any], request.data), **data.validated_data}


class ResourceListApi(WorkspaceApi):
    @extend_schema(
        tags=TAG,
        parameters=[*PAGE_PARAMETERS, OpenApiParameter("search", str, description="Part of the name.")],
        responses=paginated(ResourceSerializer),
        operation_id="resources_list",
    )
    def get(self, request: Request, workspace_id: str) -> Response:
        resources = resource_list(workspace=self.workspace, search=request.query_params.get("search") or None)
        return paginated_response(
            request=request, view=self, items=resources, serializer_class=ResourceSerializer
        )


class ResourceCreateApi(WorkspaceApi):
    @extend_schema(
        tags=TAG,
        request=ResourceDocumentSerializer,
        responses={201: ResourceSerializer},
        operation_id="resources_create",
    )
    def post(self, request: Request, workspace_id: str) -> Response:
        resource = resource_create(
            workspace=self.workspace, user=request_user(request), document=_document(request)
        )
        return Response(ResourceSerializer(resource).data, status=status.HTTP_201_CREATED)


class ResourceGetApi(WorkspaceApi):
    @extend_schema(tags=TAG, responses=ResourceSerializer, operation_id="resources_get")
    def get(self, request: Request, workspace_id: str, resource_id: int) -> Response:
        return Response(
            ResourceSerializer(resource_get(workspace=self.workspace, resource_id=resource_id)).data
        )


class ResourceUpdateApi(WorkspaceApi):
    @extend_schema(
        tags=TAG,
        request=ResourceDocumentSerializer,
        responses=ResourceSerializer,
        operation_id="resources_update",
    )
    def put(self, request: Request, workspace_id: str, resource_id: int) -> Response:
        resource = resource_get(workspace=self.workspace, resource_id=resource_id)
        resource = resource_update(resource=resource, user=request_user(request), document=_document(request))
        return Response(ResourceSerializer(resource).data)


class ResourceDeleteApi(WorkspaceApi):
    """Delete a resource. Refused (409, ``resource_referenced``) while jobs use it."""

    @extend_schema(tags=TAG, responses={204: None}, operation_id="resources_delete")
    def delete(self, request: Request, workspace_id: str, resource_id: int) -> Response:
        resource_delete(resource=resource_get(workspace=self.workspace, resource_id=resource_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
