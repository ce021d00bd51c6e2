"""Console API: an environment profile as a JSON file (Export) and a profile from one (Import), the
document ``factory.promotion.documents`` writes and ``profile_import`` reads: no secret in it, a remote
target's keys typed again on import."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from factory.api.common import WorkspaceApi, request_user
from factory.api.promotion.profiles import (
    TAG,
    ProfileMappingSerializer,
    ProfileRuleSerializer,
    ProfileSerializer,
)
from factory.promotion.documents import profile_document, profile_file_name, profile_outline
from factory.promotion.models import DuplicatePolicy, LockPolicy, SchedulePolicy, TargetKind, TargetStatus
from factory.promotion.selectors import profile_get, profile_unset_secrets
from factory.promotion.services import profile_import
from factory.workspaces.models import Role


class ProfileDocumentTargetSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TargetKind.choices)
    workspaceName = serializers.CharField(required=False, help_text="A workspace target, by name.")  # noqa: N815
    endpoint = serializers.CharField(required=False)
    projectId = serializers.CharField(required=False)  # noqa: N815
    remoteWorkspaceId = serializers.CharField(required=False)  # noqa: N815
    obsFolder = serializers.CharField(required=False)  # noqa: N815

    class Meta:
        ref_name = "ProfileDocumentTarget"


class ProfileDocumentOverrideSerializer(serializers.Serializer):
    job = serializers.CharField(required=False, help_text="Per-job overrides only.")
    name = serializers.CharField()
    value = serializers.CharField(allow_null=True, help_text="Null for a masked value: never exported.")
    masked = serializers.BooleanField()

    class Meta:
        ref_name = "ProfileDocumentOverride"


class ProfileDocumentBodySerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()
    target = ProfileDocumentTargetSerializer()
    mappings = ProfileMappingSerializer(many=True)
    publicParams = ProfileDocumentOverrideSerializer(many=True)  # noqa: N815
    jobParams = ProfileDocumentOverrideSerializer(many=True)  # noqa: N815
    environmentVariables = ProfileDocumentOverrideSerializer(many=True)  # noqa: N815
    rewriteRules = ProfileRuleSerializer(many=True)  # noqa: N815
    duplicatePolicy = serializers.ChoiceField(choices=DuplicatePolicy.choices)  # noqa: N815
    lockPolicy = serializers.ChoiceField(choices=LockPolicy.choices)  # noqa: N815
    releaseLocks = serializers.BooleanField()  # noqa: N815
    targetStatus = serializers.ChoiceField(choices=TargetStatus.choices)  # noqa: N815
    schedulePolicy = serializers.ChoiceField(choices=SchedulePolicy.choices)  # noqa: N815
    expressionTimeZone = serializers.CharField()  # noqa: N815
    requiresApproval = serializers.BooleanField()  # noqa: N815

    class Meta:
        ref_name = "ProfileDocumentBody"


class ProfileDocumentSerializer(serializers.Serializer):
    """The JSON file of Export (and of ``manage.py profile export``): the profile without its secrets."""

    format = serializers.CharField()
    version = serializers.IntegerField()
    note = serializers.CharField(help_text="Says that no secret is in the document.")
    workspace = serializers.CharField(help_text="The workspace it was exported from.")
    profile = ProfileDocumentBodySerializer()


class ProfileExportApi(WorkspaceApi):
    """The profile as a JSON file, without its secrets (the remote keys, masked values)."""

    @extend_schema(
        tags=TAG,
        responses={
            (200, "application/json"): OpenApiResponse(ProfileDocumentSerializer, description="The file.")
        },
        operation_id="profiles_export",
    )
    def get(self, request: Request, workspace_id: str, profile_id: int) -> HttpResponse:
        profile = profile_get(workspace=self.workspace, profile_id=profile_id)
        response = HttpResponse(
            json.dumps(profile_document(profile=profile), indent=2, ensure_ascii=False),
            content_type="application/json",
        )
        response["Content-Disposition"] = content_disposition_header(True, profile_file_name(profile=profile))
        response["Cache-Control"] = "no-store"
        return response


class ProfileImportApi(WorkspaceApi):
    """A profile from an exported JSON document: every field checked; a remote target's keys typed again."""

    write_role = Role.ADMIN

    class InputSerializer(serializers.Serializer):
        document = serializers.JSONField(help_text="The exported file's content (ProfileDocument).")
        replace = serializers.BooleanField(default=False, help_text="Replace a profile of the same name.")
        accessKey = serializers.CharField(  # noqa: N815
            max_length=128,
            required=False,
            allow_blank=True,
            default="",
            write_only=True,
            help_text="A remote target's access key (never in the document).",
        )
        secretKey = serializers.CharField(  # noqa: N815
            max_length=128,
            required=False,
            allow_blank=True,
            default="",
            write_only=True,
            trim_whitespace=False,
            help_text="A remote target's secret key (never in the document).",
        )

        class Meta:
            ref_name = "ProfileImportInput"

    class OutputSerializer(serializers.Serializer):
        profile = ProfileSerializer()
        replaced = serializers.BooleanField()
        unsetSecrets = serializers.ListField(  # noqa: N815
            child=serializers.CharField(), help_text="Masked values the document could not carry: set them."
        )

        class Meta:
            ref_name = "ProfileImportResult"

    @extend_schema(
        tags=TAG,
        request=InputSerializer,
        responses={200: OutputSerializer, 201: OutputSerializer},
        operation_id="profiles_import",
    )
    def post(self, request: Request, workspace_id: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        profile, replaced = profile_import(
            workspace=self.workspace,
            user=request_user(request),
            document=data.validated_data["document"],
            replace=data.validated_data["replace"],
            access_key=data.validated_data["accessKey"] or None,
            secret_key=data.validated_data["secretKey"] or None,
        )
        answer = {
            "profile": profile_outline(profile=profile),
            "replaced": replaced,
            "unsetSecrets": profile_unset_secrets(profile=profile),
        }
        return Response(
            self.OutputSerializer(answer).data,
            status=status.HTTP_200_OK if replaced else status.HTTP_201_CREATED,
        )
