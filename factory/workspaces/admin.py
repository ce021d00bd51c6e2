"""Admin pages for operators. Access-key secrets are never shown: the ciphertext is excluded too."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from factory.workspaces.models import AccessKey, Membership, Workspace


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ("name", "project_id", "public_id", "is_default", "lock_policy", "created_at")
    list_filter = ("lock_policy", "is_default")
    search_fields = ("name", "project_id", "public_id")
    readonly_fields = ("public_id", "created_at")
    inlines = (MembershipInline,)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("workspace", "user", "role")
    list_filter = ("role", "workspace")
    search_fields = ("user__username", "workspace__name")
    autocomplete_fields = ("user", "workspace")


@admin.register(AccessKey)
class AccessKeyAdmin(admin.ModelAdmin):
    """Keys are created with ``manage.py accesskey create`` or in the console (the secret is shown once
    there); here operators can only look and revoke."""

    list_display = ("access_key_id", "user", "workspace", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("access_key_id", "user__username")
    exclude = ("secret_encrypted",)
    readonly_fields = ("access_key_id", "user", "workspace", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
