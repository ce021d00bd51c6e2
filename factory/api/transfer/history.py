"""The import history and Undo: every import (and undo) of the workspace with its counts and whether it can
be undone; the undo's preview (GET) and the undo itself (POST, 202 with its task, followed through the
task routes). Who may undo: a workspace admin, or whoever started the import; developers see and undo
their own imports, admins everybody's."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from factory.api.common import WorkspaceApi, request_user
from factory.api.pagination import PAGE_PARAMETERS, paginated, paginated_response
from factory.api.transfer.tasks import TaskSerializer
from factory.transfer.imports.common import source_label
from factory.transfer.models import SystemTask, TaskKind, TaskStatus
from factory.transfer.undo import (
    import_history,
    import_undo_create,
    import_undo_preview,
    undo_refusal,
    undo_target_get,
)
from factory.workspaces.models import Role
from factory.workspaces.selectors import role_at_least

TAG = ["import"]


class ImportSourceSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="upload, obs or file.")
    fileName = serializers.CharField()  # noqa: N815
    label = serializers.CharField(help_text="The OBS path, or the file's name.")

    class Meta:
        ref_name = "ImportSource"


class ImportHistorySerializer(serializers.Serializer):
    """An import or an undo of the workspace. ``summary`` counts its report's objects per outcome (an
    import: created, overwritten, ...; an undo: reversed, kept, failed); ``undoes`` names the task an undo
    undid, ``undoneBy`` the undo that undid this one; ``undoRefusal`` says why it cannot be undone."""

    id = serializers.CharField(source="public_id")
    kind = serializers.ChoiceField(choices=[TaskKind.IMPORT, TaskKind.UNDO])
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    step = serializers.CharField()
    message = serializers.CharField()
    createdBy = serializers.CharField(source="created_by.username", allow_null=True, default=None)  # noqa: N815
    createdAt = serializers.DateTimeField(source="created_at")  # noqa: N815
    endedAt = serializers.DateTimeField(source="ended_at", allow_null=True)  # noqa: N815
    source = serializers.SerializerMethodField()
    sha256 = serializers.CharField(allow_null=True, help_text="The package's, as the inspection read it.")
    summary = serializers.DictField(child=serializers.IntegerField(), allow_null=True)
    undoes = serializers.CharField(source="undoes_public_id", allow_null=True)
    undoneBy = serializers.CharField(source="undone_by", allow_null=True)  # noqa: N815
    canUndo = serializers.SerializerMethodField()  # noqa: N815
    undoRefusal = serializers.SerializerMethodField()  # noqa: N815

    class Meta:
        ref_name = "ImportHistoryEntry"

    @extend_schema_field(ImportSourceSerializer(allow_null=True))
    def get_source(self, task: SystemTask) -> dict[str, Any] | None:
        source = (task.params or {}).get("source")
        if not source:
            return None
        return {
            "type": source.get("type", ""),
            "fileName": source.get("fileName", ""),
            "label": source_label(source),
        }

    def get_canUndo(self, task: SystemTask) -> bool:  # noqa: N802
        return undo_refusal(task) is None

    def get_undoRefusal(self, task: SystemTask) -> str | None:  # noqa: N802
        return undo_refusal(task)


class UndoPreviewObjectSerializer(serializers.Serializer):
    type = serializers.CharField(
        help_text="job, script, resource, connection, environment_variable or directory"
    )
    name = serializers.CharField()
    action = serializers.ChoiceField(choices=["restore", "recreate", "delete", "keep", "fail"])
    outcome = serializers.ChoiceField(choices=["reversed", "kept", "failed"])
    message = serializers.CharField()

    class Meta:
        ref_name = "UndoPreviewObject"


class UndoPreviewSerializer(serializers.Serializer):
    """What undoing the task would do now. ``counts``: per action (restore, recreate, delete, keep, fail),
    per object type; ``objects``: at most 1,000, those kept or failing first."""

    task = serializers.CharField()
    force = serializers.BooleanField()
    refusal = serializers.CharField(allow_null=True, help_text="Why it cannot be undone at all.")
    summary = serializers.CharField(help_text='"Restore 120 jobs to the state before the import; ..."')
    counts = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))
    total = serializers.IntegerField()
    objects = UndoPreviewObjectSerializer(many=True)
    truncated = serializers.BooleanField()

    class Meta:
        ref_name = "UndoPreview"


def _is_admin(view: WorkspaceApi) -> bool:
    return role_at_least(membership=view.membership, role=Role.ADMIN)


class ImportHistoryApi(WorkspaceApi):
    """The import history: the user's own imports and undos (a workspace admin's: everybody's), newest
    first."""

    @extend_schema(
        tags=TAG,
        parameters=PAGE_PARAMETERS,
        responses=paginated(ImportHistorySerializer),
        operation_id="imports_history",
    )
    def get(self, request: Request, workspace_id: str) -> Response:
        tasks = import_history(workspace=self.workspace, user=request_user(request), is_admin=_is_admin(self))
        return paginated_response(
            request=request, view=self, items=tasks, serializer_class=ImportHistorySerializer
        )


_UNDO_STARTED = inline_serializer("UndoStarted", {"task": TaskSerializer()})


class ImportUndoApi(WorkspaceApi):
    """Undo an import (or an undo: that applies the import again). GET: what it would do now
    (``?force=true``: objects changed since are reversed too). POST ``{force}``: the undo's task (202),
    read through the task routes."""

    class InputSerializer(serializers.Serializer):
        force = serializers.BooleanField(
            default=False, help_text="Reverse the objects changed since the import too."
        )

        class Meta:
            ref_name = "ImportUndoInput"

    def _target(self, request: Request, task_id: str) -> SystemTask:
        return undo_target_get(
            workspace=self.workspace, user=request_user(request), public_id=task_id, is_admin=_is_admin(self)
        )

    @extend_schema(
        tags=TAG,
        parameters=[InputSerializer],
        responses=UndoPreviewSerializer,
        operation_id="imports_undo_preview",
    )
    def get(self, request: Request, workspace_id: str, task_id: str) -> Response:
        data = self.InputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        preview = import_undo_preview(
            target=self._target(request, task_id),
            user=request_user(request),
            force=data.validated_data["force"],
        )
        return Response(UndoPreviewSerializer(preview).data)

    @extend_schema(
        tags=TAG, request=InputSerializer, responses={202: _UNDO_STARTED}, operation_id="imports_undo"
    )
    def post(self, request: Request, workspace_id: str, task_id: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = import_undo_create(
            target=self._target(request, task_id),
            user=request_user(request),
            force=data.validated_data["force"],
        )
        return Response({"task": TaskSerializer(task).data}, status=status.HTTP_202_ACCEPTED)
