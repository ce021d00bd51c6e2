"""Environment profiles: where a workspace's jobs are promoted to, and everything that changes on the way."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from factory.workspaces.models import Workspace


class TargetKind(models.TextChoices):
    WORKSPACE = "workspace", "Another workspace of this console"
    REMOTE = "remote", "A remote console or DataArts Studio (v1 API)"


class DuplicatePolicy(models.TextChoices):
    """What the import does with a name that exists in the target (the import's own policies, less
    rename: a promotion means to replace the target's object of the same name)."""

    OVERWRITE = "overwrite", "Overwrite"
    SKIP = "skip", "Skip"


class LockPolicy(models.TextChoices):
    TAKE = "take", "Take the lock where the target's lock policy allows it (as the import does)"
    SKIP_LOCKED = "skip_locked", "Leave objects locked by another user untouched"


class TargetStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    SAVED = "saved", "Saved"


class SchedulePolicy(models.TextChoices):
    REFUSE = "refuse", "Refuse to overwrite a scheduled job (as DataArts)"
    KEEP_TARGET_SCHEDULES = "keep_target_schedules", "Stop, update and start again a scheduled job"


class EnvironmentProfile(models.Model):
    """A saved promotion target of a (source) workspace, edited by its admins: the target (another
    workspace here, or a remote console speaking the v1 API), the reference maps, parameter and variable
    overrides, text rewrite rules and the import's policies, so that a repeat promotion takes no decision.

    Secrets (the remote access key and secret key, the values of masked overrides) live only in
    ``secrets_encrypted``; the JSON lists hold masked items without a value."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="environment_profiles")
    name = models.CharField(max_length=64)
    description = models.CharField(max_length=255, blank=True)
    target_kind = models.CharField(max_length=16, choices=TargetKind.choices)
    # A workspace target that is deleted leaves the profile pointing nowhere (shown, and refused when used).
    target_workspace = models.ForeignKey(
        Workspace, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    remote_endpoint = models.CharField(max_length=512, blank=True)
    remote_project_id = models.CharField(max_length=64, blank=True)
    remote_workspace_id = models.CharField(max_length=64, blank=True)
    remote_obs_folder = models.CharField(max_length=1024, blank=True)
    mappings = models.JSONField(default=list, blank=True)
    public_params = models.JSONField(default=list, blank=True)
    job_params = models.JSONField(default=list, blank=True)
    environment_variables = models.JSONField(default=list, blank=True)
    rewrite_rules = models.JSONField(default=list, blank=True)
    secrets_encrypted = models.TextField(blank=True, default="")
    duplicate_policy = models.CharField(
        max_length=16, choices=DuplicatePolicy.choices, default=DuplicatePolicy.OVERWRITE
    )
    lock_policy = models.CharField(max_length=16, choices=LockPolicy.choices, default=LockPolicy.TAKE)
    release_locks = models.BooleanField(default=False)
    target_status = models.CharField(
        max_length=16, choices=TargetStatus.choices, default=TargetStatus.SUBMITTED
    )
    schedule_policy = models.CharField(
        max_length=32, choices=SchedulePolicy.choices, default=SchedulePolicy.REFUSE
    )
    expression_time_zone = models.CharField(max_length=64, blank=True)
    requires_approval = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_environment_profile")]

    def __str__(self) -> str:
        return f"{self.name} ({self.workspace})"


class PromotionState(models.TextChoices):
    # A remote target's change-set is read from its v1 API by a background task.
    PREPARING = "preparing", "Reading the target's change-set"
    PREVIEWING = "previewing", "Change-set shown, waiting to be applied"
    WAITING_APPROVAL = "waiting_approval", "Waiting for another member's approval"
    APPROVED = "approved", "Approved, waiting to be applied"
    APPLYING = "applying", "Applying"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    REJECTED = "rejected", "Rejected"


class Promotion(models.Model):
    """One promotion of a workspace's jobs to its profile's target: the package built from ``selection``
    (with the jobs' dependencies), the import it drove into the target workspace (its change-set, then
    its apply and report), who asked, who approved, and where it stands."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="promotions")
    # The profile may be deleted later; its name stays in ``profile_name`` for the history.
    profile = models.ForeignKey(
        EnvironmentProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="promotions"
    )
    profile_name = models.CharField(max_length=64)
    target_workspace = models.ForeignKey(
        Workspace, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A remote target (a console or DataArts Studio over the v1 API): what it was when promoted to, as
    # ``endpoint project/workspace`` (never a key), the package staged in OBS and the remote import's task.
    target_kind = models.CharField(max_length=16, choices=TargetKind.choices, default=TargetKind.WORKSPACE)
    target_label = models.CharField(max_length=1024, blank=True)
    staged_path = models.CharField(max_length=1024, blank=True)
    remote_task_id = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=1024, blank=True)
    # What was asked, as ``ExportRequest.to_params`` keeps it (job ids, directories, changed since).
    selection = models.JSONField(default=dict)
    state = models.CharField(max_length=32, choices=PromotionState.choices, default=PromotionState.PREVIEWING)
    message = models.CharField(max_length=1024, blank=True)
    package_sha256 = models.CharField(max_length=64, blank=True)
    import_task = models.ForeignKey(
        "transfer.SystemTask", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The change-set's summary (new, changed, unchanged, ...), then the report's (created, overwritten, ...).
    changes = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    # A remote promotion's objects: each one's change against the target (type, name, change, message),
    # then its outcome as the remote import's system task reported it (status, message).
    object_rows = models.JSONField(default=list, blank=True)
    requires_approval = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "-created_at"], name="promotion_ws_created")]

    def __str__(self) -> str:
        return f"Promotion {self.pk} of {self.workspace} with {self.profile_name}"
