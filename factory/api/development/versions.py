"""Versions of jobs and scripts: list, read (read-only document) and roll back; bound in jobs/scripts.py."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from factory.api.development.objects import ObjectApi
from factory.api.development.serializers import VersionDetailSerializer, VersionSerializer
from factory.api.pagination import Pagination
from factory.development.models import VersionKind


class ObjectVersionApi(ObjectApi):
    def get_version(self, obj: Any) -> Any:
        return self.ops.version_get(**{self.ops.word: obj}, version_id=self.kwargs["version_id"])


class ObjectVersionListApi(ObjectVersionApi):
    class FilterSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=VersionKind.choices, required=False)

    def get(self, request: Request, **kwargs: Any) -> Response:
        data = self.parse(self.FilterSerializer, request.query_params)
        versions = self.ops.versions_list(**{self.ops.word: self.get_object()}, kind=data.get("kind"))
        paginator = Pagination()
        page: list[Any] | None = paginator.paginate_queryset(versions, request, view=self)
        return paginator.get_paginated_response(VersionSerializer(page, many=True).data)


class ObjectVersionDetailApi(ObjectVersionApi):
    @extend_schema(responses=VersionDetailSerializer)
    def get(self, request: Request, **kwargs: Any) -> Response:
        return Response(VersionDetailSerializer(self.get_version(self.get_object())).data)


class ObjectRollbackApi(ObjectVersionApi):
    @extend_schema(request=None)
    def post(self, request: Request, **kwargs: Any) -> Response:
        obj = self.get_object()
        return self.respond(self.call("rollback", obj, version=self.get_version(obj)))
