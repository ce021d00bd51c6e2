"""Script views: each declares one shared operation (``objects.py``, ``batches.py``, ``versions.py``) for
scripts, calling the script service or selector by name."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from factory.api.development import batches, versions
from factory.api.development import objects as shared
from factory.api.development.serializers import ScriptSerializer, ScriptSummarySerializer, VersionSerializer
from factory.api.pagination import PAGE_PARAMETERS, paginated
from factory.development import selectors, services
from factory.development.models import Category, Script, ScriptVersion
from factory.development.selectors.selection import ObjectSelection


def _schema(operation_id: str, **kwargs: Any) -> Any:
    return extend_schema(operation_id=operation_id, tags=["scripts"], **kwargs)


class ScriptApi(shared.ObjectApi):
    # An operation on the scripts of the URL's workspace, or on the URL's script (a comment: see ObjectApi).

    model = Script
    detail_serializer = ScriptSerializer
    summary_serializer = ScriptSummarySerializer

    def get_object(self) -> Script:
        return selectors.script_get(workspace=self.workspace, script_id=self.kwargs["script_id"])

    def get_version(self, script: Script) -> ScriptVersion:
        return selectors.script_version_get(script=script, version_id=self.kwargs["version_id"])


class ScriptFilterSerializer(shared.ObjectListApi.FilterSerializer):
    type = serializers.CharField(required=False, help_text="Script type, e.g. DWSSQL.")


@extend_schema_view(
    get=_schema(
        "scripts_list",
        parameters=[ScriptFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated(ScriptSummarySerializer, "ScriptPage"),
    )
)
class ScriptListApi(ScriptApi, shared.ObjectListApi):
    FilterSerializer = ScriptFilterSerializer

    def list_objects(self, data: dict[str, Any]) -> QuerySet[Script]:
        filters = self.filters(data)
        return selectors.scripts_list(workspace=self.workspace, **filters, type=data.get("type"))


@extend_schema_view(post=_schema("script_create", responses={201: ScriptSerializer}))
class ScriptCreateApi(ScriptApi, shared.ObjectCreateApi):
    def create(self, *, document: dict) -> Script:
        return services.script_create(workspace=self.workspace, user=self.user, document=document)


@extend_schema_view(get=_schema("script_get", responses=ScriptSerializer))
class ScriptDetailApi(ScriptApi, shared.ObjectDetailApi):
    pass


@extend_schema_view(put=_schema("script_save", responses=ScriptSerializer))
class ScriptSaveApi(ScriptApi, shared.ObjectSaveApi):
    def save(self, script: Script, *, document: dict, if_match: int | None, new_version: bool) -> Script:
        return services.script_save(
            script=script, user=self.user, document=document, if_match=if_match, new_version=new_version
        )


@extend_schema_view(delete=_schema("script_delete", responses={204: None}))
class ScriptDeleteApi(ScriptApi, shared.ObjectDeleteApi):
    def destroy(self, script: Script) -> None:
        services.script_delete(script=script, user=self.user)


@extend_schema_view(post=_schema("script_submit", responses={201: VersionSerializer}))
class ScriptSubmitApi(ScriptApi, shared.ObjectSubmitApi):
    def submit(self, script: Script, *, description: str) -> ScriptVersion:
        return services.script_submit(script=script, user=self.user, description=description)


@extend_schema_view(post=_schema("script_rename", responses=ScriptSerializer))
class ScriptRenameApi(ScriptApi, shared.ObjectRenameApi):
    def rename(self, script: Script, *, name: str) -> Script:
        return services.script_rename(script=script, user=self.user, name=name)


@extend_schema_view(post=_schema("script_move", responses=ScriptSerializer))
class ScriptMoveApi(ScriptApi, shared.ObjectMoveApi):
    def move(self, script: Script, *, directory_path: str) -> Script:
        return services.script_move(script=script, user=self.user, directory_path=directory_path)


@extend_schema_view(post=_schema("script_copy", responses={201: ScriptSerializer}))
class ScriptCopyApi(ScriptApi, shared.ObjectCopyApi):
    def copy(self, script: Script, *, new_name: str, directory_path: str | None) -> Script:
        return services.script_copy(
            script=script, user=self.user, new_name=new_name, directory_path=directory_path
        )


@extend_schema_view(post=_schema("script_lock", responses=ScriptSerializer))
class ScriptLockApi(ScriptApi, shared.ObjectLockApi):
    def lock(self, script: Script) -> Script:
        return services.script_lock(script=script, user=self.user)


@extend_schema_view(post=_schema("script_unlock", responses=ScriptSerializer))
class ScriptUnlockApi(ScriptApi, shared.ObjectUnlockApi):
    def unlock(self, script: Script) -> Script:
        return services.script_unlock(script=script, user=self.user)


@extend_schema_view(post=_schema("scripts_unlock"))
class ScriptBatchUnlockApi(ScriptApi, batches.ObjectBatchUnlockApi):
    def unlock_selection(self, selection: ObjectSelection) -> services.BatchUnlockResult:
        return services.scripts_unlock(workspace=self.workspace, user=self.user, selection=selection)


@extend_schema_view(post=_schema("scripts_selection_count"))
class ScriptSelectionCountApi(ScriptApi, batches.ObjectSelectionCountApi):
    pass


@extend_schema_view(post=_schema("scripts_delete"))
class ScriptBatchDeleteApi(ScriptApi, batches.ObjectBatchDeleteApi):
    def delete_selection(self, selection: ObjectSelection) -> int:
        return services.scripts_delete(workspace=self.workspace, user=self.user, selection=selection)


@extend_schema_view(post=_schema("scripts_move"))
class ScriptBatchMoveApi(ScriptApi, batches.ObjectBatchMoveApi):
    def move_selection(self, selection: ObjectSelection, *, directory_path: str) -> int:
        return services.scripts_move(
            workspace=self.workspace, user=self.user, directory_path=directory_path, selection=selection
        )


@extend_schema_view(post=_schema("scripts_owner_set"))
class ScriptBatchOwnerApi(ScriptApi, batches.ObjectBatchOwnerApi):
    def set_owner(
        self, selection: ObjectSelection, *, owner: str, current_owner: str | None
    ) -> services.OwnerChangeResult:
        return services.objects_owner_set(
            workspace=self.workspace,
            user=self.user,
            category=Category.SCRIPT,
            owner=owner,
            current_owner=current_owner,
            selection=selection,
        )


@extend_schema_view(
    get=_schema(
        "script_versions_list",
        parameters=[versions.ObjectVersionListApi.FilterSerializer, *PAGE_PARAMETERS],
        responses=paginated(VersionSerializer, "VersionPage"),
    )
)
class ScriptVersionListApi(ScriptApi, versions.ObjectVersionListApi):
    def list_versions(self, script: Script, *, kind: str | None) -> QuerySet[ScriptVersion]:
        return selectors.script_versions_list(script=script, kind=kind)


@extend_schema_view(get=_schema("script_version_get"))
class ScriptVersionDetailApi(ScriptApi, versions.ObjectVersionDetailApi):
    pass


@extend_schema_view(post=_schema("script_rollback", responses=ScriptSerializer))
class ScriptRollbackApi(ScriptApi, versions.ObjectRollbackApi):
    def rollback(self, script: Script, *, version: ScriptVersion) -> Script:
        return services.script_rollback(script=script, user=self.user, version=version)
