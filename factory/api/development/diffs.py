"""Compare Versions: the structural diff between two versions of a job or a script (read-only).

``GET jobs/<id>/versions/diff/?from=<version id | development>&to=<version id | development>`` and the
same under ``scripts/``: both sides' documents and what changed (``factory.packages.diff``), as the
console's Compare Versions dialog shows them. By default from the latest submitted version to the
development state: what is not submitted yet.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from factory.api.common import WorkspaceApi
from factory.api.development.serializers import component
from factory.development.models import VersionKind
from factory.development.selectors import job_get, script_get
from factory.development.selectors.diffs import (
    DEVELOPMENT,
    VersionRef,
    VersionsDiff,
    job_versions_diff,
    script_versions_diff,
)

CHANGE_KINDS = ("added", "removed", "changed")


@component("DiffChange")
class ChangeSerializer(serializers.Serializer):
    path = serializers.CharField(
        help_text="Where, e.g. properties.database.value, schedule.cron.expression, params.p1.value; "
        'a key that is not a plain word is quoted: properties["a.b"].value.'
    )
    kind = serializers.ChoiceField(choices=CHANGE_KINDS)
    old = serializers.JSONField(
        allow_null=True, help_text="The value before; null when added. For a secret: whether it was set."
    )
    new = serializers.JSONField(
        allow_null=True, help_text="The value after; null when removed. For a secret: whether it is set."
    )
    secret = serializers.BooleanField(help_text="A secret value: only whether it is set is compared.")


@component("DiffNode")
class NodeDiffSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField(help_text="The newer version's node type (the older one's when removed).")
    status = serializers.ChoiceField(choices=("added", "removed", "modified", "unchanged"))
    changes = ChangeSerializer(many=True, help_text="Paths within the node; only when modified.")


@component("DiffEdge")
class EdgeDiffSerializer(serializers.Serializer):
    # DRF takes declared fields off the class, so this does not shadow Field.source (the stubs cannot know)
    source = serializers.CharField(help_text="The upstream node (in the target's preNodeName).")  # type: ignore[assignment]
    target = serializers.CharField()
    status = serializers.ChoiceField(choices=("added", "removed", "unchanged"))


@component("JobDiffSummary")
class JobDiffSummarySerializer(serializers.Serializer):
    nodesAdded = serializers.IntegerField()
    nodesRemoved = serializers.IntegerField()
    nodesModified = serializers.IntegerField()
    edgesAdded = serializers.IntegerField()
    edgesRemoved = serializers.IntegerField()
    schedule = serializers.IntegerField(help_text="Changes of the schedule.")
    params = serializers.IntegerField(help_text="Changes of the parameters.")
    properties = serializers.IntegerField(help_text="Changes of the job's other properties.")


@component("JobDiff")
class JobDiffSerializer(serializers.Serializer):
    changed = serializers.BooleanField(
        help_text="False when nothing differs: canvas positions, key order, the order of unordered lists, "
        "defaults and secret values (compared only as set or unset) never count."
    )
    summary = JobDiffSummarySerializer()
    nodes = NodeDiffSerializer(many=True, help_text="Every node of either version, matched by name.")
    edges = EdgeDiffSerializer(many=True, help_text="Every edge of either version.")
    schedule = ChangeSerializer(many=True)
    params = ChangeSerializer(many=True)
    properties = ChangeSerializer(many=True, help_text="Every other job property.")


@component("ScriptDiff")
class ScriptDiffSerializer(serializers.Serializer):
    changed = serializers.BooleanField()
    contentDiff = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False),
        help_text="The content's unified diff, line by line (--- before, +++ after, @@ hunks); "
        "empty when the content is the same.",
    )
    linesAdded = serializers.IntegerField()
    linesRemoved = serializers.IntegerField()
    properties = ChangeSerializer(many=True, help_text="Every property but the content.")


@component("DiffSide")
class DiffSideSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[*VersionKind.values, DEVELOPMENT])
    versionId = serializers.IntegerField(source="version_id", allow_null=True)
    number = serializers.IntegerField(allow_null=True)
    createdBy = serializers.CharField(source="created_by", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at", allow_null=True)
    document = serializers.DictField(help_text="The definition on this side (secret values empty).")


@component("JobVersionsDiff")
class JobVersionsDiffSerializer(serializers.Serializer):
    old = DiffSideSerializer()
    new = DiffSideSerializer()
    diff = JobDiffSerializer()


@component("ScriptVersionsDiff")
class ScriptVersionsDiffSerializer(serializers.Serializer):
    old = DiffSideSerializer()
    new = DiffSideSerializer()
    diff = ScriptDiffSerializer()


_REF = r"^(?:\d{1,18}|development)$"
PARAMETERS = [
    OpenApiParameter(
        "from",
        str,
        required=False,
        description="The older side: a version's id, or development; by default the latest submitted "
        "version (the development state when there is none).",
    ),
    OpenApiParameter(
        "to", str, required=False, description="The newer side: a version's id, or development (default)."
    ),
]


class QuerySerializer(serializers.Serializer):
    """``from`` and ``to``, which are Python keywords, hence declared here rather than as attributes."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "from": serializers.RegexField(
                _REF, required=False, error_messages={"invalid": "A version id or development."}
            ),
            "to": serializers.RegexField(
                _REF,
                required=False,
                default=DEVELOPMENT,
                error_messages={"invalid": "A version id or development."},
            ),
        }


def _ref(value: str) -> VersionRef:
    return DEVELOPMENT if value == DEVELOPMENT else int(value)


def _refs(request: Request) -> tuple[VersionRef | None, VersionRef]:
    query = QuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    old = query.validated_data.get("from")
    return None if old is None else _ref(old), _ref(query.validated_data["to"])


def _data(result: VersionsDiff[Any]) -> dict[str, Any]:
    return {"old": result.old, "new": result.new, "diff": result.diff.to_dict()}


class JobVersionsDiffApi(WorkspaceApi):
    """Compare two versions of a job, or a version and the development state: both documents, every node
    and edge of either with its status (added, removed, modified, unchanged), each node's changed
    properties, and the changes of the schedule, the parameters and the job's other properties."""

    @extend_schema(
        operation_id="job_versions_diff",
        tags=["jobs"],
        parameters=PARAMETERS,
        responses=JobVersionsDiffSerializer,
    )
    def get(self, request: Request, **kwargs: Any) -> Response:
        old, new = _refs(request)
        job = job_get(workspace=self.workspace, job_id=kwargs["job_id"])
        result = job_versions_diff(job=job, old=old, new=new)
        return Response(JobVersionsDiffSerializer(_data(result)).data)


class ScriptVersionsDiffApi(WorkspaceApi):
    """Compare two versions of a script, or a version and the development state: both documents, a
    unified line diff of the content and the changes of its other properties."""

    @extend_schema(
        operation_id="script_versions_diff",
        tags=["scripts"],
        parameters=PARAMETERS,
        responses=ScriptVersionsDiffSerializer,
    )
    def get(self, request: Request, **kwargs: Any) -> Response:
        old, new = _refs(request)
        script = script_get(workspace=self.workspace, script_id=kwargs["script_id"])
        result = script_versions_diff(script=script, old=old, new=new)
        return Response(ScriptVersionsDiffSerializer(_data(result)).data)
