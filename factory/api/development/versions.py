"""Versions of jobs and scripts: list, read (read-only document) and roll back; declared in jobs/scripts.py."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from factory.api.development.objects import ObjectApi
from factory.api.development.serializers import VersionDetailSerializer, VersionSerializer
from factory.api.pagination import paginated_response
from factory.development.models import VersionKind


class ObjectVersionListApi(ObjectApi):
    class FilterSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=VersionKind.choices, required=False)

    def list_versions(self, obj: Any, *, kind: str | None) -> QuerySet[Any]:
        raise NotImplementedError

    def get(self, request: Request, **kwargs: Any) -> Response:
        data = self.parse(self.FilterSerializer, request.query_params)
        return paginated_response(
            request=request,
            view=self,
            items=self.list_versions(self.get_object(), kind=data.get("kind")),
            serializer_class=VersionSerializer,
        )


class ObjectVersionDetailApi(ObjectApi):
    @extend_schema(responses=VersionDetailSerializer)
    def get(self, request: Request, **kwargs: Any) -> Response:
        return Response(VersionDetailSerializer(self.get_version(self.get_object())).data)


class ObjectRollbackApi(ObjectApi):
    def rollback(self, obj: Any, *, version: Any) -> Any:
        raise NotImplementedError

    @extend_schema(request=None)
    def post(self, request: Request, **kwargs: Any) -> Response:
        obj = self.get_object()
        return self.respond(self.rollback(obj, version=self.get_version(obj)))
