"""Script views: each binds one shared operation (``objects.py``, ``versions.py``) to the script services."""

from __future__ import annotations

from functools import partial
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from factory.api.development import objects as shared
from factory.api.development import versions
from factory.api.development.serializers import (
    ScriptSerializer,
    ScriptSummarySerializer,
    VersionSerializer,
    page_of,
)
from factory.development import selectors, services
from factory.development.models import Category, Script

SCRIPT_OPS = shared.ObjectOps(
    word="script",
    get=selectors.script_get,
    detail=ScriptSerializer,
    summary=ScriptSummarySerializer,
    services={
        "list": selectors.scripts_list,
        "create": services.script_create,
        "save": services.script_save,
        "submit": services.script_submit,
        "rename": services.script_rename,
        "move": services.script_move,
        "copy": services.script_copy,
        "delete": services.script_delete,
        "lock": services.script_lock,
        "unlock": services.script_unlock,
        "rollback": services.script_rollback,
        "batch_unlock": services.scripts_unlock,
        "batch_delete": services.scripts_delete,
        "batch_move": services.scripts_move,
        "batch_owner": partial(services.objects_owner_set, category=Category.SCRIPT),
    },
    versions_list=selectors.script_versions_list,
    version_get=selectors.script_version_get,
    model=Script,
)


def _schema(operation_id: str, **kwargs: Any) -> Any:
    return extend_schema(operation_id=operation_id, tags=["scripts"], **kwargs)


class ScriptFilterSerializer(shared.ObjectListApi.FilterSerializer):
    type = serializers.CharField(required=False, help_text="Script type, e.g. DWSSQL.")


@extend_schema_view(
    get=_schema(
        "scripts_list",
        parameters=[ScriptFilterSerializer, *shared.PAGE_PARAMETERS],
        responses=page_of(ScriptSummarySerializer, "ScriptPage"),
    )
)
class ScriptListApi(shared.ObjectListApi):
    ops = SCRIPT_OPS
    FilterSerializer = ScriptFilterSerializer

    def filters(self, data: dict[str, Any]) -> dict[str, Any]:
        return {**super().filters(data), "type": data.get("type")}


@extend_schema_view(post=_schema("script_create", responses={201: ScriptSerializer}))
class ScriptCreateApi(shared.ObjectCreateApi):
    ops = SCRIPT_OPS


@extend_schema_view(get=_schema("script_get", responses=ScriptSerializer))
class ScriptDetailApi(shared.ObjectDetailApi):
    ops = SCRIPT_OPS


@extend_schema_view(put=_schema("script_save", responses=ScriptSerializer))
class ScriptSaveApi(shared.ObjectSaveApi):
    ops = SCRIPT_OPS


@extend_schema_view(delete=_schema("script_delete", responses={204: None}))
class ScriptDeleteApi(shared.ObjectDeleteApi):
    ops = SCRIPT_OPS


@extend_schema_view(post=_schema("script_submit", responses={201: VersionSerializer}))
class ScriptSubmitApi(shared.ObjectSubmitApi):
    ops = SCRIPT_OPS


@extend_schema_view(post=_schema("script_rename", responses=ScriptSerializer))
class ScriptRenameApi(shared.ObjectRenameApi):
    ops = SCRIPT_OPS


@extend_schema_view(post=_schema("script_move", responses=ScriptSerializer))
class ScriptMoveApi(shared.ObjectMoveApi):
    ops = SCRIPT_OPS


@extend_schema_view(post=_schema("script_copy", responses={201: ScriptSerializer}))
class ScriptCopyApi(shared.ObjectCopyApi):
    ops = SCRIPT_OPS


@extend_schema_view(post=_schema("script_lock", responses=ScriptSerializer))
class ScriptLockApi(shared.ObjectLockApi):
    ops = SCRIPT_OPS


@extend_schema_view(post=_schema("script_unlock", responses=ScriptSerializer))
class ScriptUnlockApi(shared.ObjectUnlockApi):
    ops = SCRIPT_OPS


@extend_schema_view(post=_schema("scripts_unlock"))
class ScriptBatchUnlockApi(shared.ObjectBatchUnlockApi):
    ops = SCRIPT_OPS


@extend_schema_view(post=_schema("scripts_selection_count"))
class ScriptSelectionCountApi(shared.ObjectSelectionCountApi):
    ops = SCRIPT_OPS


@extend_schema_view(post=_schema("scripts_delete"))
class ScriptBatchDeleteApi(shared.ObjectBatchDeleteApi):
    ops = SCRIPT_OPS


@extend_schema_view(post=_schema("scripts_move"))
class ScriptBatchMoveApi(shared.ObjectBatchMoveApi):
    ops = SCRIPT_OPS


@extend_schema_view(post=_schema("scripts_owner_set"))
class ScriptBatchOwnerApi(shared.ObjectBatchOwnerApi):
    ops = SCRIPT_OPS


@extend_schema_view(
    get=_schema(
        "script_versions_list",
        parameters=[versions.ObjectVersionListApi.FilterSerializer, *shared.PAGE_PARAMETERS],
        responses=page_of(VersionSerializer, "VersionPage"),
    )
)
class ScriptVersionListApi(versions.ObjectVersionListApi):
    ops = SCRIPT_OPS


@extend_schema_view(get=_schema("script_version_get"))
class ScriptVersionDetailApi(versions.ObjectVersionDetailApi):
    ops = SCRIPT_OPS


@extend_schema_view(post=_schema("script_rollback", responses=ScriptSerializer))
class ScriptRollbackApi(versions.ObjectRollbackApi):
    ops = SCRIPT_OPS
