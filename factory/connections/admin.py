"""Admin pages for operators. Connection secrets are never shown: not their values, not the ciphertext;
only the names of the secrets that are set. Secrets are changed in the console, which encrypts them."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import DataConnection, ExternalObject


@admin.register(DataConnection)
class DataConnectionAdmin(admin.ModelAdmin):
    list_display = ("name", "type", "workspace", "updated_at")
    list_filter = ("type", "workspace")
    search_fields = ("name", "description")
    exclude = ("secrets_encrypted",)
    # Config is read-only here: the console's services refuse secrets in config, the admin form would not.
    readonly_fields = ("config", "secret_fields", "created_by", "created_at", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # created in the console, where secrets are entered write-only


@admin.register(ExternalObject)
class ExternalObjectAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "workspace", "created_at")
    list_filter = ("kind", "workspace")
    search_fields = ("name", "description")
    readonly_fields = ("created_at",)
