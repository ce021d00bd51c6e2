"""The operations jobs and scripts share, one APIView each; ``jobs.py`` and ``scripts.py`` bind them.

A concrete view sets ``ops`` (which selectors and services, which serializers) and its schema
(operation id, response type). Views parse, call one service or selector, and serialize.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from factory.api.common import WorkspaceApi, request_user
from factory.api.development.serializers import (
    BatchSelectionSerializer,
    BatchUnlockSerializer,
    SelectionFieldsSerializer,
    VersionSerializer,
    component,
)
from factory.api.pagination import Pagination
from factory.development.models import Job, Script
from factory.development.selectors.selection import selection_count
from factory.errors import PreconditionFailed

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description='The ETag ("<revision>") the editor started from; a stale one gives 412.',
)

PAGE_PARAMETERS = [
    OpenApiParameter(
        "limit", int, OpenApiParameter.QUERY, required=False, description="Page size (default 100)."
    ),
    OpenApiParameter("offset", int, OpenApiParameter.QUERY, required=False, description="Items to skip."),
]


@dataclass(frozen=True)
class ObjectOps:
    """What a job or script view calls; services take the object as ``job=`` or ``script=``."""

    word: str
    get: Callable[..., Any]
    detail: type[serializers.Serializer]
    summary: type[serializers.Serializer]
    services: dict[str, Callable[..., Any]]
    versions_list: Callable[..., Any]
    version_get: Callable[..., Any]
    model: type[Job] | type[Script]

    @property
    def id_kwarg(self) -> str:
        return f"{self.word}_id"


def if_match_revision(request: Request) -> int | None:
    """The revision an ``If-Match`` header names (``"5"``, ``W/"5"`` or ``5``); None when absent or ``*``."""
    header = (request.headers.get("If-Match") or "").strip()
    if not header or header == "*":
        return None
    value = header.removeprefix("W/").strip('"')
    if not value.isdigit():
        raise PreconditionFailed(f"If-Match {header} names no revision; reload, then save again.")
    return int(value)


class ObjectApi(WorkspaceApi):
    ops: ClassVar[ObjectOps]

    def get_object(self) -> Any:
        return self.ops.get(workspace=self.workspace, **{self.ops.id_kwarg: self.kwargs[self.ops.id_kwarg]})

    def call(self, service: str, obj: Any, **kwargs: Any) -> Any:
        return self.ops.services[service](**{self.ops.word: obj}, user=self.request.user, **kwargs)

    def respond(self, obj: Any, code: int = status.HTTP_200_OK) -> Response:
        response = Response(self.ops.detail(obj, context={"user": self.request.user}).data, status=code)
        response["ETag"] = f'"{obj.revision}"'
        return response

    def parse(self, serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class ObjectListApi(ObjectApi):
    class FilterSerializer(serializers.Serializer):
        search = serializers.CharField(required=False, help_text="Part of the name or owner.")
        directory = serializers.IntegerField(
            required=False, help_text="Directory id (not its sub-directories)."
        )
        owner = serializers.CharField(required=False)
        submitted = serializers.BooleanField(required=False, allow_null=True, default=None)
        lockedByMe = serializers.BooleanField(required=False, default=False)

    def filters(self, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "search": data.get("search"),
            "directory_id": data.get("directory"),
            "owner": data.get("owner"),
            "submitted": data.get("submitted"),
            "locked_by": self.request.user if data.get("lockedByMe") else None,
        }

    def get(self, request: Request, **kwargs: Any) -> Response:
        data = self.parse(self.FilterSerializer, request.query_params)
        queryset = self.ops.services["list"](workspace=self.workspace, **self.filters(data))
        paginator = Pagination()
        page: list[Any] | None = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(
            self.ops.summary(page, many=True, context={"user": request.user}).data
        )


class ObjectCreateApi(ObjectApi):
    @component("DocumentInput")
    class InputSerializer(serializers.Serializer):
        document = serializers.DictField(help_text="The DataArts definition, stored whole.")

    @extend_schema(request=InputSerializer)
    def post(self, request: Request, **kwargs: Any) -> Response:
        data = self.parse(self.InputSerializer, request.data)
        obj = self.ops.services["create"](
            workspace=self.workspace, user=request_user(request), document=data["document"]
        )
        return self.respond(obj, status.HTTP_201_CREATED)


class ObjectDetailApi(ObjectApi):
    def get(self, request: Request, **kwargs: Any) -> Response:
        return self.respond(self.get_object())


class ObjectSaveApi(ObjectApi):
    @component("SaveInput")
    class InputSerializer(serializers.Serializer):
        document = serializers.DictField(help_text="The whole definition; name and directory are kept.")
        newVersion = serializers.BooleanField(default=False, help_text="Record a saved version now.")

    @extend_schema(request=InputSerializer, parameters=[IF_MATCH])
    def put(self, request: Request, **kwargs: Any) -> Response:
        data = self.parse(self.InputSerializer, request.data)
        obj = self.call(
            "save",
            self.get_object(),
            document=data["document"],
            if_match=if_match_revision(request),
            new_version=data["newVersion"],
        )
        return self.respond(obj)


class ObjectDeleteApi(ObjectApi):
    def delete(self, request: Request, **kwargs: Any) -> Response:
        self.call("delete", self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ObjectSubmitApi(ObjectApi):
    @component("SubmitInput")
    class InputSerializer(serializers.Serializer):
        description = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer)
    def post(self, request: Request, **kwargs: Any) -> Response:
        data = self.parse(self.InputSerializer, request.data)
        version = self.call("submit", self.get_object(), description=data["description"])
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)


class ObjectRenameApi(ObjectApi):
    @component("RenameInput")
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=128)

    @extend_schema(request=InputSerializer)
    def post(self, request: Request, **kwargs: Any) -> Response:
        data = self.parse(self.InputSerializer, request.data)
        return self.respond(self.call("rename", self.get_object(), name=data["name"]))


class ObjectMoveApi(ObjectApi):
    @component("MoveInput")
    class InputSerializer(serializers.Serializer):
        directory = serializers.CharField(
            max_length=1024, help_text='Path of an existing directory; "/" is the root.'
        )

    @extend_schema(request=InputSerializer)
    def post(self, request: Request, **kwargs: Any) -> Response:
        data = self.parse(self.InputSerializer, request.data)
        return self.respond(self.call("move", self.get_object(), directory_path=data["directory"]))


class ObjectCopyApi(ObjectApi):
    @component("CopyInput")
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=128)
        directory = serializers.CharField(
            max_length=1024, required=False, help_text="Default: the same directory."
        )

    @extend_schema(request=InputSerializer)
    def post(self, request: Request, **kwargs: Any) -> Response:
        data = self.parse(self.InputSerializer, request.data)
        obj = self.call(
            "copy", self.get_object(), new_name=data["name"], directory_path=data.get("directory")
        )
        return self.respond(obj, status.HTTP_201_CREATED)


class ObjectLockApi(ObjectApi):
    @extend_schema(request=None)
    def post(self, request: Request, **kwargs: Any) -> Response:
        return self.respond(self.call("lock", self.get_object()))


class ObjectUnlockApi(ObjectApi):
    @extend_schema(request=None)
    def post(self, request: Request, **kwargs: Any) -> Response:
        return self.respond(self.call("unlock", self.get_object()))


class ObjectBatchUnlockApi(ObjectApi):
    @extend_schema(request=BatchSelectionSerializer, responses=BatchUnlockSerializer)
    def post(self, request: Request, **kwargs: Any) -> Response:
        data = self.parse(BatchSelectionSerializer, request.data)
        result = self.ops.services["batch_unlock"](
            workspace=self.workspace,
            user=request_user(request),
            selection=BatchSelectionSerializer.selection_of(data),
        )
        return Response(BatchUnlockSerializer(result).data)


class ObjectSelectionCountApi(ObjectApi):
    """How many objects the tree's ticked selection holds: what a batch's confirmation names, counted on
    the server instead of the browser walking the ticked directories."""

    @component("SelectionCount")
    class OutputSerializer(serializers.Serializer):
        count = serializers.IntegerField()

    @extend_schema(request=BatchSelectionSerializer, responses=OutputSerializer)
    def post(self, request: Request, **kwargs: Any) -> Response:
        data = self.parse(BatchSelectionSerializer, request.data)
        count = selection_count(
            workspace=self.workspace,
            model=self.ops.model,
            selection=BatchSelectionSerializer.selection_of(data),
        )
        return Response(self.OutputSerializer({"count": count}).data)


class ObjectBatchDeleteApi(ObjectApi):
    @component("BatchDeleteResult")
    class OutputSerializer(serializers.Serializer):
        deleted = serializers.IntegerField()

    @extend_schema(request=BatchSelectionSerializer, responses=OutputSerializer)
    def post(self, request: Request, **kwargs: Any) -> Response:
        data = self.parse(BatchSelectionSerializer, request.data)
        deleted = self.ops.services["batch_delete"](
            workspace=self.workspace,
            user=request_user(request),
            selection=BatchSelectionSerializer.selection_of(data),
        )
        return Response(self.OutputSerializer({"deleted": deleted}).data)


class ObjectBatchMoveApi(ObjectApi):
    @component("BatchMoveInput")
    class InputSerializer(BatchSelectionSerializer):
        directory = serializers.CharField(
            max_length=1024, help_text='Path of an existing directory; "/" is the root.'
        )

    @component("BatchMoveResult")
    class OutputSerializer(serializers.Serializer):
        moved = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request, **kwargs: Any) -> Response:
        data = self.parse(self.InputSerializer, request.data)
        moved = self.ops.services["batch_move"](
            workspace=self.workspace,
            user=request_user(request),
            directory_path=data["directory"],
            selection=self.InputSerializer.selection_of(data),
        )
        return Response(self.OutputSerializer({"moved": moved}).data)


class ObjectBatchOwnerApi(ObjectApi):
    """Configure Owner: the ticked objects' owner, and/or every object of a current owner (Migrate)."""

    @component("OwnerSetInput")
    class InputSerializer(SelectionFieldsSerializer):
        # The ticked objects (``ids``, ``directoryIds``... as the other batch operations); none ticked:
        # every object of currentOwner.
        currentOwner = serializers.CharField(  # noqa: N815
            required=False,
            allow_null=True,
            default=None,
            allow_blank=True,
            max_length=1024,
            help_text="Only objects of this owner (DataArts' Migrate from Current Owner).",
        )
        # Lengths are the service's to check, so that the refusal names the 128-character limit.
        owner = serializers.CharField(allow_blank=True, max_length=1024, help_text="The Target Owner.")

    @component("OwnerSetResult")
    class OutputSerializer(serializers.Serializer):
        changed = serializers.IntegerField()
        skipped = serializers.IntegerField(help_text="Selected objects that already had the owner.")

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request, **kwargs: Any) -> Response:
        data = self.parse(self.InputSerializer, request.data)
        result = self.ops.services["batch_owner"](
            workspace=self.workspace,
            user=request_user(request),
            owner=data["owner"],
            current_owner=data["currentOwner"],
            selection=self.InputSerializer.selection_of(data),
        )
        return Response(self.OutputSerializer(result).data)
