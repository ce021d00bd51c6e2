"""The import wizard's API: step 1 (package from OBS or the local PC), the inspection the browser polls,
step 2 (the user's choices), step 3's report, downloadable as JSON. The Import Script wizard is the same
API with ``category: "script"``."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from factory.api.common import WorkspaceApi
from factory.api.transfer.import_schema import (
    ImportChangesSerializer,
    ImportReportFileSerializer,
    ImportReportSerializer,
    InspectionSerializer,
    PackageErrorSerializer,
)
from factory.api.transfer.tasks import TaskSerializer
from factory.promotion.wizard import import_profile_get, import_profile_masked_fill
from factory.transfer.imports import (
    CATEGORIES,
    DIRECTORY_MODES,
    LOCK_POLICIES,
    POLICIES,
    TARGET_STATUSES,
    ImportChoices,
    VariableOverride,
    import_apply_request,
    import_cancel,
    import_create,
    import_report,
    import_report_get,
    import_task_get,
)
from factory.transfer.imports import (
    import_rules_of as rules_of,
)
from factory.transfer.models import SystemTask
from factory.workspaces.models import Role
from factory.workspaces.selectors import role_at_least

TAG = ["import"]


class ImportTaskSerializer(TaskSerializer):
    """An import task: the task's fields, what it was asked (``category``, ``policy``, ``source``,
    ``choices``; never a secret), step 1's ``inspection``, step 3's ``report`` and, when the package was
    refused, the ``error`` naming the entry, field, line and column."""

    result = None  # split into the fields below
    category = serializers.SerializerMethodField()
    policy = serializers.SerializerMethodField()
    source = serializers.SerializerMethodField()
    choices = serializers.SerializerMethodField()
    inspection = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()
    report = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ImportTask"

    def get_category(self, task: SystemTask) -> str:
        return task.params.get("category", "job")

    def get_policy(self, task: SystemTask) -> str:
        return task.params.get("policy", "overwrite")

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_source(self, task: SystemTask) -> dict[str, Any]:
        source = task.params.get("source") or {}
        return {k: source[k] for k in ("type", "obsPath", "fileName") if k in source}

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_choices(self, task: SystemTask) -> dict[str, Any] | None:
        return task.params.get("choices")

    # The stored data as it is; the serializers describe it (import_schema's docstring says why).
    @extend_schema_field(InspectionSerializer(allow_null=True))
    def get_inspection(self, task: SystemTask) -> dict[str, Any] | None:
        return (task.result or {}).get("inspection")

    @extend_schema_field(ImportChangesSerializer(allow_null=True))
    def get_changes(self, task: SystemTask) -> dict[str, Any] | None:
        return (task.result or {}).get("changes")

    @extend_schema_field(ImportReportSerializer(allow_null=True))
    def get_report(self, task: SystemTask) -> dict[str, Any] | None:
        return import_report(task)

    @extend_schema_field(PackageErrorSerializer(allow_null=True))
    def get_error(self, task: SystemTask) -> dict[str, Any] | None:
        return (task.result or {}).get("error")


class ImportRewriteRuleSerializer(serializers.Serializer):
    find = serializers.CharField(max_length=256, trim_whitespace=False)
    replace = serializers.CharField(max_length=1024, allow_blank=True, trim_whitespace=False)
    regex = serializers.BooleanField(default=False, help_text="An anchored regular expression (^ or $).")
    wholeWord = serializers.BooleanField(default=True, help_text="A literal rule matches whole words.")

    class Meta:
        ref_name = "ImportRewriteRule"


class ImportMappingSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="connection, dli_queue, ges_graph, dis_stream, cdm_cluster, ...")
    name = serializers.CharField(help_text="The name the package refers to.")
    replace = serializers.CharField(
        allow_blank=True, required=False, help_text="The workspace's object to use instead."
    )
    unresolved = serializers.BooleanField(
        required=False,
        help_text="Leave this missing script or cloud object unresolved instead: the job is imported and "
        "flagged, and fails when scheduled (as in DataArts). Only where the inspection's group says "
        "canLeaveUnresolved.",
    )

    class Meta:
        ref_name = "ImportMapping"


class ImportVariableSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    value = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        help_text="Write-only: kept encrypted in the import, never shown back.",
    )
    masked = serializers.BooleanField(
        default=False, help_text="Written masked (its value encrypted) in the workspace."
    )

    class Meta:
        ref_name = "ImportVariable"


class ImportCreateConnectionSerializer(serializers.Serializer):
    name = serializers.CharField()
    secrets = serializers.DictField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False),
        required=False,
        default=dict,
        help_text="Write-only: stored encrypted, never shown or kept in the task.",
    )

    class Meta:
        ref_name = "ImportCreateConnection"


def import_choices_of(body: dict[str, Any]) -> ImportChoices:
    """The choices of step 2's body (``ImportApplyApi.InputSerializer``'s validated data). A mapping
    entry both replaced and left unresolved is kept as both, for the service to refuse by name."""
    mapping: dict[tuple[str, str], str] = {}
    unresolved: set[tuple[str, str]] = set()
    for item in body.get("mapping") or []:
        key = (item["kind"], item["name"])
        if item.get("unresolved"):
            unresolved.add(key)
        if not item.get("unresolved") or item.get("replace"):
            mapping[key] = item.get("replace") or ""
    creates = body.get("createConnections") or []
    return ImportChoices(
        policy=body.get("policy") or None,
        overrides=dict(body.get("overrides") or {}),
        mapping=mapping,
        unresolved=frozenset(unresolved),
        create_connections=tuple(c["name"] for c in creates),
        connection_secrets={c["name"]: dict(c.get("secrets") or {}) for c in creates},
        public_params=dict(body.get("publicParams") or {}),
        job_params={job: dict(values or {}) for job, values in (body.get("jobParams") or {}).items()},
        target_directory=body.get("targetDirectory") or None,
        directory_mode=body.get("directoryMode") or "prefix",
        target_status=body.get("targetStatus") or "submitted",
        continue_on_error=bool(body.get("continueOnError")),
        skip_unchanged=bool(body.get("skipUnchanged", True)),
        rewrite_rules=rules_of(body.get("rewriteRules") or []),
        keep_schedules=bool(body.get("keepSchedules")),
        variables=tuple(
            VariableOverride(name=v["name"], value=v.get("value") or "", masked=bool(v.get("masked")))
            for v in body.get("variables") or []
        ),
        lock_policy=body.get("lockPolicy") or "take",
        release_locks=bool(body.get("releaseLocks")),
        expression_time_zone=body.get("expressionTimeZone") or "",
    )


def wizard_choices(*, task: SystemTask, user: Any, body: dict[str, Any]) -> ImportChoices:
    """The choices of step 2's body; with ``profileId`` (the wizard started from an environment profile)
    the profile's masked values, never sent to the browser, for each one the body leaves out."""
    choices = import_choices_of(body)
    if body.get("profileId") is None:
        return choices
    profile = import_profile_get(workspace=task.workspace, user=user, profile_id=body["profileId"])
    inspection = (task.result or {}).get("inspection") or {}
    return import_profile_masked_fill(profile=profile, inspection=inspection, choices=choices)


_STARTED = inline_serializer("ImportStarted", {"task": ImportTaskSerializer()})


class ImportCreateApi(WorkspaceApi):
    """Wizard step 1 -> Next: import a package from OBS (JSON ``obsPath``) or the local PC (multipart
    ``file``). Starts the inspection in the background; poll the task. Needs the developer role."""

    parser_classes = (MultiPartParser, FormParser, JSONParser)

    class InputSerializer(serializers.Serializer):
        obsPath = serializers.CharField(required=False, allow_blank=True, max_length=1100)
        file = serializers.FileField(required=False, allow_empty_file=True)
        category = serializers.ChoiceField(choices=CATEGORIES, default="job")
        policy = serializers.ChoiceField(choices=POLICIES, default="overwrite")

        class Meta:
            ref_name = "ImportCreateInput"

    @extend_schema(
        tags=TAG,
        request={"application/json": InputSerializer, "multipart/form-data": InputSerializer},
        responses={202: _STARTED},
        operation_id="imports_create",
    )
    def post(self, request: Request, workspace_id: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        obs_path = (values.get("obsPath") or "").strip()
        task = import_create(
            workspace=self.workspace,
            user=request.user,
            category=values["category"],
            policy=values["policy"],
            obs_path=obs_path or None,
            upload=values.get("file"),
        )
        return Response({"task": ImportTaskSerializer(task).data}, status=status.HTTP_202_ACCEPTED)


class ImportTaskApi(WorkspaceApi):
    """An API of one import of the workspace (``task_id``): its creator's, or any for an admin."""

    def task(self, request: Request, task_id: str, *, live: bool = False) -> SystemTask:
        return import_task_get(
            workspace=self.workspace,
            user=request.user,
            public_id=task_id,
            is_admin=role_at_least(membership=self.membership, role=Role.ADMIN),
            live=live,
        )


class ImportDetailApi(ImportTaskApi):
    """An import as the wizard polls it: status, step, inspection (step 2), the objects written so far
    while it applies (``live``) and report (step 3)."""

    @extend_schema(tags=TAG, responses=ImportTaskSerializer, operation_id="imports_get")
    def get(self, request: Request, workspace_id: str, task_id: str) -> Response:
        return Response(ImportTaskSerializer(self.task(request, task_id, live=True)).data)


class ImportApplyApi(ImportTaskApi):
    """Wizard step 2 -> Next: the duplicate-name policy (per object too), a replacement for every missing
    reference or a connection to create from the package's definition (its secrets typed in here and
    stored only encrypted), parameters, target directory and status. Starts the apply; poll the task."""

    class InputSerializer(serializers.Serializer):
        policy = serializers.ChoiceField(choices=POLICIES, required=False)
        overrides = serializers.DictField(
            child=serializers.ChoiceField(choices=POLICIES),
            required=False,
            default=dict,
            help_text='Per object: {"job:NAME": "skip", "script:NAME": "rename", "resource:NAME": ...}.',
        )
        mapping = ImportMappingSerializer(many=True, required=False, default=list)
        createConnections = ImportCreateConnectionSerializer(many=True, required=False, default=list)
        publicParams = serializers.DictField(
            child=serializers.CharField(allow_blank=True, trim_whitespace=False), required=False, default=dict
        )
        jobParams = serializers.DictField(
            child=serializers.DictField(child=serializers.CharField(allow_blank=True, trim_whitespace=False)),
            required=False,
            default=dict,
        )
        targetDirectory = serializers.CharField(
            required=False, allow_blank=True, allow_null=True, default=None, max_length=1024
        )
        directoryMode = serializers.ChoiceField(choices=DIRECTORY_MODES, default="prefix")
        targetStatus = serializers.ChoiceField(choices=TARGET_STATUSES, default="submitted")
        continueOnError = serializers.BooleanField(default=False)
        rewriteRules = ImportRewriteRuleSerializer(
            many=True,
            required=False,
            default=list,
            help_text="Text rewrites over scripts' content and jobs' node properties (e.g. dev_dw. to "
            "prod_dw.), applied to what is written: the change-set shows them.",
        )
        keepSchedules = serializers.BooleanField(
            default=False,
            help_text="Overwrite a scheduled job all the same: it is stopped, updated and started again in "
            "the same operation (by default a scheduled job is refused, as in DataArts).",
        )
        variables = ImportVariableSerializer(
            many=True,
            required=False,
            default=list,
            help_text="Environment variables of the workspace set to these values in the import's "
            "transaction (created when missing); the change-set shows each as new, changed or unchanged.",
        )
        lockPolicy = serializers.ChoiceField(
            choices=LOCK_POLICIES,
            default="take",
            help_text="take: the lock of an object locked by another user is taken where the workspace's "
            "lock policy allows it; skip_locked: such an object is left untouched and reported skipped.",
        )
        releaseLocks = serializers.BooleanField(
            default=False, help_text="Release the locks the import took once it has written."
        )
        expressionTimeZone = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            max_length=64,
            help_text="Every job's cron schedule gets this expressionTimeZone (e.g. GMT+8); empty keeps each "
            "job's.",
        )
        profileId = serializers.IntegerField(
            required=False,
            allow_null=True,
            default=None,
            help_text="The environment profile the wizard started from (one that promotes to this "
            "workspace): its masked parameter and variable values, never sent to the browser, are used "
            "for those this body leaves out.",
        )
        skipUnchanged = serializers.BooleanField(
            default=True,
            help_text="Write nothing for an object that already is what the import would write (outcome "
            "unchanged): importing the same package twice writes no version the second time.",
        )

        class Meta:
            ref_name = "ImportApplyInput"

    @extend_schema(tags=TAG, request=InputSerializer, responses={202: _STARTED}, operation_id="imports_apply")
    def post(self, request: Request, workspace_id: str, task_id: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = self.task(request, task_id)
        task = import_apply_request(
            task=task,
            user=request.user,
            choices=wizard_choices(task=task, user=request.user, body=data.validated_data),
        )
        return Response({"task": ImportTaskSerializer(task).data}, status=status.HTTP_202_ACCEPTED)


class ImportCancelApi(ImportTaskApi):
    """The wizard's Cancel at step 2: the import ends as cancelled and its upload is deleted."""

    @extend_schema(tags=TAG, request=None, responses=ImportTaskSerializer, operation_id="imports_cancel")
    def post(self, request: Request, workspace_id: str, task_id: str) -> Response:
        task = import_cancel(task=self.task(request, task_id), user=request.user)
        return Response(ImportTaskSerializer(task).data)


class ImportReportApi(ImportTaskApi):
    """Step 3's report as a JSON file: every object's outcome, reason and new version."""

    @extend_schema(
        tags=TAG,
        responses={
            (200, "application/json"): OpenApiResponse(ImportReportFileSerializer, description="The report.")
        },
        operation_id="imports_report",
    )
    def get(self, request: Request, workspace_id: str, task_id: str) -> HttpResponse:
        report = import_report_get(task=self.task(request, task_id))
        response = HttpResponse(
            json.dumps(report, indent=2, ensure_ascii=False, sort_keys=True), content_type="application/json"
        )
        response["Content-Disposition"] = content_disposition_header(True, f"import-{task_id}-report.json")
        response["Cache-Control"] = "no-store"
        return response
