"""Resources: ``/v1/{project_id}/resources`` list and create, ``resources/{resource_id}`` show, update,
delete. A resource's v1 id is its id in this console."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from factory.connections.resources import resource_create, resource_delete, resource_update
from factory.connections.selectors import resource_referencing_jobs
from factory.dataarts.selectors import v1_resource_get, v1_resources_list
from factory.dataarts.serializers import resource_definition, resource_info_data
from factory.dataarts.views.base import DataArtsApi, paging_parse, request_user

RESOURCES_DEFAULT_LIMIT = 1000
RESOURCES_MAX_LIMIT = 1000


class ResourceListApi(DataArtsApi):
    """``GET resources`` -> ``{"total", "resources": [ResourceInfo]}``."""

    class FilterSerializer(serializers.Serializer):
        resourceName = serializers.CharField(required=False, allow_blank=True, max_length=32)

    def get(self, request: Request, **kwargs: Any) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        offset, limit = paging_parse(
            request, default_limit=RESOURCES_DEFAULT_LIMIT, max_limit=RESOURCES_MAX_LIMIT
        )
        resources = v1_resources_list(
            workspace=self.workspace, resource_name=filters.validated_data.get("resourceName")
        )
        page = resources[offset : offset + limit]
        return Response({"total": resources.count(), "resources": [resource_info_data(r) for r in page]})


class ResourceCreateApi(DataArtsApi):
    """``POST resources`` with ``ResourceInfo`` -> ``{"resourceId": ...}``."""

    def post(self, request: Request, **kwargs: Any) -> Response:
        document = resource_definition(self.body_object(request))
        resource = resource_create(workspace=self.workspace, user=request_user(request), document=document)
        return Response({"resourceId": str(resource.pk)})


class ResourceShowApi(DataArtsApi):
    """``GET resources/{resource_id}`` -> ``ShowResourceResponse``, with the jobs that use it."""

    def get(self, request: Request, resource_id: str, **kwargs: Any) -> Response:
        resource = v1_resource_get(workspace=self.workspace, resource_id=resource_id)
        jobs = resource_referencing_jobs(workspace=self.workspace, name=resource.name)
        return Response(resource_info_data(resource, job_names=jobs))


class ResourceUpdateApi(DataArtsApi):
    """``PUT resources/{resource_id}`` with the whole ``ResourceInfo``; 204."""

    def put(self, request: Request, resource_id: str, **kwargs: Any) -> Response:
        resource = v1_resource_get(workspace=self.workspace, resource_id=resource_id)
        document = resource_definition(self.body_object(request))
        resource_update(resource=resource, user=request_user(request), document=document)
        return Response(status=204)


class ResourceDeleteApi(DataArtsApi):
    """``DELETE resources/{resource_id}``; refused while a job uses it. 204."""

    def delete(self, request: Request, resource_id: str, **kwargs: Any) -> Response:
        resource = v1_resource_get(workspace=self.workspace, resource_id=resource_id)
        resource_delete(resource=resource)
        return Response(status=204)
