"""Workspaces, their members and the access keys of the DataArts-compatible API."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


def _hex_id() -> str:
    return uuid.uuid4().hex


class LockPolicy(models.TextChoices):
    SOFT = "soft", "Soft lock"
    HARD = "hard", "Hard lock"


class Role(models.TextChoices):
    ADMIN = "admin", "Workspace admin"
    DEVELOPER = "developer", "Developer"
    # A developer who may also approve others' promotions (DataArts' deployer); nobody approves their own.
    DEPLOYER = "deployer", "Deployer"
    VIEWER = "viewer", "Viewer"


def default_obs_allow_list() -> list[str]:
    """A new workspace may use any bucket but the console's own storage (see ``factory.obs.scope``)."""
    return ["*"]


class Workspace(models.Model):
    """An isolated development space: its own directories, jobs, scripts, connections and members.

    ``project_id`` is the DataArts project the workspace belongs to (the ``{project_id}`` of v1 paths);
    ``public_id`` is what DataArts calls the workspace id (the v1 ``workspace`` header).
    """

    name = models.CharField(max_length=64, unique=True)
    public_id = models.CharField(max_length=32, unique=True, default=_hex_id, editable=False)
    project_id = models.CharField(max_length=32, default=_hex_id, db_index=True)
    is_default = models.BooleanField(
        default=False, help_text="The project's workspace when no header names one."
    )
    description = models.CharField(max_length=255, blank=True)
    lock_policy = models.CharField(max_length=8, choices=LockPolicy.choices, default=LockPolicy.SOFT)
    obs_allow_list = models.JSONField(
        default=default_obs_allow_list,
        blank=True,
        help_text="The obs:// locations this workspace may import from, export to and browse: '*' (any "
        "bucket but the console's storage), 'bucket' or 'bucket/folder/'. Empty: no OBS at all.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in a workspace; every query of the console is scoped through these rows."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.DEVELOPER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="uniq_membership")]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} as {self.role}"


class AccessKey(models.Model):
    """An AK/SK pair of a user for SDK-HMAC-SHA256 signed requests to the v1 API.

    The secret is stored encrypted (it must be recoverable to verify signatures) and shown once.
    The key acts with its owner's memberships; ``workspace`` is where a v1 request that names no workspace
    acts (and whose project id was handed out).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_keys")
    workspace = models.ForeignKey(
        Workspace, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    access_key_id = models.CharField(max_length=32, unique=True)
    secret_encrypted = models.TextField()
    description = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.access_key_id
