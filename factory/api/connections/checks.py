"""What the Connections room asks besides create/read/update/delete: the form of each connection type, the
Test button (of a saved connection, or of form values not saved yet), and which jobs and scripts use a
connection or an external object (listed by the delete confirmation)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from factory.api.common import WorkspaceApi
from factory.api.development.serializers import component
from factory.connections.models import ConnectionType
from factory.connections.selectors import connection_get, external_object_get
from factory.connections.testing import ConnectionTestResult, connection_test
from factory.connections.types import connection_types_describe
from factory.connections.usages import object_usages
from factory.development.nodes import CONNECTION

from .connections import SecretsField

TAG = ["connections"]


class ConnectionTypeListApi(APIView):
    # `label`, `required` and `fields` are wire names the connection form reads. DRF's metaclass moves
    # declared fields off the class, so they never shadow Field's and Serializer's own attributes of those
    # names; the stubs cannot express that and see an incompatible override (hence the ignores below).
    @component("ConnectionTypeSpec")
    class OutputSerializer(serializers.Serializer):
        @component("ConnectionTypeField")
        class FieldSerializer(serializers.Serializer):
            name = serializers.CharField()
            label = serializers.CharField()  # type: ignore[assignment]
            widget = serializers.ChoiceField(choices=["text", "number", "password", "boolean", "select"])
            required = serializers.BooleanField()  # type: ignore[assignment]
            secret = serializers.BooleanField(help_text="Sent in secrets; stored encrypted, never shown.")
            default = serializers.JSONField(allow_null=True)
            help = serializers.CharField(allow_blank=True)
            options = serializers.ListField(child=serializers.CharField())

        code = serializers.ChoiceField(choices=ConnectionType.choices)
        label = serializers.CharField()  # type: ignore[assignment]
        test = serializers.ChoiceField(
            choices=["postgres", "tcp", "none"],
            help_text="How Test checks it: a PostgreSQL login, a TCP connect, or not at all.",
        )
        fields = FieldSerializer(many=True)  # type: ignore[assignment]

    @extend_schema(tags=TAG, responses=OutputSerializer(many=True), operation_id="connection_types_list")
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(connection_types_describe(), many=True).data)


@component("ConnectionTestResult")
class TestResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    message = serializers.CharField()
    elapsedMs = serializers.IntegerField(source="elapsed_ms")  # noqa: N815


class TestInputSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ConnectionType.choices, required=False)
    config = serializers.DictField(required=False)
    secrets = SecretsField()
    # Only to find the stored secrets a blank field stands for (an edit form tested before saving).
    connectionId = serializers.IntegerField(required=False, allow_null=True)  # noqa: N815

    class Meta:
        ref_name = "ConnectionTestInput"


def _result(result: ConnectionTestResult) -> Response:
    return Response(TestResultSerializer(result).data)


class ConnectionTestApi(WorkspaceApi):
    """Test a saved connection; a body may override its type, config and secrets (blank keeps a secret)."""

    @extend_schema(
        tags=TAG,
        request=TestInputSerializer,
        responses=TestResultSerializer,
        operation_id="connections_test",
    )
    def post(self, request: Request, workspace_id: str, connection_id: int) -> Response:
        connection = connection_get(workspace=self.workspace, connection_id=connection_id)
        data = TestInputSerializer(data=request.data or {})
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if k != "connectionId"}
        return _result(connection_test(connection=connection, **values))


class ConnectionTestValuesApi(WorkspaceApi):
    """Test form values before saving (a new connection, or an edit with ``connectionId``)."""

    @extend_schema(
        tags=TAG,
        request=TestInputSerializer,
        responses=TestResultSerializer,
        operation_id="connections_test_values",
    )
    def post(self, request: Request, workspace_id: str) -> Response:
        data = TestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        connection_id = values.pop("connectionId", None)
        connection = (
            connection_get(workspace=self.workspace, connection_id=connection_id) if connection_id else None
        )
        return _result(connection_test(connection=connection, **values))


@component("Usages")
class UsagesSerializer(serializers.Serializer):
    jobs = serializers.ListField(child=serializers.CharField(), help_text="Names of the jobs using it.")
    scripts = serializers.ListField(child=serializers.CharField(), help_text="Names of the scripts using it.")


class ConnectionUsagesApi(WorkspaceApi):
    @extend_schema(tags=TAG, responses=UsagesSerializer, operation_id="connections_usages")
    def get(self, request: Request, workspace_id: str, connection_id: int) -> Response:
        connection = connection_get(workspace=self.workspace, connection_id=connection_id)
        usages = object_usages(workspace=self.workspace, kind=CONNECTION, name=connection.name)
        return Response(UsagesSerializer(usages).data)


class ExternalObjectUsagesApi(WorkspaceApi):
    @extend_schema(tags=TAG, responses=UsagesSerializer, operation_id="external_objects_usages")
    def get(self, request: Request, workspace_id: str, object_id: int) -> Response:
        obj = external_object_get(workspace=self.workspace, external_object_id=object_id)
        usages = object_usages(workspace=self.workspace, kind=obj.kind, name=obj.name)
        return Response(UsagesSerializer(usages).data)
