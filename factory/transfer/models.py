"""Background work as database rows: system tasks, their per-object subtasks and export artifacts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from factory.workspaces.models import Workspace


def _hex_id() -> str:
    return uuid.uuid4().hex


class TaskKind(models.TextChoices):
    EXPORT = "export", "Export"
    IMPORT = "import", "Import"
    UNDO = "undo", "Undo"  # of an import, or of an undo (which applies the import again)


class TaskStatus(models.TextChoices):
    # DataArts' system-task statuses, plus WAITING for a wizard paused between its steps.
    PENDING = "PENDING", "Pending"
    RUNNING = "RUNNING", "Running"
    WAITING = "WAITING", "Waiting for the user"
    SUCCESSFUL = "SUCCESSFUL", "Successful"
    FAILED = "FAILED", "Failed"


class TaskStep(models.TextChoices):
    """Where a task's work is (``SystemTask.step``), export and import alike: the row's status says whether
    it is queued, running or waiting; the step says for which part. Not the field's ``choices`` (a
    migration for a list that only the code reads)."""

    QUEUED = "queued", "Queued"  # an export not yet taken by a worker
    COLLECT = "collect", "Collecting"  # export, pass 1
    WRITE = "write", "Writing"  # export, pass 2
    INSPECT = "inspect", "Inspecting"  # import, step 1 (queued or running)
    INSPECTED = "inspected", "Waiting for the choices"  # import, between its steps
    PREVIEW = "preview", "Previewing"  # import: what the choices would change (queued or running)
    PREVIEWED = "previewed", "Waiting to import"  # import, the change-set shown
    APPLY = "apply", "Applying"  # import, step 3 (queued or running)
    UNDO = "undo", "Undoing"  # undo (queued or running)
    DONE = "done", "Done"


class SystemTask(models.Model):
    """One export or import, read alike by the wizard, the v1 ``system-tasks`` API and the CLI.

    ``step`` is where the work is (``inspect``, ``inspected``, ``apply``, ``done`` for imports); ``params``
    holds what was asked, ``result`` what was found or done (an import's ``inspection`` and ``report``).
    Neither ever holds a secret: those travel only encrypted in ``secrets_encrypted``. Tasks check this row under
    ``select_for_update`` before working, so a task delivered twice does its work once.
    """

    public_id = models.CharField(max_length=32, unique=True, default=_hex_id, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=16, choices=TaskKind.choices)
    name = models.CharField(max_length=512)
    status = models.CharField(max_length=16, choices=TaskStatus.choices, default=TaskStatus.PENDING)
    step = models.CharField(max_length=32, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Secrets typed in at an import's step 2 (passwords of connections to create), encrypted with
    # ``factory.crypto``; they reach the apply task only through this column, which apply clears.
    secrets_encrypted = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An undo's: the import (or undo) it undoes.
    undoes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="undone_by_tasks"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # What its worker last published (``progress.task_live_merge``), on a row read for an answer only:
    # never saved, not a column.
    live: dict[str, Any] | None

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "kind", "status"])]
        constraints = [
            # DataArts: one import per workspace at a time, and an undo of one counts as one. The services
            # check it under a lock of the workspace row to name the running task; this index is the
            # guarantee behind that check.
            models.UniqueConstraint(
                fields=["workspace"],
                condition=models.Q(kind__in=["import", "undo"], status__in=["PENDING", "RUNNING"]),
                name="one_active_import_or_undo_per_workspace",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SubTask(models.Model):
    """The outcome for one object of a system task (created, overwritten, skipped, renamed, failed)."""

    task = models.ForeignKey(SystemTask, on_delete=models.CASCADE, related_name="subtasks")
    order = models.PositiveIntegerField()
    object_type = models.CharField(
        max_length=32
    )  # job | script | resource | connection | environment_variable
    object_name = models.CharField(max_length=128)
    name = models.CharField(max_length=512)
    status = models.CharField(max_length=16, choices=TaskStatus.choices, default=TaskStatus.PENDING)
    outcome = models.CharField(max_length=16, blank=True)
    message = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["task", "order"]
        constraints = [models.UniqueConstraint(fields=["task", "order"], name="uniq_subtask_order")]

    def __str__(self) -> str:
        return self.name


class ImportChange(models.Model):
    """What an import's preview found one object of the package would become in the workspace: ``new``,
    ``changed``, ``unchanged``, or ``skipped`` / ``failed`` as the plan decided; with the structural diff
    (``diff``, for a changed object) and, for a job, the documents before and after (``before``, ``after``:
    secrets emptied) so that the wizard can draw the DAG. Replaced by each new preview of the task."""

    task = models.ForeignKey(SystemTask, on_delete=models.CASCADE, related_name="changes")
    order = models.PositiveIntegerField()
    object_type = models.CharField(max_length=32)
    name = models.CharField(max_length=128)
    new_name = models.CharField(max_length=128, blank=True)
    change = models.CharField(max_length=16)
    message = models.TextField(blank=True)
    counts = models.JSONField(default=dict, blank=True)
    diff = models.JSONField(null=True, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["task", "order"]
        indexes = [models.Index(fields=["task", "change", "order"], name="import_change_by_kind")]

    def __str__(self) -> str:
        return f"{self.object_type} {self.name}: {self.change}"


class ImportPackageIndex(models.Model):
    """What an import's inspection read of its package, kept for the preview
    (``factory.transfer.imports.index``): the package's index (entries, names, sha256) and, per job and
    script, its references, directory and whether it carries a secret value, zlib-compressed JSON. Derived
    from the package's bytes alone (``sha256``); used only for a file whose sha256 is found to be that."""

    task = models.OneToOneField(SystemTask, on_delete=models.CASCADE, primary_key=True, related_name="+")
    sha256 = models.CharField(max_length=64)
    category = models.CharField(max_length=16)
    data = models.BinaryField()

    def __str__(self) -> str:
        return f"index of {self.sha256}"


class StateEncoder(DjangoJSONEncoder):
    """JSON of an object's recorded state: datetimes to the microsecond (Django's encoder cuts them to
    milliseconds), so that a lock's time returns exactly as it was."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


class UndoRecord(models.Model):
    """One object a task (an import, or an undo of one) wrote, kept so that the task can be undone.

    ``action`` is what the task did to it: ``created``, ``overwritten`` or ``deleted``. ``before`` is the
    object as it was before (None for one created): its row's columns as stored, the document included,
    with its directory's path; the row's encrypted column (a job's or a connection's secrets, a masked
    variable's value) is copied as stored into ``secrets_encrypted``, never decrypted. ``after`` is what
    the task left (the revision, name, directory, lock and schedule, or the time of the last change), to
    tell an object changed since from one that was not; see ``factory.transfer.undo``."""

    task = models.ForeignKey(SystemTask, on_delete=models.CASCADE, related_name="undo_records")
    object_type = models.CharField(max_length=32)  # job | script | resource | connection | ... | directory
    object_id = models.BigIntegerField(null=True, blank=True)
    name = models.CharField(max_length=1024)  # a directory's path
    action = models.CharField(max_length=16)
    before = models.JSONField(null=True, blank=True, encoder=StateEncoder)
    secrets_encrypted = models.TextField(blank=True, default="")
    after = models.JSONField(default=dict, blank=True, encoder=StateEncoder)

    class Meta:
        indexes = [
            models.Index(fields=["task", "object_type", "id"], name="undo_record_by_type"),
            # What undos gave back to an object (see ``factory.transfer.undo.decide``).
            models.Index(fields=["object_type", "object_id"], name="undo_record_by_object"),
        ]

    def __str__(self) -> str:
        return f"{self.object_type} {self.name}: {self.action}"


class ExportArtifact(models.Model):
    """A package in the Download Center: written by an export task to default storage (or OBS)."""

    task = models.OneToOneField(SystemTask, on_delete=models.CASCADE, related_name="artifact")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255)
    storage_name = models.CharField(max_length=512, blank=True)
    obs_path = models.CharField(max_length=1024, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    job_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class ExportEntry(models.Model):
    """A job's or script's package entry as an export last wrote it (redacted, checked, serialized and
    deflated), kept so that the next export of the same document copies bytes instead of doing that work
    again. One row per object and variant, replaced when the document it was made from changes: ``key``
    names that document (its version, or its revision, name and directory), the variant's options and
    the code that prepared it (see :mod:`factory.transfer.exports.cache`); a row whose key is not the
    object's current one is never used. Only redacted bytes are kept: nothing secret is stored here."""

    variant = models.CharField(max_length=32)
    key = models.CharField(max_length=64)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    deflated = models.BinaryField()
    # [[kind, name, connection type or null], ...]: what the entry refers to, for the manifest and the
    # dependencies of a "with dependencies" export.
    references = models.JSONField(default=list)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.variant} {self.key[:12]}"


class JobExportEntry(ExportEntry):
    # No database constraint: the batch delete removes jobs with a plain DELETE, which must not be refused
    # for a kept entry; the rows of objects gone are swept by the next export that keeps entries.
    job = models.ForeignKey(
        "development.Job", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "variant"], name="job_export_entry_unique")]


class ScriptExportEntry(ExportEntry):
    script = models.ForeignKey(
        "development.Script", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["script", "variant"], name="script_export_entry_unique")
        ]
