"""The operations on one job or script (or the list of them), one APIView each, written once; those on
a selection of them are in ``batches.py``.

An operation here parses, calls its hook (``lock``, ``rename``, ...) and serializes. ``jobs.py`` and
``scripts.py`` declare each operation for their kind: ``JobLockApi`` implements ``lock`` by calling
``services.job_lock`` and sets the schema (operation id, response type); its base ``JobApi`` finds the
URL's job. So a service is found by its name in the view that calls it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import User
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from factory.api.common import WorkspaceApi, request_user
from factory.api.development.serializers import VersionSerializer, component
from factory.api.pagination import paginated_response
from factory.development.models import Job, Script
from factory.errors import PreconditionFailed

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description='The ETag ("<revision>") the editor started from; a stale one gives 412.',
)


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
    # An operation on jobs or scripts. The kind's base (``JobApi``, ``ScriptApi``) names the model and
    # serializers and finds the URL's object and version. Comments, not docstrings, on these bases:
    # drf-spectacular would show a docstring as the description of every operation below them.

    model: ClassVar[type[Job] | type[Script]]
    detail_serializer: ClassVar[type[serializers.Serializer]]
    summary_serializer: ClassVar[type[serializers.Serializer]]

    @property
    def user(self) -> User:
        return request_user(self.request)

    def get_object(self) -> Any:
        raise NotImplementedError

    def get_version(self, obj: Any) -> Any:
        raise NotImplementedError

    def respond(self, obj: Any, code: int = status.HTTP_200_OK) -> Response:
        response = Response(self.detail_serializer(obj, context={"user": self.user}).data, status=code)
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
        """The list selector's arguments every kind has, from ``FilterSerializer``'s data."""
        return {
            "search": data.get("search"),
            "directory_id": data.get("directory"),
            "owner": data.get("owner"),
            "submitted": data.get("submitted"),
            "locked_by": self.user if data.get("lockedByMe") else None,
        }

    def list_objects(self, data: dict[str, Any]) -> QuerySet[Any]:
        raise NotImplementedError

    def get(self, request: Request, **kwargs: Any) -> Response:
        return paginated_response(
            request=request,
            view=self,
            items=self.list_objects(self.parse(self.FilterSerializer, request.query_params)),
            serializer_class=self.summary_serializer,
            context={"user": self.user},
        )


class ObjectCreateApi(ObjectApi):
    @component("DocumentInput")
    class InputSerializer(serializers.Serializer):
        document = serializers.DictField(help_text="The DataArts definition, stored whole.")

    def create(self, *, document: dict) -> Any:
        raise NotImplementedError

    @extend_schema(request=InputSerializer)
    def post(self, request: Request, **kwargs: Any) -> Response:
        data = self.parse(self.InputSerializer, request.data)
        return self.respond(self.create(document=data["document"]), status.HTTP_201_CREATED)


class ObjectDetailApi(ObjectApi):
    def get(self, request: Request, **kwargs: Any) -> Response:
        return self.respond(self.get_object())


class ObjectSaveApi(ObjectApi):
    @component("SaveInput")
    class InputSerializer(serializers.Serializer):
        document = serializers.DictField(help_text="The whole definition; name and directory are kept.")
        newVersion = serializers.BooleanField(default=False, help_text="Record a saved version now.")

    def save(self, obj: Any, *, document: dict, if_match: int | None, new_version: bool) -> Any:
        raise NotImplementedError

    @extend_schema(request=InputSerializer, parameters=[IF_MATCH])
    def put(self, request: Request, **kwargs: Any) -> Response:
        data = self.parse(self.InputSerializer, request.data)
        obj = self.save(
            self.get_object(),
            document=data["document"],
            if_match=if_match_revision(request),
            new_version=data["newVersion"],
        )
        return self.respond(obj)


class ObjectDeleteApi(ObjectApi):
    def destroy(self, obj: Any) -> None:
        raise NotImplementedError

    def delete(self, request: Request, **kwargs: Any) -> Response:
        self.destroy(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ObjectSubmitApi(ObjectApi):
    @component("SubmitInput")
    class InputSerializer(serializers.Serializer):
        description = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")

    def submit(self, obj: Any, *, description: str) -> Any:
        raise NotImplementedError

    @extend_schema(request=InputSerializer)
    def post(self, request: Request, **kwargs: Any) -> Response:
        data = self.parse(self.InputSerializer, request.data)
        version = self.submit(self.get_object(), description=data["description"])
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)


class ObjectRenameApi(ObjectApi):
    @component("RenameInput")
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=128)

    def rename(self, obj: Any, *, name: str) -> Any:
        raise NotImplementedError

    @extend_schema(request=InputSerializer)
    def post(self, request: Request, **kwargs: Any) -> Response:
        data = self.parse(self.InputSerializer, request.data)
        return self.respond(self.rename(self.get_object(), name=data["name"]))


class ObjectMoveApi(ObjectApi):
    @component("MoveInput")
    class InputSerializer(serializers.Serializer):
        directory = serializers.CharField(
            max_length=1024, help_text='Path of an existing directory; "/" is the root.'
        )

    def move(self, obj: Any, *, directory_path: str) -> Any:
        raise NotImplementedError

    @extend_schema(request=InputSerializer)
    def post(self, request: Request, **kwargs: Any) -> Response:
        data = self.parse(self.InputSerializer, request.data)
        return self.respond(self.move(self.get_object(), directory_path=data["directory"]))


class ObjectCopyApi(ObjectApi):
    @component("CopyInput")
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=128)
        directory = serializers.CharField(
            max_length=1024, required=False, help_text="Default: the same directory."
        )

    def copy(self, obj: Any, *, new_name: str, directory_path: str | None) -> Any:
        raise NotImplementedError

    @extend_schema(request=InputSerializer)
    def post(self, request: Request, **kwargs: Any) -> Response:
        data = self.parse(self.InputSerializer, request.data)
        obj = self.copy(self.get_object(), new_name=data["name"], directory_path=data.get("directory"))
        return self.respond(obj, status.HTTP_201_CREATED)


class ObjectLockApi(ObjectApi):
    def lock(self, obj: Any) -> Any:
        raise NotImplementedError

    @extend_schema(request=None)
    def post(self, request: Request, **kwargs: Any) -> Response:
        return self.respond(self.lock(self.get_object()))


class ObjectUnlockApi(ObjectApi):
    def unlock(self, obj: Any) -> Any:
        raise NotImplementedError

    @extend_schema(request=None)
    def post(self, request: Request, **kwargs: Any) -> Response:
        return self.respond(self.unlock(self.get_object()))
