"""Small pieces the accounts and connections APIs share: paginated lists typed for the OpenAPI schema,
and CSRF for views anonymous users may call."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from factory.api.pagination import Pagination

PAGE_PARAMETERS = [
    OpenApiParameter("limit", int, description="Page size (default 100, at most 1000)."),
    OpenApiParameter("offset", int, description="Items to skip."),
]

_paginated: dict[type, type[serializers.Serializer]] = {}


def paginated(serializer_class: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The schema of a paginated list of ``serializer_class``: ``{count, next, previous, results}``."""
    if serializer_class not in _paginated:
        name = getattr(getattr(serializer_class, "Meta", None), "ref_name", None) or serializer_class.__name__
        name = name.removesuffix("Serializer")
        _paginated[serializer_class] = type(
            f"Paginated{name}ListSerializer",
            (serializers.Serializer,),
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": serializer_class(many=True),
            },
        )
    return _paginated[serializer_class]


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


class CsrfCheckedApi(APIView):
    """A view anonymous users may call (log in, log out) that still refuses cross-site requests: DRF's
    session authentication only checks CSRF for requests that are already logged in."""

    authentication_classes = (SessionAuthentication,)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.method not in SAFE_METHODS:
            SessionAuthentication().enforce_csrf(request)
