"""The import wizard's change-set: Next at step 2 previews what the choices would change (a task), then
the Changes step pages through every object (new, changed, unchanged, skipped, failed) and opens the
structural diff of one."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from factory.api.pagination import PAGE_PARAMETERS, paginated, paginated_response
from factory.api.transfer.imports import (
    _STARTED,
    TAG,
    ImportApplyApi,
    ImportTaskApi,
    ImportTaskSerializer,
    wizard_choices,
)
from factory.transfer.imports import (
    CHANGE_KINDS,
    import_change_get,
    import_changes,
    import_preview_request,
)
from factory.transfer.models import ImportChange

OBJECT_TYPES = ("job", "script", "resource", "connection", "environment_variable")


class ChangeCountsSerializer(serializers.Serializer):
    """How much of the object changes (the keys that apply to its type)."""

    nodesAdded = serializers.IntegerField(required=False)
    nodesRemoved = serializers.IntegerField(required=False)
    nodesModified = serializers.IntegerField(required=False)
    edgesAdded = serializers.IntegerField(required=False)
    edgesRemoved = serializers.IntegerField(required=False)
    properties = serializers.IntegerField(required=False)
    linesAdded = serializers.IntegerField(required=False)
    linesRemoved = serializers.IntegerField(required=False)

    class Meta:
        ref_name = "ImportChangeCounts"


class ImportChangeSerializer(serializers.Serializer):
    """One object of the package and what importing it would do."""

    id = serializers.IntegerField()
    type = serializers.CharField(source="object_type")
    name = serializers.CharField()
    newName = serializers.CharField(source="new_name")
    change = serializers.ChoiceField(choices=CHANGE_KINDS)
    message = serializers.CharField(allow_blank=True)
    counts = ChangeCountsSerializer()

    class Meta:
        ref_name = "ImportChange"


class ImportChangeDetailSerializer(ImportChangeSerializer):
    """With the structural diff (a job's JobDiff, a script's ScriptDiff, a resource's PropertiesDiff, as
    Compare Versions answers them; null when nothing changes or the object is new) and, for a job, the
    documents before and after, secrets emptied, to draw its DAG."""

    diff = serializers.SerializerMethodField()
    before = serializers.SerializerMethodField()
    after = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ImportChangeDetail"

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_diff(self, row: ImportChange) -> dict[str, Any] | None:
        return row.diff

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_before(self, row: ImportChange) -> dict[str, Any] | None:
        return row.before

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_after(self, row: ImportChange) -> dict[str, Any] | None:
        return row.after


class ImportPreviewApi(ImportTaskApi):
    """Wizard step 2 -> Next: the choices (as the apply takes them) are checked, then a task classifies
    every object of the package against the workspace as new, changed or unchanged on what would be
    written; the import then waits (step ``previewed``) for the apply. Poll the task."""

    @extend_schema(
        tags=TAG,
        request=ImportApplyApi.InputSerializer,
        responses={202: _STARTED},
        operation_id="imports_preview",
    )
    def post(self, request: Request, workspace_id: str, task_id: str) -> Response:
        data = ImportApplyApi.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = self.task(request, task_id)
        task = import_preview_request(
            task=task,
            user=request.user,
            choices=wizard_choices(task=task, user=request.user, body=data.validated_data),
        )
        return Response({"task": ImportTaskSerializer(task).data}, status=status.HTTP_202_ACCEPTED)


class ImportChangeListApi(ImportTaskApi):
    """The previewed objects, in the order the import would write them."""

    class FilterSerializer(serializers.Serializer):
        type = serializers.ChoiceField(choices=OBJECT_TYPES, required=False)
        change = serializers.ChoiceField(choices=CHANGE_KINDS, required=False)
        search = serializers.CharField(required=False, max_length=128)

    @extend_schema(
        tags=TAG,
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter("type", str, enum=OBJECT_TYPES),
            OpenApiParameter("change", str, enum=CHANGE_KINDS),
            OpenApiParameter("search", str, description="Part of the name."),
        ],
        responses=paginated(ImportChangeSerializer),
        operation_id="imports_changes_list",
    )
    def get(self, request: Request, workspace_id: str, task_id: str) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        rows = import_changes(
            task=self.task(request, task_id),
            object_type=values.get("type"),
            change=values.get("change"),
            search=values.get("search"),
        )
        return paginated_response(
            request=request, view=self, items=rows, serializer_class=ImportChangeSerializer
        )


class ImportChangeDetailApi(ImportTaskApi):
    """One previewed object with its diff."""

    @extend_schema(tags=TAG, responses=ImportChangeDetailSerializer, operation_id="imports_changes_get")
    def get(self, request: Request, workspace_id: str, task_id: str, change_id: int) -> Response:
        row = import_change_get(task=self.task(request, task_id), change_id=change_id)
        return Response(ImportChangeDetailSerializer(row).data)
