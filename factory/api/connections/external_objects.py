"""External objects of a workspace that nodes refer to by name: DLI queues, GES graphs, DIS streams,
CDM and MRS clusters (``?kind=`` filters the list)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from factory.api.common import WorkspaceApi
from factory.api.pagination import PAGE_PARAMETERS, paginated, paginated_response
from factory.connections.models import ExternalObjectKind
from factory.connections.selectors import external_object_get, external_object_list
from factory.connections.services import (
    external_object_create,
    external_object_delete,
    external_object_update,
)

TAG = ["connections"]


class ExternalObjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ExternalObjectKind.choices)
    name = serializers.CharField()
    description = serializers.CharField()
    config = serializers.DictField()
    createdAt = serializers.DateTimeField(source="created_at")  # noqa: N815


class ExternalObjectListApi(WorkspaceApi):
    @extend_schema(
        tags=TAG,
        parameters=[*PAGE_PARAMETERS, OpenApiParameter("kind", str, enum=ExternalObjectKind.values)],
        responses=paginated(ExternalObjectSerializer),
        operation_id="external_objects_list",
    )
    def get(self, request: Request, workspace_id: str) -> Response:
        objects = external_object_list(
            workspace=self.workspace, kind=request.query_params.get("kind") or None
        )
        return paginated_response(
            request=request, view=self, items=objects, serializer_class=ExternalObjectSerializer
        )


class ExternalObjectCreateApi(WorkspaceApi):
    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=ExternalObjectKind.choices)
        name = serializers.CharField(max_length=128)
        description = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
        config = serializers.DictField(required=False, default=dict)

        class Meta:
            ref_name = "ExternalObjectCreateInput"

    @extend_schema(
        tags=TAG,
        request=InputSerializer,
        responses={201: ExternalObjectSerializer},
        operation_id="external_objects_create",
    )
    def post(self, request: Request, workspace_id: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        obj = external_object_create(workspace=self.workspace, **data.validated_data)
        return Response(ExternalObjectSerializer(obj).data, status=status.HTTP_201_CREATED)


class ExternalObjectGetApi(WorkspaceApi):
    @extend_schema(tags=TAG, responses=ExternalObjectSerializer, operation_id="external_objects_get")
    def get(self, request: Request, workspace_id: str, object_id: int) -> Response:
        obj = external_object_get(workspace=self.workspace, external_object_id=object_id)
        return Response(ExternalObjectSerializer(obj).data)


class ExternalObjectUpdateApi(WorkspaceApi):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=128, required=False)
        description = serializers.CharField(max_length=255, required=False, allow_blank=True)
        config = serializers.DictField(required=False)

        class Meta:
            ref_name = "ExternalObjectUpdateInput"

    @extend_schema(
        tags=TAG,
        request=InputSerializer,
        responses=ExternalObjectSerializer,
        operation_id="external_objects_update",
    )
    def patch(self, request: Request, workspace_id: str, object_id: int) -> Response:
        obj = external_object_get(workspace=self.workspace, external_object_id=object_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        obj = external_object_update(external_object=obj, **data.validated_data)
        return Response(ExternalObjectSerializer(obj).data)


class ExternalObjectDeleteApi(WorkspaceApi):
    @extend_schema(tags=TAG, responses={204: None}, operation_id="external_objects_delete")
    def delete(self, request: Request, workspace_id: str, object_id: int) -> Response:
        external_object_delete(
            external_object=external_object_get(workspace=self.workspace, external_object_id=object_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
