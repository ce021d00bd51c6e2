"""System tasks (exports and imports) as the console polls them. ``TaskSerializer`` is shared by the
export and import views: one shape for every task. A RUNNING task's ``progress``, ``message`` and ``live``
come from what its worker published (``factory.transfer.progress``) when it published anything."""

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


class LiveObjectSerializer(serializers.Serializer):
    """One object of a running step as the worker reported it (not yet a committed ``SubTask``)."""

    order = serializers.IntegerField(help_text="1 for the first object processed, then 2, ...")
    type = serializers.CharField(help_text="job, script, resource, connection or environment_variable")
    name = serializers.CharField(help_text="The name in the package.")
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    outcome = serializers.CharField(allow_blank=True)
    message = serializers.CharField(allow_blank=True)

    class Meta:
        ref_name = "LiveObject"


class LiveProgressSerializer(serializers.Serializer):
    """What a RUNNING step has done so far, published by the worker outside its transaction: ``done`` of
    ``total`` objects, ``failed`` among them, and the most recently processed ``objects`` (at most 500;
    the one being written last, RUNNING). Pollers accumulate them by ``order``."""

    step = serializers.CharField()
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    failed = serializers.IntegerField()
    objects = LiveObjectSerializer(many=True)
    updatedAt = serializers.CharField()  # noqa: N815

    class Meta:
        ref_name = "LiveProgress"


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
    live = LiveProgressSerializer(
        allow_null=True,
        read_only=True,
        help_text="While the task is RUNNING: the progress its worker published (the committed rows say "
        "nothing yet). Null otherwise; then ``subtasks`` are the truth.",
    )
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
            live=True,
        )
        return Response(TaskSerializer(task).data)
