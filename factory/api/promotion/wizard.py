"""Console API: environment profiles in the import wizard of their target workspace. The wizard of
workspace T lists the profiles that promote to T (of the workspaces where the user may promote) and, once
the package is inspected, reads a profile's choices for it to fill step 2; masked values stay on the
server (``factory.promotion.wizard``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from factory.api.common import WorkspaceApi, request_user
from factory.api.transfer.imports import (
    ImportMappingSerializer,
    ImportRewriteRuleSerializer,
    ImportTaskApi,
)
from factory.promotion.models import EnvironmentProfile
from factory.promotion.wizard import import_profile_choices, import_profile_get, import_profiles_list

TAG = ["promotion"]


class ImportProfileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    workspaceId = serializers.IntegerField(source="workspace_id")  # noqa: N815
    workspaceName = serializers.CharField(source="workspace.name")  # noqa: N815
    duplicatePolicy = serializers.CharField(source="duplicate_policy")  # noqa: N815

    class Meta:
        ref_name = "ImportProfile"


class ImportProfileVariableSerializer(serializers.Serializer):
    name = serializers.CharField()
    value = serializers.CharField(allow_blank=True)
    masked = serializers.BooleanField()

    class Meta:
        ref_name = "ImportProfileVariable"


class ImportProfileMaskedSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["publicParam", "jobParam", "variable"])
    name = serializers.CharField()
    job = serializers.CharField(allow_null=True)

    class Meta:
        ref_name = "ImportProfileMasked"


class ImportProfileChoicesSerializer(serializers.Serializer):
    """The profile's choices in the form of the apply's body (``ImportApplyInput``), masked values out."""

    profile = ImportProfileSerializer()
    policy = serializers.CharField()
    mapping = ImportMappingSerializer(many=True)
    publicParams = serializers.DictField(child=serializers.CharField(allow_blank=True))  # noqa: N815
    jobParams = serializers.DictField(  # noqa: N815
        child=serializers.DictField(child=serializers.CharField(allow_blank=True))
    )
    targetStatus = serializers.CharField()  # noqa: N815
    keepSchedules = serializers.BooleanField()  # noqa: N815
    rewriteRules = ImportRewriteRuleSerializer(many=True)  # noqa: N815
    variables = ImportProfileVariableSerializer(many=True)
    lockPolicy = serializers.CharField()  # noqa: N815
    releaseLocks = serializers.BooleanField()  # noqa: N815
    expressionTimeZone = serializers.CharField(allow_blank=True)  # noqa: N815
    skipUnchanged = serializers.BooleanField()  # noqa: N815
    masked = ImportProfileMaskedSerializer(
        many=True,
        help_text="The profile's masked values, kept on the server: an apply or preview naming the profile "
        "(profileId) gets each one its body leaves out.",
    )

    class Meta:
        ref_name = "ImportProfileChoices"


def _profile(profile: EnvironmentProfile) -> dict[str, object]:
    return ImportProfileSerializer(profile).data


class ImportProfileListApi(WorkspaceApi):
    """The environment profiles that promote to this workspace, of the workspaces where you may promote
    (developer, deployer or admin; a profile that requires approval: deployer or admin, who may approve
    with it): what the import wizard's first step offers."""

    @extend_schema(
        tags=TAG, responses=ImportProfileSerializer(many=True), operation_id="import_profiles_list"
    )
    def get(self, request: Request, workspace_id: str) -> Response:
        profiles = import_profiles_list(workspace=self.workspace, user=request_user(request))
        return Response([_profile(p) for p in profiles])


class ImportProfileChoicesApi(ImportTaskApi):
    """A profile's choices for this import's package (once inspected): step 2 of the wizard, filled."""

    @extend_schema(tags=TAG, responses=ImportProfileChoicesSerializer, operation_id="import_profile_choices")
    def get(self, request: Request, workspace_id: str, task_id: str, profile_id: int) -> Response:
        task = self.task(request, task_id)
        profile = import_profile_get(
            workspace=self.workspace, user=request_user(request), profile_id=profile_id
        )
        result = import_profile_choices(
            profile=profile, inspection=(task.result or {}).get("inspection") or {}
        )
        choices = result.choices
        return Response(
            ImportProfileChoicesSerializer(
                {
                    "profile": profile,
                    "policy": choices.policy,
                    "mapping": [
                        {"kind": kind, "name": name, "replace": new}
                        for (kind, name), new in sorted(choices.mapping.items())
                    ],
                    "publicParams": choices.public_params,
                    "jobParams": choices.job_params,
                    "targetStatus": choices.target_status,
                    "keepSchedules": choices.keep_schedules,
                    "rewriteRules": [r.to_json() for r in choices.rewrite_rules],
                    "variables": [
                        {"name": v.name, "value": v.value, "masked": v.masked} for v in choices.variables
                    ],
                    "lockPolicy": choices.lock_policy,
                    "releaseLocks": choices.release_locks,
                    "expressionTimeZone": choices.expression_time_zone,
                    "skipUnchanged": choices.skip_unchanged,
                    "masked": [{"kind": m.kind, "name": m.name, "job": m.job} for m in result.masked],
                }
            ).data
        )
