"""Read-mostly admin pages of the development state; edits go through the console and its services."""

from typing import ClassVar

from django.contrib import admin

from factory.development.models import (
    Directory,
    EnvironmentVariable,
    Job,
    JobVersion,
    Resource,
    Script,
    ScriptVersion,
)


@admin.register(Directory)
class DirectoryAdmin(admin.ModelAdmin):
    list_display = ("path", "category", "workspace", "depth", "created_at")
    list_filter = ("category", "workspace")
    search_fields = ("path",)
    readonly_fields = ("workspace", "category", "parent", "path", "depth")


class _LockedObjectAdmin(admin.ModelAdmin):
    list_filter: ClassVar[tuple[str, ...]] = ("workspace",)
    search_fields = ("name", "owner")
    list_select_related = ("workspace", "directory", "lock_holder")
    readonly_fields: ClassVar[tuple[str, ...]] = (
        "workspace",
        "directory",
        "revision",
        "submitted_revision",
        "created_by",
        "updated_by",
    )
    raw_id_fields = ("lock_holder",)


@admin.register(Job)
class JobAdmin(_LockedObjectAdmin):
    list_display = (
        "name",
        "workspace",
        "directory",
        "owner",
        "process_type",
        "schedule_status",
        "lock_holder",
    )
    list_filter = ("workspace", "process_type", "schedule_status")
    # Job secrets are never shown, not even as ciphertext; their names only.
    exclude = ("secrets_encrypted",)
    readonly_fields = (*_LockedObjectAdmin.readonly_fields, "secret_fields")


@admin.register(Script)
class ScriptAdmin(_LockedObjectAdmin):
    list_display = ("name", "workspace", "directory", "type", "owner", "lock_holder")
    list_filter = ("workspace", "type")


class _VersionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "number", "description", "created_by", "created_at")
    list_filter = ("kind",)
    readonly_fields = ("kind", "number", "document", "description", "created_by")


@admin.register(JobVersion)
class JobVersionAdmin(_VersionAdmin):
    list_select_related = ("job", "created_by")
    search_fields = ("job__name",)


@admin.register(ScriptVersion)
class ScriptVersionAdmin(_VersionAdmin):
    list_select_related = ("script", "created_by")
    search_fields = ("script__name",)


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("name", "workspace", "type", "location")
    list_filter = ("workspace", "type")
    search_fields = ("name", "location")


@admin.register(EnvironmentVariable)
class EnvironmentVariableAdmin(admin.ModelAdmin):
    list_display = ("name", "workspace", "value", "description")
    list_filter = ("workspace",)
    search_fields = ("name",)
