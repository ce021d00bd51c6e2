"""System tasks (exports and imports) as the console polls them. ``TaskSerializer`` is shared by the
export and import views: one shape for every task."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from factory.api.common import WorkspaceApi
from factory.transfer.models import TaskKind, TaskStatus
from factory.transfer.selectors import system_task_get
from factory.workspaces.models import Role
from factory.workspaces.selectors import role_at_least

TAG = ["transfer"]


class SubTaskSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    objectType = serializers.CharField(source="object_type")  # noqa: N815
    objectName = serializers.CharField(source="object_name")  # noqa: N815
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    outcome = serializers.CharField()
    message = serializers.CharField()
    detail = serializers.JSONField()
    startedAt = serializers.DateTimeField(source="started_at", allow_null=True)  # noqa: N815
    endedAt = serializers.DateTimeField(source="ended_at", allow_null=True)  # noqa: N815

    class Meta:
        ref_name = "SubTask"


class TaskSerializer(serializers.Serializer):
    """A ``SystemTask``: ``id`` is its public id; ``result`` what it found or did (an export: file name,
    OBS path, size, the objects written and the references the package needs)."""

    id = serializers.CharField(source="public_id")
    kind = serializers.ChoiceField(choices=TaskKind.choices)
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    step = serializers.CharField()
    progress = serializers.IntegerField(min_value=0, max_value=100)
    message = serializers.CharField()
    createdAt = serializers.DateTimeField(source="created_at")  # noqa: N815
    startedAt = serializers.DateTimeField(source="started_at", allow_null=True)  # noqa: N815
    endedAt = serializers.DateTimeField(source="ended_at", allow_null=True)  # noqa: N815
    subtasks = SubTaskSerializer(many=True, source="subtasks.all")
    result = serializers.JSONField()

    class Meta:
        ref_name = "SystemTask"


class TaskDetailApi(WorkspaceApi):
    """A task of the workspace: the user's own, or any for workspace admins."""

    @extend_schema(tags=TAG, responses=TaskSerializer, operation_id="tasks_get")
    def get(self, request: Request, workspace_id: str, task_id: str) -> Response:
        task = system_task_get(
            workspace=self.workspace,
            user=request.user,
            public_id=task_id,
            is_admin=role_at_least(membership=self.membership, role=Role.ADMIN),
        )
        return Response(TaskSerializer(task).data)
