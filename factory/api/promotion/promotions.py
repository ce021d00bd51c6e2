"""Promotions of a workspace's jobs to another workspace of this console or to a remote console or
DataArts Studio (the Deployments page). A promotion's change-set and apply run in the background: its
state is ``preparing``, then ``applying``, until they end (the answer comes at once: poll the row); a
remote promotion's per-object rows are in ``objects``, and
it cannot be undone from here (``undoable``: an import into a workspace of this console only).

Members read them; developers start one (they must be developers of the target too); another admin or
deployer of the workspace approves or rejects one (nobody decides their own, the service says so); the
requester, its approver or an admin applies it.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from factory.api.common import WorkspaceApi, request_user
from factory.api.pagination import PAGE_PARAMETERS, paginated, paginated_response
from factory.promotion.models import Promotion, PromotionState, TargetKind
from factory.promotion.promote import (
    PromotionSelection,
    promotion_apply,
    promotion_approve,
    promotion_reject,
    promotion_stale_fail,
    promotion_start,
)
from factory.promotion.selectors import profile_get, promotion_get, promotion_list
from factory.workspaces.models import Role

TAG = ["promotion"]


class PromotionObjectSerializer(serializers.Serializer):
    """One object of a remote promotion: its change against the target, then the remote import's outcome."""

    type = serializers.CharField(help_text="job, script or resource")
    name = serializers.CharField()
    change = serializers.CharField(help_text="new, changed or unchanged")
    message = serializers.CharField(help_text="What changes (the structural diff's figures).")
    status = serializers.CharField(
        required=False, help_text="Once applied: SUCCESSFUL, FAILED (its subtask's), or UNCHANGED (not sent)."
    )
    report = serializers.CharField(required=False, help_text="Once applied: the subtask's message.")

    class Meta:
        ref_name = "PromotionObject"


class PromotionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    profileId = serializers.IntegerField(source="profile_id", allow_null=True)  # noqa: N815
    profileName = serializers.CharField(source="profile_name")  # noqa: N815
    targetWorkspaceId = serializers.IntegerField(source="target_workspace_id", allow_null=True)  # noqa: N815
    targetWorkspaceName = serializers.SerializerMethodField()  # noqa: N815
    targetKind = serializers.ChoiceField(source="target_kind", choices=TargetKind.choices)  # noqa: N815
    targetLabel = serializers.CharField(  # noqa: N815
        source="target_label", help_text="A remote target: its endpoint, project and workspace."
    )
    stagedPath = serializers.CharField(  # noqa: N815
        source="staged_path", help_text="A remote target: the OBS object the package was staged in."
    )
    remoteTaskId = serializers.CharField(  # noqa: N815
        source="remote_task_id", help_text="A remote target: its import's system task id."
    )
    objects = PromotionObjectSerializer(
        source="object_rows",
        many=True,
        help_text="A remote target: each object's change against it, then its outcome once applied.",
    )
    undoable = serializers.SerializerMethodField(
        help_text="Whether it can be undone (from the target workspace's Import History): local targets only."
    )
    requestedBy = serializers.SerializerMethodField()  # noqa: N815
    approvedBy = serializers.SerializerMethodField()  # noqa: N815
    note = serializers.CharField()
    selection = serializers.DictField(help_text="What was asked, as an export request's parameters.")
    state = serializers.ChoiceField(choices=PromotionState.choices)
    message = serializers.CharField()
    packageSha256 = serializers.CharField(source="package_sha256")  # noqa: N815
    importTask = serializers.SerializerMethodField(  # noqa: N815
        help_text="The public id of the import into the target workspace (its change-set and report)."
    )
    changes = serializers.DictField(
        child=serializers.IntegerField(), help_text="The change-set's summary: new, changed, unchanged..."
    )
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="The report's summary once applied: created, unchanged..."
    )
    requiresApproval = serializers.BooleanField(source="requires_approval")  # noqa: N815
    canApprove = serializers.SerializerMethodField()  # noqa: N815
    canApply = serializers.SerializerMethodField()  # noqa: N815
    createdAt = serializers.DateTimeField(source="created_at")  # noqa: N815
    decidedAt = serializers.DateTimeField(source="decided_at", allow_null=True)  # noqa: N815
    appliedAt = serializers.DateTimeField(source="applied_at", allow_null=True)  # noqa: N815

    def get_targetWorkspaceName(self, obj: Promotion) -> str | None:  # noqa: N802
        return obj.target_workspace.name if obj.target_workspace else None

    def get_undoable(self, obj: Promotion) -> bool:
        return obj.target_kind == TargetKind.WORKSPACE and obj.state == PromotionState.SUCCEEDED

    def get_requestedBy(self, obj: Promotion) -> str | None:  # noqa: N802
        return obj.requested_by.username if obj.requested_by else None

    def get_approvedBy(self, obj: Promotion) -> str | None:  # noqa: N802
        return obj.approved_by.username if obj.approved_by else None

    def get_importTask(self, obj: Promotion) -> str | None:  # noqa: N802
        return obj.import_task.public_id if obj.import_task else None

    def get_canApprove(self, obj: Promotion) -> bool:  # noqa: N802
        """Whether the reader may approve or reject it now: another admin or deployer, while it waits."""
        user_id, approver = self.context.get("user_id"), self.context.get("may_approve", False)
        return bool(
            approver and obj.requested_by_id != user_id and obj.state == PromotionState.WAITING_APPROVAL
        )

    def get_canApply(self, obj: Promotion) -> bool:  # noqa: N802
        user_id, is_admin = self.context.get("user_id"), self.context.get("is_admin", False)
        ready = PromotionState.APPROVED if obj.requires_approval else PromotionState.PREVIEWING
        who = is_admin or user_id in (obj.requested_by_id, obj.approved_by_id)
        return bool(obj.state == ready and who)

    class Meta:
        ref_name = "Promotion"


def _context(view: WorkspaceApi, request: Request) -> dict[str, Any]:
    role = view.membership.role
    return {
        "user_id": request_user(request).pk,
        "is_admin": role == Role.ADMIN,
        "may_approve": role in (Role.ADMIN, Role.DEPLOYER),
    }


def _answer(view: WorkspaceApi, request: Request, promotion: Promotion) -> dict[str, Any]:
    return PromotionSerializer(promotion, context=_context(view, request)).data


class PromotionListApi(WorkspaceApi):
    @extend_schema(
        tags=TAG,
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter("state", str, enum=PromotionState.values, description="Only in this state."),
        ],
        responses=paginated(PromotionSerializer),
        operation_id="promotions_list",
    )
    def get(self, request: Request, workspace_id: str) -> Response:
        state = request.query_params.get("state") or None
        # A write on read, on purpose: no periodic task sweeps promotions whose worker was lost
        # (the project runs no Celery beat); conditional UPDATEs, no-ops in the common case.
        promotion_stale_fail(workspace_id=self.workspace.pk)
        rows = promotion_list(
            workspace=self.workspace, state=state if state in PromotionState.values else None
        )
        return paginated_response(
            request=request,
            view=self,
            items=rows,
            serializer_class=PromotionSerializer,
            context=_context(self, request),
        )


class PromotionStartApi(WorkspaceApi):
    """Build the package of the selected jobs (with their dependencies), import it into the profile's
    target and show its change-set; the promotion then waits to be applied (or approved first)."""

    class InputSerializer(serializers.Serializer):
        profileId = serializers.IntegerField()  # noqa: N815
        jobIds = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)  # noqa: N815
        directoryIds = serializers.ListField(  # noqa: N815
            child=serializers.IntegerField(), required=False, default=list
        )
        directoryPaths = serializers.ListField(  # noqa: N815
            child=serializers.CharField(max_length=1024), required=False, default=list
        )
        excludeJobIds = serializers.ListField(  # noqa: N815
            child=serializers.IntegerField(),
            required=False,
            default=list,
            help_text="Unticked inside the directories.",
        )
        excludeDirectoryIds = serializers.ListField(  # noqa: N815
            child=serializers.IntegerField(), required=False, default=list
        )
        changedSince = serializers.DateTimeField(required=False, allow_null=True, default=None)  # noqa: N815
        sinceLast = serializers.BooleanField(  # noqa: N815
            default=False,
            help_text="Everything changed since the last successful promotion with the profile.",
        )
        note = serializers.CharField(max_length=1024, required=False, allow_blank=True, default="")

        class Meta:
            ref_name = "PromotionStartInput"

    @extend_schema(
        tags=TAG,
        request=InputSerializer,
        responses={201: PromotionSerializer},
        operation_id="promotions_start",
    )
    def post(self, request: Request, workspace_id: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        profile = profile_get(workspace=self.workspace, profile_id=values["profileId"])
        promotion = promotion_start(
            workspace=self.workspace,
            user=request_user(request),
            profile=profile,
            selection=PromotionSelection(
                job_ids=tuple(values["jobIds"]),
                directory_ids=tuple(values["directoryIds"]),
                directory_paths=tuple(values["directoryPaths"]),
                exclude_job_ids=tuple(values["excludeJobIds"]),
                exclude_directory_ids=tuple(values["excludeDirectoryIds"]),
                changed_since=values["changedSince"],
                since_last=values["sinceLast"],
            ),
            note=values["note"],
        )
        return Response(_answer(self, request, promotion), status=status.HTTP_201_CREATED)


class PromotionGetApi(WorkspaceApi):
    @extend_schema(tags=TAG, responses=PromotionSerializer, operation_id="promotions_get")
    def get(self, request: Request, workspace_id: str, promotion_id: int) -> Response:
        promotion_stale_fail(workspace_id=self.workspace.pk)  # see PromotionListApi.get
        return Response(
            _answer(self, request, promotion_get(workspace=self.workspace, promotion_id=promotion_id))
        )


class PromotionApproveApi(WorkspaceApi):
    """Another admin or deployer of the workspace approves (not the requester; the service checks both)."""

    @extend_schema(tags=TAG, request=None, responses=PromotionSerializer, operation_id="promotions_approve")
    def post(self, request: Request, workspace_id: str, promotion_id: int) -> Response:
        promotion = promotion_get(workspace=self.workspace, promotion_id=promotion_id)
        return Response(
            _answer(self, request, promotion_approve(promotion=promotion, user=request_user(request)))
        )


class PromotionRejectApi(WorkspaceApi):
    """Another admin or deployer of the workspace rejects (not the requester): nothing is ever written."""

    @extend_schema(tags=TAG, request=None, responses=PromotionSerializer, operation_id="promotions_reject")
    def post(self, request: Request, workspace_id: str, promotion_id: int) -> Response:
        promotion = promotion_get(workspace=self.workspace, promotion_id=promotion_id)
        return Response(
            _answer(self, request, promotion_reject(promotion=promotion, user=request_user(request)))
        )


class PromotionApplyApi(WorkspaceApi):
    """Apply the previewed change-set (approved first when the profile asks), skipping what is unchanged."""

    @extend_schema(tags=TAG, request=None, responses=PromotionSerializer, operation_id="promotions_apply")
    def post(self, request: Request, workspace_id: str, promotion_id: int) -> Response:
        promotion = promotion_get(workspace=self.workspace, promotion_id=promotion_id)
        return Response(
            _answer(self, request, promotion_apply(promotion=promotion, user=request_user(request)))
        )
