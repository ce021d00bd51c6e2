"""Pagination of console lists: ``?limit=&offset=`` with ``count``, like DataArts' own lists.

A list view answers ``paginated_response(...)``; its schema names ``PAGE_PARAMETERS`` and
``paginated(ItemSerializer)``, the page's serializer.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class Pagination(LimitOffsetPagination):
    default_limit = 100
    max_limit = 1000


PAGE_PARAMETERS = [
    OpenApiParameter("limit", int, description="Page size (default 100, at most 1000)."),
    OpenApiParameter("offset", int, description="Items to skip."),
]


@functools.cache
def paginated(item: type[serializers.Serializer], name: str = "") -> type[serializers.Serializer]:
    """The schema of a page of ``item``: ``{count, next, previous, results}``, as the component ``name``
    (by default ``Paginated<Item>List``, after the item's ``Meta.ref_name`` or class name)."""
    if not name:
        item_name = getattr(getattr(item, "Meta", None), "ref_name", None) or item.__name__
        name = f"Paginated{item_name.removesuffix('Serializer')}List"
    page = type(
        f"{name}Serializer",
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        },
    )
    return extend_schema_serializer(component_name=name)(page)


def paginated_response(
    *,
    request: Request,
    view: APIView,
    items: QuerySet[Any] | Sequence[Any],  # counted and sliced for the page
    serializer_class: type[serializers.Serializer],
    context: dict[str, Any] | None = None,
) -> Response:
    """One page of ``items`` (``?limit=&offset=``) with ``count``, like DataArts' own lists."""
    paginator = Pagination()
    page = paginator.paginate_queryset(items, request, view=view)
    data = serializer_class(page, many=True, context=context or {}).data
    return paginator.get_paginated_response(data)
