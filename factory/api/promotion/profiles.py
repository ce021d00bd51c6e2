"""Environment profiles of a workspace: where its jobs are promoted to and what changes on the way.

Members read them; only the workspace's admins create, change, delete and import them. Secrets go in
write-only (``target.accessKey``, ``target.secretKey``, a masked override's ``value``) and no answer
carries one: the target says which keys are set, a masked override whether its value is. A profile's
JSON file (Export, Import) is ``profile_files``'.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from factory.api.common import WorkspaceApi, request_user
from factory.api.pagination import PAGE_PARAMETERS, paginated, paginated_response
from factory.connections.models import ConnectionType
from factory.packages.rewrite import TextRule
from factory.promotion.documents import profile_outline
from factory.promotion.models import (
    DuplicatePolicy,
    EnvironmentProfile,
    LockPolicy,
    SchedulePolicy,
    TargetKind,
    TargetStatus,
)
from factory.promotion.selectors import profile_get, profile_list
from factory.promotion.services import profile_create, profile_delete, profile_update
from factory.promotion.specs import MAPPING_KINDS, ProfileSpec, ReferenceMapping, RemoteTarget, ValueOverride
from factory.workspaces.models import Role

TAG = ["promotion"]

# --- what answers carry --------------------------------------------------------------------------------


class ProfileTargetSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TargetKind.choices)
    workspaceId = serializers.IntegerField(  # noqa: N815
        allow_null=True, help_text="A workspace target's id; null for a remote one, or when it was deleted."
    )
    workspaceName = serializers.CharField(allow_null=True)  # noqa: N815
    endpoint = serializers.CharField(help_text="A remote target's v1 API endpoint.")
    projectId = serializers.CharField()  # noqa: N815
    remoteWorkspaceId = serializers.CharField(  # noqa: N815
        help_text="DataArts' workspace id (the v1 `workspace` header); empty: the project's default."
    )
    obsFolder = serializers.CharField(help_text="obs://bucket/folder/ where packages are staged.")  # noqa: N815
    accessKeySet = serializers.BooleanField()  # noqa: N815
    secretKeySet = serializers.BooleanField()  # noqa: N815
    accessKeyHint = serializers.CharField(help_text="The access key's last characters, to recognise it.")  # noqa: N815


class ProfileMappingSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[(k, k) for k in MAPPING_KINDS])
    name = serializers.CharField(max_length=128, help_text="The name in the source workspace.")
    connectionType = serializers.ChoiceField(  # noqa: N815
        choices=ConnectionType.choices, allow_null=True, required=False, default=None
    )
    replace = serializers.CharField(max_length=128, help_text="The name to use in the target.")


class ProfileRuleSerializer(serializers.Serializer):
    find = serializers.CharField(max_length=256, trim_whitespace=False)
    replace = serializers.CharField(max_length=1024, allow_blank=True, trim_whitespace=False)
    regex = serializers.BooleanField(
        default=False, help_text="An anchored regular expression (^... or ...$)."
    )
    wholeWord = serializers.BooleanField(default=True, help_text="A literal rule matches whole words only.")  # noqa: N815


class ProfileOverrideSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    value = serializers.CharField(
        allow_null=True, allow_blank=True, help_text="Null when masked: a masked value is never shown."
    )
    masked = serializers.BooleanField()
    valueSet = serializers.BooleanField(help_text="Whether a masked value is set.")  # noqa: N815


class ProfileJobOverrideSerializer(ProfileOverrideSerializer):
    job = serializers.CharField(max_length=128)


class ProfileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    target = ProfileTargetSerializer()
    mappings = ProfileMappingSerializer(many=True)
    publicParams = ProfileOverrideSerializer(many=True)  # noqa: N815
    jobParams = ProfileJobOverrideSerializer(many=True)  # noqa: N815
    environmentVariables = ProfileOverrideSerializer(many=True)  # noqa: N815
    rewriteRules = ProfileRuleSerializer(many=True)  # noqa: N815
    duplicatePolicy = serializers.ChoiceField(choices=DuplicatePolicy.choices)  # noqa: N815
    lockPolicy = serializers.ChoiceField(choices=LockPolicy.choices)  # noqa: N815
    releaseLocks = serializers.BooleanField()  # noqa: N815
    targetStatus = serializers.ChoiceField(choices=TargetStatus.choices)  # noqa: N815
    schedulePolicy = serializers.ChoiceField(choices=SchedulePolicy.choices)  # noqa: N815
    expressionTimeZone = serializers.CharField()  # noqa: N815
    requiresApproval = serializers.BooleanField()  # noqa: N815
    createdBy = serializers.CharField(allow_null=True)  # noqa: N815
    createdAt = serializers.DateTimeField()  # noqa: N815
    updatedBy = serializers.CharField(allow_null=True)  # noqa: N815
    updatedAt = serializers.DateTimeField()  # noqa: N815


def _answer(profile: EnvironmentProfile) -> dict[str, Any]:
    return ProfileSerializer(profile_outline(profile=profile)).data


# --- what writes take ----------------------------------------------------------------------------------


class ProfileTargetInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TargetKind.choices)
    workspaceId = serializers.IntegerField(required=False, allow_null=True, default=None)  # noqa: N815
    endpoint = serializers.CharField(max_length=512, required=False, allow_blank=True, default="")
    projectId = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")  # noqa: N815
    remoteWorkspaceId = serializers.CharField(  # noqa: N815
        max_length=64, required=False, allow_blank=True, default=""
    )
    obsFolder = serializers.CharField(max_length=1024, required=False, allow_blank=True, default="")  # noqa: N815
    accessKey = serializers.CharField(  # noqa: N815
        max_length=128,
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        write_only=True,
        help_text="Write-only; blank keeps the stored one.",
    )
    secretKey = serializers.CharField(  # noqa: N815
        max_length=128,
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        write_only=True,
        trim_whitespace=False,
        help_text="Write-only; blank keeps the stored one.",
    )

    class Meta:
        ref_name = "ProfileTargetInput"


class ProfileOverrideInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    value = serializers.CharField(
        max_length=65_536,
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        trim_whitespace=False,
        help_text="For a masked value: blank or null keeps the stored one.",
    )
    masked = serializers.BooleanField(default=False)

    class Meta:
        ref_name = "ProfileOverrideInput"


class ProfileJobOverrideInputSerializer(ProfileOverrideInputSerializer):
    job = serializers.CharField(max_length=128)

    class Meta:
        ref_name = "ProfileJobOverrideInput"


class ProfileInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    description = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    target = ProfileTargetInputSerializer()
    mappings = ProfileMappingSerializer(many=True, required=False, default=list)
    publicParams = ProfileOverrideInputSerializer(many=True, required=False, default=list)  # noqa: N815
    jobParams = ProfileJobOverrideInputSerializer(many=True, required=False, default=list)  # noqa: N815
    environmentVariables = ProfileOverrideInputSerializer(many=True, required=False, default=list)  # noqa: N815
    rewriteRules = ProfileRuleSerializer(many=True, required=False, default=list)  # noqa: N815
    duplicatePolicy = serializers.ChoiceField(
        choices=DuplicatePolicy.choices, default=DuplicatePolicy.OVERWRITE
    )  # noqa: N815
    lockPolicy = serializers.ChoiceField(choices=LockPolicy.choices, default=LockPolicy.TAKE)  # noqa: N815
    releaseLocks = serializers.BooleanField(default=False)  # noqa: N815
    targetStatus = serializers.ChoiceField(choices=TargetStatus.choices, default=TargetStatus.SUBMITTED)  # noqa: N815
    schedulePolicy = serializers.ChoiceField(choices=SchedulePolicy.choices, default=SchedulePolicy.REFUSE)  # noqa: N815
    expressionTimeZone = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")  # noqa: N815
    requiresApproval = serializers.BooleanField(default=False)  # noqa: N815

    class Meta:
        ref_name = "ProfileInput"


def _overrides(items: list[dict[str, Any]], *, per_job: bool = False) -> tuple[ValueOverride, ...]:
    return tuple(
        ValueOverride(name=i["name"], value=i["value"], masked=i["masked"], job=i["job"] if per_job else None)
        for i in items
    )


def spec_from_input(data: dict[str, Any]) -> ProfileSpec:
    """The typed profile from a validated ``ProfileInputSerializer``."""
    target = data["target"]
    remote = None
    if target["kind"] == TargetKind.REMOTE:
        remote = RemoteTarget(
            endpoint=target["endpoint"],
            project_id=target["projectId"],
            obs_folder=target["obsFolder"],
            workspace_id=target["remoteWorkspaceId"],
            access_key=target["accessKey"] or None,
            secret_key=target["secretKey"] or None,
        )
    return ProfileSpec(
        name=data["name"],
        description=data["description"],
        target_kind=target["kind"],
        target_workspace_id=target["workspaceId"],
        remote=remote,
        mappings=tuple(
            ReferenceMapping(
                kind=m["kind"], name=m["name"], replace=m["replace"], connection_type=m["connectionType"]
            )
            for m in data["mappings"]
        ),
        public_params=_overrides(data["publicParams"]),
        job_params=_overrides(data["jobParams"], per_job=True),
        environment_variables=_overrides(data["environmentVariables"]),
        rewrite_rules=tuple(
            TextRule(find=r["find"], replace=r["replace"], regex=r["regex"], whole_word=r["wholeWord"])
            for r in data["rewriteRules"]
        ),
        duplicate_policy=data["duplicatePolicy"],
        lock_policy=data["lockPolicy"],
        release_locks=data["releaseLocks"],
        target_status=data["targetStatus"],
        schedule_policy=data["schedulePolicy"],
        expression_time_zone=data["expressionTimeZone"],
        requires_approval=data["requiresApproval"],
    )


# --- the operations ------------------------------------------------------------------------------------


class ProfileListApi(WorkspaceApi):
    @extend_schema(
        tags=TAG,
        parameters=[*PAGE_PARAMETERS, OpenApiParameter("search", str, description="Part of the name.")],
        responses=paginated(ProfileSerializer),
        operation_id="profiles_list",
    )
    def get(self, request: Request, workspace_id: str) -> Response:
        profiles = [
            profile_outline(profile=p)
            for p in profile_list(workspace=self.workspace, search=request.query_params.get("search") or None)
        ]
        return paginated_response(
            request=request, view=self, items=profiles, serializer_class=ProfileSerializer
        )


class ProfileCreateApi(WorkspaceApi):
    write_role = Role.ADMIN

    @extend_schema(
        tags=TAG,
        request=ProfileInputSerializer,
        responses={201: ProfileSerializer},
        operation_id="profiles_create",
    )
    def post(self, request: Request, workspace_id: str) -> Response:
        data = ProfileInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        profile = profile_create(
            workspace=self.workspace, user=request_user(request), spec=spec_from_input(data.validated_data)
        )
        return Response(_answer(profile), status=status.HTTP_201_CREATED)


class ProfileGetApi(WorkspaceApi):
    @extend_schema(tags=TAG, responses=ProfileSerializer, operation_id="profiles_get")
    def get(self, request: Request, workspace_id: str, profile_id: int) -> Response:
        return Response(_answer(profile_get(workspace=self.workspace, profile_id=profile_id)))


class ProfileUpdateApi(WorkspaceApi):
    """Replace the whole profile; the secrets left blank are kept."""

    write_role = Role.ADMIN

    @extend_schema(
        tags=TAG, request=ProfileInputSerializer, responses=ProfileSerializer, operation_id="profiles_update"
    )
    def put(self, request: Request, workspace_id: str, profile_id: int) -> Response:
        profile = profile_get(workspace=self.workspace, profile_id=profile_id)
        data = ProfileInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        profile = profile_update(
            profile=profile, user=request_user(request), spec=spec_from_input(data.validated_data)
        )
        return Response(_answer(profile))


class ProfileDeleteApi(WorkspaceApi):
    write_role = Role.ADMIN

    @extend_schema(tags=TAG, responses={204: None}, operation_id="profiles_delete")
    def delete(self, request: Request, workspace_id: str, profile_id: int) -> Response:
        profile_delete(profile=profile_get(workspace=self.workspace, profile_id=profile_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
