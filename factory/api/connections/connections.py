"""Data connections of a workspace. Secrets go in write-only (``secrets``); responses name the secrets
that are set (``secretFields``) and never carry a value."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from factory.api.common import WorkspaceApi, request_user
from factory.api.pagination import PAGE_PARAMETERS, paginated, paginated_response
from factory.connections.models import ConnectionType
from factory.connections.selectors import connection_get, connection_list
from factory.connections.services import connection_create, connection_delete, connection_update

TAG = ["connections"]


class ConnectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=ConnectionType.choices)
    config = serializers.DictField(help_text="Non-secret settings (host, port, userName, ...).")
    secretFields = serializers.ListField(  # noqa: N815
        source="secret_fields",
        child=serializers.CharField(),
        help_text="Names of the secrets set, never values.",
    )
    description = serializers.CharField()
    createdBy = serializers.CharField(source="created_by.username", default=None, allow_null=True)  # noqa: N815
    createdAt = serializers.DateTimeField(source="created_at")  # noqa: N815
    updatedAt = serializers.DateTimeField(source="updated_at")  # noqa: N815


class SecretsField(serializers.DictField):
    """``{"password": "..."}``: write-only. On update ``null`` removes a secret, ``""`` keeps it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            child=serializers.CharField(
                allow_blank=True, allow_null=True, trim_whitespace=False, max_length=8192
            ),
            write_only=True,
            required=False,
            **kwargs,
        )


class ConnectionListApi(WorkspaceApi):
    @extend_schema(
        tags=TAG,
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter("type", str, enum=ConnectionType.values),
            OpenApiParameter("search", str, description="Part of the name."),
        ],
        responses=paginated(ConnectionSerializer),
        operation_id="connections_list",
    )
    def get(self, request: Request, workspace_id: str) -> Response:
        connections = connection_list(
            workspace=self.workspace,
            type=request.query_params.get("type") or None,
            search=request.query_params.get("search") or None,
        ).select_related("created_by")
        return paginated_response(
            request=request, view=self, items=connections, serializer_class=ConnectionSerializer
        )


class ConnectionCreateApi(WorkspaceApi):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        type = serializers.ChoiceField(choices=ConnectionType.choices)
        config = serializers.DictField(required=False, default=dict)
        secrets = SecretsField()
        description = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

        class Meta:
            ref_name = "ConnectionCreateInput"

    @extend_schema(
        tags=TAG,
        request=InputSerializer,
        responses={201: ConnectionSerializer},
        operation_id="connections_create",
    )
    def post(self, request: Request, workspace_id: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        connection = connection_create(
            workspace=self.workspace, user=request_user(request), **data.validated_data
        )
        return Response(ConnectionSerializer(connection).data, status=status.HTTP_201_CREATED)


class ConnectionGetApi(WorkspaceApi):
    @extend_schema(tags=TAG, responses=ConnectionSerializer, operation_id="connections_get")
    def get(self, request: Request, workspace_id: str, connection_id: int) -> Response:
        connection = connection_get(workspace=self.workspace, connection_id=connection_id)
        return Response(ConnectionSerializer(connection).data)


class ConnectionUpdateApi(WorkspaceApi):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100, required=False)
        type = serializers.ChoiceField(choices=ConnectionType.choices, required=False)
        config = serializers.DictField(required=False)
        secrets = SecretsField()
        description = serializers.CharField(max_length=255, required=False, allow_blank=True)

        class Meta:
            ref_name = "ConnectionUpdateInput"

    @extend_schema(
        tags=TAG, request=InputSerializer, responses=ConnectionSerializer, operation_id="connections_update"
    )
    def patch(self, request: Request, workspace_id: str, connection_id: int) -> Response:
        connection = connection_get(workspace=self.workspace, connection_id=connection_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        connection = connection_update(
            connection=connection, user=request_user(request), **data.validated_data
        )
        return Response(ConnectionSerializer(connection).data)


class ConnectionDeleteApi(WorkspaceApi):
    """Delete a connection, even one that jobs or scripts use: DataArts allows it, and the reference's
    worked example depends on it (the jobs keep the name, and an import asks for a replacement). The
    console confirms first, listing the users from ``usages/``."""

    @extend_schema(tags=TAG, responses={204: None}, operation_id="connections_delete")
    def delete(self, request: Request, workspace_id: str, connection_id: int) -> Response:
        connection_delete(connection=connection_get(workspace=self.workspace, connection_id=connection_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
