"""The directory tree (lazy, one directory at a time), directories, and the node-type registry."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from factory.api.common import WorkspaceApi, request_user
from factory.api.development.serializers import (
    DirectorySerializer,
    TreeDirectorySerializer,
    TreeElementSerializer,
    component,
)
from factory.development import selectors, services
from factory.development.models import Category
from factory.development.nodes import node_types_describe
from factory.development.selectors.tree import TREE_DEFAULT_LIMIT, TREE_MAX_LIMIT


# Wire names that are also attributes of DRF's Field and Serializer (`parent`, `label`, `required`,
# `fields`): DRF's metaclass moves declared fields off the class, so they never shadow those attributes;
# the stubs cannot express that and see an incompatible override (hence the ignores below).
class TreeGetApi(WorkspaceApi):
    class FilterSerializer(serializers.Serializer):
        category = serializers.ChoiceField(choices=Category.values, default=Category.JOB)
        parent = serializers.IntegerField(  # type: ignore[assignment]
            required=False, allow_null=True, default=None, help_text="Directory id."
        )
        search = serializers.CharField(required=False, allow_blank=True, help_text="Part of a name or owner.")
        offset = serializers.IntegerField(min_value=0, default=0)
        limit = serializers.IntegerField(min_value=1, max_value=TREE_MAX_LIMIT, default=TREE_DEFAULT_LIMIT)

    @component("Tree")
    class OutputSerializer(serializers.Serializer):
        category = serializers.CharField()
        directory = TreeDirectorySerializer()
        search = serializers.CharField(allow_null=True)
        directories = TreeDirectorySerializer(many=True)
        elements = TreeElementSerializer(many=True)
        count = serializers.IntegerField(help_text="Elements in all pages.")
        offset = serializers.IntegerField()
        limit = serializers.IntegerField()

    @extend_schema(
        operation_id="tree_get", tags=["tree"], parameters=[FilterSerializer], responses=OutputSerializer
    )
    def get(self, request: Request, **kwargs: Any) -> Response:
        serializer = self.FilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        tree = selectors.directory_tree_get(
            workspace=self.workspace,
            category=data["category"],
            parent_id=data["parent"],
            search=data.get("search"),
            offset=data["offset"],
            limit=data["limit"],
            user=request_user(request),
        )
        return Response(self.OutputSerializer(tree).data)


class DirectoryCreateApi(WorkspaceApi):
    @component("DirectoryCreateInput")
    class InputSerializer(serializers.Serializer):
        category = serializers.ChoiceField(choices=Category.values)
        path = serializers.CharField(max_length=1024, help_text="e.g. /a/b; the parent /a must exist.")

    @extend_schema(
        operation_id="directory_create",
        tags=["tree"],
        request=InputSerializer,
        responses={201: DirectorySerializer},
    )
    def post(self, request: Request, **kwargs: Any) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        directory = services.directory_create(
            workspace=self.workspace, user=request_user(request), **serializer.validated_data
        )
        return Response(DirectorySerializer(directory).data, status=status.HTTP_201_CREATED)


class DirectoryUpdateApi(WorkspaceApi):
    @component("DirectoryUpdateInput")
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=64, required=False, help_text="Rename to this.")
        parentPath = serializers.CharField(
            max_length=1024, required=False, help_text='Move under this directory; "/" is the root.'
        )

    @extend_schema(
        operation_id="directory_update", tags=["tree"], request=InputSerializer, responses=DirectorySerializer
    )
    def patch(self, request: Request, **kwargs: Any) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        directory = selectors.directory_get(workspace=self.workspace, directory_id=kwargs["directory_id"])
        directory = services.directory_update(
            directory=directory,
            user=request_user(request),
            name=serializer.validated_data.get("name"),
            parent_path=serializer.validated_data.get("parentPath"),
        )
        return Response(DirectorySerializer(directory).data)


class DirectoryDeleteApi(WorkspaceApi):
    @extend_schema(operation_id="directory_delete", tags=["tree"], responses={204: None})
    def delete(self, request: Request, **kwargs: Any) -> Response:
        directory = selectors.directory_get(workspace=self.workspace, directory_id=kwargs["directory_id"])
        services.directory_delete(directory=directory, user=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class NodeTypeListApi(APIView):
    # `label`, `required`, `fields`: wire names over Field's and Serializer's attributes (see TreeGetApi)
    @component("NodeType")
    class OutputSerializer(serializers.Serializer):
        @component("NodeField")
        class FieldSerializer(serializers.Serializer):
            name = serializers.CharField()
            label = serializers.CharField()  # type: ignore[assignment]
            widget = serializers.ChoiceField(
                choices=["text", "textarea", "number", "select", "reference", "boolean"]
            )
            refersTo = serializers.CharField(allow_null=True)
            connectionType = serializers.CharField(allow_null=True)
            scriptTypes = serializers.ListField(
                child=serializers.CharField(),
                help_text="For a script reference: the script types this node runs (empty: any).",
            )
            required = serializers.BooleanField()  # type: ignore[assignment]
            options = serializers.ListField(child=serializers.CharField())
            default = serializers.JSONField(allow_null=True)
            sensitive = serializers.BooleanField()

        code = serializers.CharField()
        label = serializers.CharField()  # type: ignore[assignment]
        category = serializers.CharField()
        fields = FieldSerializer(many=True)  # type: ignore[assignment]

    @extend_schema(operation_id="node_types_list", tags=["nodes"], responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(node_types_describe(), many=True).data)
