"""The development state: directories, jobs, scripts, resources, environment variables and versions."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from factory.errors import ErrorCode
from factory.workspaces.models import Workspace

MAX_DIRECTORY_DEPTH = 10
MAX_SUBMITTED_VERSIONS = 100


class Category(models.TextChoices):
    JOB = "job", "Jobs"
    SCRIPT = "script", "Scripts"
    RESOURCE = "resource", "Resources"


class Directory(models.Model):
    """A folder of one tree (jobs, scripts or resources) of a workspace. ``path`` ("/a/b") is derived
    from the parents and kept in step by the directory services; the root "/" has no row."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="directories")
    category = models.CharField(max_length=16, choices=Category.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(max_length=64)
    path = models.CharField(max_length=1024)
    depth = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "category", "path"], name="uniq_directory_path"),
        ]
        indexes = [models.Index(fields=["workspace", "category", "parent"])]

    def __str__(self) -> str:
        return self.path


class ScheduleStatus(models.TextChoices):
    STOPPED = "STOPPED", "Stopped"
    SCHEDULING = "SCHEDULING", "Scheduling"


class LockedObject(models.Model):
    """What jobs and scripts share: a name in a directory, an owner, the edit lock and revisions."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=128)
    directory = models.ForeignKey(
        Directory, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.JSONField(default=dict)
    owner = models.CharField(max_length=128, blank=True)
    lock_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    locked_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every write of the development state: the ETag of If-Match saves.
    revision = models.PositiveIntegerField(default=1)
    # The revision last submitted; differs from ``revision`` while there are unsubmitted changes.
    submitted_revision = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_submitted(self) -> bool:
        return self.submitted_revision is not None and self.submitted_revision == self.revision


class Job(LockedObject):
    """A job: its development state is ``document``, DataArts' job definition kept whole (unknown keys
    included); ``process_type`` and ``directory`` are pulled out of it for listing and search.

    The values of sensitive node properties and masked parameters are never in ``document`` (nor in a
    version): they are emptied there and kept only in ``secrets_encrypted`` (``factory.development.secrets``).
    """

    not_found_code: ClassVar[ErrorCode] = ErrorCode.JOB_NOT_FOUND
    exists_code: ClassVar[ErrorCode] = ErrorCode.JOB_EXISTS

    process_type = models.CharField(max_length=16, default="BATCH")
    node_count = models.PositiveIntegerField(default=0)
    schedule_status = models.CharField(
        max_length=16, choices=ScheduleStatus.choices, default=ScheduleStatus.STOPPED
    )
    # Fernet ciphertext of {"node:<node>:<property>" | "param:<name>": value}; no API ever returns it.
    secrets_encrypted = models.TextField(blank=True, default="")
    secret_fields = models.JSONField(
        default=list,
        blank=True,
        help_text="Keys of the secrets set (node:<node>:<property>, param:<name>), never values.",
    )

    class Meta(LockedObject.Meta):
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_job_name")]
        indexes = [
            models.Index(fields=["workspace", "directory", "name"]),
            models.Index(fields=["workspace", "updated_at"]),
        ]


class Script(LockedObject):
    """A script: ``document`` is DataArts' script definition (type, content, connectionName, ...)."""

    not_found_code: ClassVar[ErrorCode] = ErrorCode.SCRIPT_NOT_FOUND
    exists_code: ClassVar[ErrorCode] = ErrorCode.SCRIPT_EXISTS

    type = models.CharField(max_length=32)
    connection_name = models.CharField(max_length=100, blank=True)

    class Meta(LockedObject.Meta):
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_script_name")]
        indexes = [
            models.Index(fields=["workspace", "directory", "name"]),
            models.Index(fields=["workspace", "updated_at"]),
        ]


class VersionKind(models.TextChoices):
    SAVED = "saved", "Saved"
    SUBMITTED = "submitted", "Submitted"


class Version(models.Model):
    kind = models.CharField(max_length=16, choices=VersionKind.choices)
    number = models.PositiveIntegerField()
    document = models.JSONField()
    description = models.CharField(max_length=128, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-number"]


class JobVersion(Version):
    """A snapshot of a job's document: saved (at most one a minute) or submitted (latest 100 kept)."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="versions")

    class Meta(Version.Meta):
        constraints = [models.UniqueConstraint(fields=["job", "kind", "number"], name="uniq_job_version")]

    def __str__(self) -> str:
        return f"{self.job.name} {self.kind} version {self.number}"


class ScriptVersion(Version):
    """A snapshot of a script's document, like JobVersion."""

    script = models.ForeignKey(Script, on_delete=models.CASCADE, related_name="versions")

    class Meta(Version.Meta):
        constraints = [
            models.UniqueConstraint(fields=["script", "kind", "number"], name="uniq_script_version")
        ]

    def __str__(self) -> str:
        return f"{self.script.name} {self.kind} version {self.number}"


class ResourceType(models.TextChoices):
    JAR = "jar", "jar"
    PYFILE = "pyFile", "pyFile"
    FILE = "file", "file"
    ARCHIVE = "archive", "archive"


class Resource(models.Model):
    """A resource definition (a JAR, Python file, file or archive at an OBS location) used by nodes."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="resources")
    name = models.CharField(max_length=32)
    directory = models.ForeignKey(
        Directory, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    type = models.CharField(max_length=16, choices=ResourceType.choices)
    location = models.CharField(max_length=1023)
    document = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_resource_name")]

    def __str__(self) -> str:
        return self.name


class EnvironmentVariable(models.Model):
    """A workspace environment variable, used in jobs as ${name} or #{Env.get("name")}. A masked one keeps
    its value only in ``value_encrypted`` (``value`` stays empty), so no response or export carries it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="environment_variables")
    name = models.CharField(max_length=64)
    value = models.TextField(blank=True)
    masked = models.BooleanField(default=False)
    value_encrypted = models.TextField(blank=True, default="")
    description = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_env_var")]

    def __str__(self) -> str:
        return self.name
