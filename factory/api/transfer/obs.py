"""OBS for the import wizard: whether it can be used now, and a browser of buckets, folders and objects.

Not scoped to a workspace: OBS is reached with the server's credentials, so any logged-in user may see
what they reach (DataArts' "Select File from OBS" shows the project's buckets to every member).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from factory.obs import obs_available, obs_browse

TAG = ["import"]


class ObsStatusApi(APIView):
    """Whether OBS is configured and answering; when not, ``reason`` says why (import from the local PC)."""

    @extend_schema(
        tags=TAG,
        responses=inline_serializer(
            "ObsStatus", {"available": serializers.BooleanField(), "reason": serializers.CharField()}
        ),
        operation_id="obs_status",
    )
    def get(self, request: Request) -> Response:
        available, reason = obs_available()
        return Response({"available": available, "reason": reason})


class ObsBrowseApi(APIView):
    """The buckets (no ``path``), or the folders and objects directly under ``obs://bucket/folder/``."""

    @extend_schema(
        tags=TAG,
        parameters=[OpenApiParameter("path", str, description="obs://bucket/folder/ (empty: the buckets)")],
        responses={200: OpenApiTypes.OBJECT},
        operation_id="obs_browse",
    )
    def get(self, request: Request) -> Response:
        return Response(obs_browse(path=(request.query_params.get("path") or "").strip()))
