"""Workspace environment variables (Configuration > Environment Variables)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from factory.api.common import WorkspaceApi
from factory.api.pagination import PAGE_PARAMETERS, paginated, paginated_response
from factory.connections.environment import (
    environment_variable_create,
    environment_variable_delete,
    environment_variable_update,
)
from factory.connections.selectors import environment_variable_get, environment_variable_list
from factory.development.models import EnvironmentVariable
from factory.packages.secrets import secret_name_like

TAG = ["environment variables"]


class EnvironmentVariableSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    value = serializers.CharField(help_text="Empty for a masked variable: its value is never returned.")
    masked = serializers.BooleanField()
    valueSet = serializers.SerializerMethodField(help_text="Whether the variable has a value.")  # noqa: N815
    nameLikeSecret = serializers.SerializerMethodField(  # noqa: N815
        help_text="Named like a secret (emptied in exports): the console warns when it is not masked."
    )
    description = serializers.CharField()
    updatedAt = serializers.DateTimeField(source="updated_at")  # noqa: N815

    def get_valueSet(self, variable: EnvironmentVariable) -> bool:  # noqa: N802
        return bool(variable.value_encrypted if variable.masked else variable.value)

    def get_nameLikeSecret(self, variable: EnvironmentVariable) -> bool:  # noqa: N802
        return secret_name_like(variable.name)


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
        masked = serializers.BooleanField(required=False, default=False)

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
        masked = serializers.BooleanField(required=False)

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
