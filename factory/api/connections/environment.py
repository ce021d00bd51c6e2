"""Workspace environment variables (Configuration > Environment Variables)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from factory.api.accounts.http import PAGE_PARAMETERS, paginated, paginated_response
from factory.api.common import WorkspaceApi
from factory.connections.environment import (
    environment_variable_create,
    environment_variable_delete,
    environment_variable_update,
)
from factory.connections.selectors import environment_variable_get, environment_variable_list

TAG = ["environment variables"]


class EnvironmentVariableSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    value = serializers.CharField()
    description = serializers.CharField()
    updatedAt = serializers.DateTimeField(source="updated_at")  # noqa: N815


class EnvironmentVariableListApi(WorkspaceApi):
    @extend_schema(
        tags=TAG,
        parameters=[*PAGE_PARAMETERS, OpenApiParameter("search", str, description="Part of the name.")],
        responses=paginated(EnvironmentVariableSerializer),
        operation_id="environment_variables_list",
    )
    def get(self, request: Request, workspace_id: str) -> Response:
        variables = environment_variable_list(
            workspace=self.workspace, search=request.query_params.get("search") or None
        )
        return paginated_response(
            request=request, view=self, items=variables, serializer_class=EnvironmentVariableSerializer
        )


class EnvironmentVariableCreateApi(WorkspaceApi):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=64)
        value = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
        description = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

        class Meta:
            ref_name = "EnvironmentVariableCreateInput"

    @extend_schema(
        tags=TAG,
        request=InputSerializer,
        responses={201: EnvironmentVariableSerializer},
        operation_id="environment_variables_create",
    )
    def post(self, request: Request, workspace_id: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        variable = environment_variable_create(workspace=self.workspace, **data.validated_data)
        return Response(EnvironmentVariableSerializer(variable).data, status=status.HTTP_201_CREATED)


class EnvironmentVariableGetApi(WorkspaceApi):
    @extend_schema(
        tags=TAG, responses=EnvironmentVariableSerializer, operation_id="environment_variables_get"
    )
    def get(self, request: Request, workspace_id: str, variable_id: int) -> Response:
        variable = environment_variable_get(workspace=self.workspace, variable_id=variable_id)
        return Response(EnvironmentVariableSerializer(variable).data)


class EnvironmentVariableUpdateApi(WorkspaceApi):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=64, required=False)
        value = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
        description = serializers.CharField(max_length=255, required=False, allow_blank=True)

        class Meta:
            ref_name = "EnvironmentVariableUpdateInput"

    @extend_schema(
        tags=TAG,
        request=InputSerializer,
        responses=EnvironmentVariableSerializer,
        operation_id="environment_variables_update",
    )
    def patch(self, request: Request, workspace_id: str, variable_id: int) -> Response:
        variable = environment_variable_get(workspace=self.workspace, variable_id=variable_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        variable = environment_variable_update(variable=variable, **data.validated_data)
        return Response(EnvironmentVariableSerializer(variable).data)


class EnvironmentVariableDeleteApi(WorkspaceApi):
    @extend_schema(tags=TAG, responses={204: None}, operation_id="environment_variables_delete")
    def delete(self, request: Request, workspace_id: str, variable_id: int) -> Response:
        environment_variable_delete(
            variable=environment_variable_get(workspace=self.workspace, variable_id=variable_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
