"""Scripts: ``/v1/{project_id}/scripts`` list and create, ``scripts/{script_name}`` show, update, delete."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from factory.dataarts.selectors import v1_scripts_list
from factory.dataarts.serializers import script_info_data
from factory.dataarts.services import v1_script_create, v1_script_update
from factory.dataarts.views.base import DataArtsApi, paging_parse, request_user
from factory.development.selectors import script_get
from factory.development.services import script_delete

SCRIPTS_DEFAULT_LIMIT = 1000
SCRIPTS_MAX_LIMIT = 1000


class ScriptListApi(DataArtsApi):
    """``GET scripts`` -> ``{"total", "scripts": [ScriptInfo]}``."""

    class FilterSerializer(serializers.Serializer):
        scriptName = serializers.CharField(required=False, allow_blank=True, max_length=128)

    def get(self, request: Request, **kwargs: Any) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        offset, limit = paging_parse(
            request, default_limit=SCRIPTS_DEFAULT_LIMIT, max_limit=SCRIPTS_MAX_LIMIT
        )
        scripts = v1_scripts_list(
            workspace=self.workspace, script_name=filters.validated_data.get("scriptName")
        )
        page = scripts[offset : offset + limit]
        return Response({"total": scripts.count(), "scripts": [script_info_data(script) for script in page]})


class ScriptCreateApi(DataArtsApi):
    """``POST scripts`` with the script definition (``ScriptInfo``); 204."""

    def post(self, request: Request, **kwargs: Any) -> Response:
        v1_script_create(
            workspace=self.workspace, user=request_user(request), document=self.body_object(request)
        )
        return Response(status=204)


class ScriptShowApi(DataArtsApi):
    """``GET scripts/{script_name}`` -> ``ShowScriptResponse``."""

    def get(self, request: Request, script_name: str, **kwargs: Any) -> Response:
        script = script_get(workspace=self.workspace, name=script_name)
        return Response(script_info_data(script))


class ScriptUpdateApi(DataArtsApi):
    """``PUT scripts/{script_name}`` with the whole definition: takes the lock, saves, submits; 204."""

    def put(self, request: Request, script_name: str, **kwargs: Any) -> Response:
        script = script_get(workspace=self.workspace, name=script_name)
        v1_script_update(script=script, user=request_user(request), document=self.body_object(request))
        return Response(status=204)


class ScriptDeleteApi(DataArtsApi):
    """``DELETE scripts/{script_name}``; 204."""

    def delete(self, request: Request, script_name: str, **kwargs: Any) -> Response:
        script = script_get(workspace=self.workspace, name=script_name)
        script_delete(script=script, user=request_user(request))
        return Response(status=204)
