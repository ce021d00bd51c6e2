"""Output serializers the development views share: the camelCase shapes the console's frontend reads.

Per-operation input serializers stay nested in their views; ``component`` gives each a unique name in
the OpenAPI schema (nested classes are all called ``InputSerializer``).
"""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from factory.connections.unresolved import job_unresolved_references
from factory.development.models import Category, ScheduleStatus, VersionKind
from factory.development.selectors.selection import ObjectSelection


def component(name: str):
    """Name a serializer's OpenAPI component (the TypeScript type the frontend generates from it)."""
    return extend_schema_serializer(component_name=name)


class _LockedSummary(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    directory = serializers.SerializerMethodField()
    owner = serializers.CharField()
    revision = serializers.IntegerField()
    lockHolder = serializers.CharField(source="lock_holder.username", allow_null=True)
    lockedByMe = serializers.SerializerMethodField()
    submitted = serializers.BooleanField(source="is_submitted")
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")
    updatedBy = serializers.CharField(source="updated_by.username", allow_null=True)

    @extend_schema_field(serializers.CharField())
    def get_directory(self, obj: Any) -> str:
        return obj.directory.path if obj.directory_id else "/"

    @extend_schema_field(serializers.BooleanField())
    def get_lockedByMe(self, obj: Any) -> bool:
        user = self.context.get("user")
        return user is not None and obj.lock_holder_id is not None and obj.lock_holder_id == user.pk


@component("JobSummary")
class JobSummarySerializer(_LockedSummary):
    processType = serializers.CharField(source="process_type")
    scheduleStatus = serializers.ChoiceField(source="schedule_status", choices=ScheduleStatus.choices)
    nodeCount = serializers.IntegerField(source="node_count")


@component("UnresolvedReference")
class UnresolvedReferenceSerializer(serializers.Serializer):
    node = serializers.CharField()
    kind = serializers.CharField(help_text="script, connection, dli_queue, ges_graph, ... (the registry's)")
    name = serializers.CharField()
    property = serializers.CharField(help_text="The node property naming it, e.g. connectionName.")


@component("Job")
class JobSerializer(JobSummarySerializer):
    secretFields = serializers.ListField(
        source="secret_fields",
        child=serializers.CharField(),
        help_text="Keys of the secret values set (node:<node>:<property>, param:<name>), never the values: "
        "the document holds them empty. Saving an empty value keeps the secret.",
    )
    document = serializers.DictField()
    unresolvedReferences = serializers.SerializerMethodField(
        help_text="Node properties naming an object this workspace does not hold (a script, data "
        "connection, DLI queue, GES graph, DIS stream, CDM or MRS cluster, resource or sub-job): the node "
        "fails when scheduled until it exists. Read afresh from the document, never stored."
    )

    @extend_schema_field(UnresolvedReferenceSerializer(many=True))
    def get_unresolvedReferences(self, obj: Any) -> list[dict[str, str]]:
        refs = job_unresolved_references(workspace_id=obj.workspace_id, document=obj.document)
        # many=True builds a ListSerializer (BaseSerializer.__new__), whose data is a list of dicts; the
        # stubs type the call as the child serializer and its data as one dict
        return cast(list[dict[str, str]], UnresolvedReferenceSerializer(refs, many=True).data)


@component("ScriptSummary")
class ScriptSummarySerializer(_LockedSummary):
    type = serializers.CharField()
    connectionName = serializers.CharField(source="connection_name")


@component("Script")
class ScriptSerializer(ScriptSummarySerializer):
    document = serializers.DictField()


@component("Version")
class VersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=VersionKind.choices)
    number = serializers.IntegerField()
    description = serializers.CharField()
    createdBy = serializers.CharField(source="created_by.username", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")


@component("VersionDetail")
class VersionDetailSerializer(VersionSerializer):
    document = serializers.DictField()


@component("Directory")
class DirectorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    category = serializers.CharField()
    name = serializers.CharField()
    path = serializers.CharField()
    parentId = serializers.IntegerField(source="parent_id", allow_null=True)
    depth = serializers.IntegerField()


@component("BatchUnlockResult")
class BatchUnlockSerializer(serializers.Serializer):
    @component("UnlockRefusal")
    class RefusedSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        reason = serializers.CharField()

    unlocked = serializers.IntegerField()
    refused = RefusedSerializer(many=True)


@component("TreeDirectory")
class TreeDirectorySerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    path = serializers.CharField()
    parentId = serializers.IntegerField(allow_null=True)
    hasChildren = serializers.BooleanField()


@component("TreeElement")
class TreeElementSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.values)
    id = serializers.IntegerField()
    name = serializers.CharField()
    directory = serializers.CharField()
    owner = serializers.CharField()
    processType = serializers.CharField(allow_null=True)
    scriptType = serializers.CharField(allow_null=True)
    resourceType = serializers.CharField(allow_null=True)
    lockHolder = serializers.CharField(allow_null=True)
    lockedByMe = serializers.BooleanField()
    submitted = serializers.BooleanField()
    scheduled = serializers.BooleanField()
    updatedAt = serializers.DateTimeField()


def _id_list(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=10000,
        help_text=help_text,
    )


class SelectionFieldsSerializer(serializers.Serializer):
    """The tree's ticked objects, compactly, as the export takes them: a ticked directory is its id, never
    the ids of everything under it; the server resolves it."""

    ids = _id_list("Ticked objects (whatever directory they are in).")
    directoryIds = _id_list("Ticked directories: everything under them, recursively.")  # noqa: N815
    excludeIds = _id_list("Unticked objects inside a ticked directory.")  # noqa: N815
    excludeDirectoryIds = _id_list("Unticked directories inside a ticked one.")  # noqa: N815
    # No default: a default would make the schema's request type require it.
    all = serializers.BooleanField(required=False, help_text="The whole tree is ticked.")

    @staticmethod
    def selection_of(data: dict) -> ObjectSelection:
        return ObjectSelection(
            ids=tuple(data["ids"]),
            directory_ids=tuple(data["directoryIds"]),
            exclude_ids=tuple(data["excludeIds"]),
            exclude_directory_ids=tuple(data["excludeDirectoryIds"]),
            everything=data.get("all", False),
        )


@component("BatchSelection")
class BatchSelectionSerializer(SelectionFieldsSerializer):
    def validate(self, attrs: dict) -> dict:
        if not (attrs["ids"] or attrs["directoryIds"] or attrs.get("all")):
            raise serializers.ValidationError({"ids": ["Select at least one object or directory."]})
        return attrs
