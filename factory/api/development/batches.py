"""The operations on a selection of jobs or scripts (the tree's ticked boxes), written once as in
``objects.py``: count, unlock, delete, move and configure the owner. ``jobs.py`` and ``scripts.py``
declare each for their kind, calling the kind's batch service by name (``services.jobs_unlock``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from factory.api.development.objects import ObjectApi
from factory.api.development.serializers import (
    BatchSelectionSerializer,
    BatchUnlockSerializer,
    SelectionFieldsSerializer,
    component,
)
from factory.development.selectors.selection import ObjectSelection, selection_count
from factory.development.services import BatchUnlockResult, OwnerChangeResult


class ObjectBatchUnlockApi(ObjectApi):
    def unlock_selection(self, selection: ObjectSelection) -> BatchUnlockResult:
        raise NotImplementedError

    @extend_schema(request=BatchSelectionSerializer, responses=BatchUnlockSerializer)
    def post(self, request: Request, **kwargs: Any) -> Response:
        data = self.parse(BatchSelectionSerializer, request.data)
        result = self.unlock_selection(BatchSelectionSerializer.selection_of(data))
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
            model=self.model,
            selection=BatchSelectionSerializer.selection_of(data),
        )
        return Response(self.OutputSerializer({"count": count}).data)


class ObjectBatchDeleteApi(ObjectApi):
    @component("BatchDeleteResult")
    class OutputSerializer(serializers.Serializer):
        deleted = serializers.IntegerField()

    def delete_selection(self, selection: ObjectSelection) -> int:
        raise NotImplementedError

    @extend_schema(request=BatchSelectionSerializer, responses=OutputSerializer)
    def post(self, request: Request, **kwargs: Any) -> Response:
        data = self.parse(BatchSelectionSerializer, request.data)
        deleted = self.delete_selection(BatchSelectionSerializer.selection_of(data))
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

    def move_selection(self, selection: ObjectSelection, *, directory_path: str) -> int:
        raise NotImplementedError

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request, **kwargs: Any) -> Response:
        data = self.parse(self.InputSerializer, request.data)
        selection = self.InputSerializer.selection_of(data)
        moved = self.move_selection(selection, directory_path=data["directory"])
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

    def set_owner(
        self, selection: ObjectSelection, *, owner: str, current_owner: str | None
    ) -> OwnerChangeResult:
        raise NotImplementedError

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request, **kwargs: Any) -> Response:
        data = self.parse(self.InputSerializer, request.data)
        result = self.set_owner(
            self.InputSerializer.selection_of(data),
            owner=data["owner"],
            current_owner=data["currentOwner"],
        )
        return Response(self.OutputSerializer(result).data)
