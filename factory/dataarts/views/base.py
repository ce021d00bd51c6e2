"""What every v1 view shares: SDK-HMAC-SHA256 authentication, the workspace, DataArts' error shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib.auth.models import User
from django.http import HttpResponseBase
from rest_framework.parsers import JSONParser
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from factory.dataarts.auth import SdkHmacAuthentication
from factory.dataarts.errors import (
    API_NOT_FOUND,
    API_NOT_FOUND_MESSAGE,
    INVALID_PARAMETER,
    DataArtsError,
    body,
    exception_handler,
)
from factory.dataarts.selectors import dataarts_membership_get
from factory.routing import methods
from factory.workspaces.models import AccessKey, Membership, Role, Workspace


def request_user(request: Request) -> User:
    """The access key's owner: every v1 view authenticates with SdkHmacAuthentication (``request.auth`` is
    the AccessKey) behind ``IsAuthenticated``, so ``request.user`` is never anonymous; the stubs cannot know that."""
    return cast(User, request.user)


class DataArtsApi(APIView):
    """Base of the views under ``/v1/{project_id}/``.

    The request is authenticated by its signature and acts as the key's owner; ``self.workspace`` is the
    workspace the ``workspace`` header names (or the key's own workspace). Reads need any role, writes
    ``write_role``. Errors answer ``{"error_code", "error_msg"}``.
    """

    schema = None  # not part of the console's OpenAPI schema: the SDK's models describe this API
    authentication_classes = (SdkHmacAuthentication,)
    permission_classes = (IsAuthenticated,)
    parser_classes = (JSONParser,)
    renderer_classes = (JSONRenderer,)
    read_role: str = Role.VIEWER
    write_role: str = Role.DEVELOPER
    workspace: Workspace
    membership: Membership

    def get_exception_handler(self) -> Callable[[Exception, dict], Response]:
        return exception_handler

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        project_header = (request.headers.get("X-Project-Id") or "").strip()
        if project_header and project_header != kwargs["project_id"]:
            raise DataArtsError(
                f"The X-Project-Id header ({project_header}) is not the project id of the path "
                f"({kwargs['project_id']}).",
                error_code=INVALID_PARAMETER,
            )
        role = self.read_role if request.method in SAFE_METHODS else self.write_role
        self.membership = dataarts_membership_get(
            user=request_user(request),
            project_id=kwargs["project_id"],
            workspace=(request.headers.get("workspace") or "").strip() or None,
            key_workspace_id=cast(AccessKey, request.auth).workspace_id,
            role=role,
        )
        self.workspace = self.membership.workspace

    def body_object(self, request: Request) -> dict[str, Any]:
        """The JSON body, which must be an object (``{}`` when the body is empty)."""
        data = request.data
        if data in (None, "") or (hasattr(data, "dict") and not data):
            return {}
        if not isinstance(data, dict):
            raise DataArtsError("The request body must be a JSON object.", error_code=INVALID_PARAMETER)
        return data


def paging_parse(request: Request, *, default_limit: int, max_limit: int) -> tuple[int, int]:
    """``offset`` and ``limit`` query parameters, checked like DataArts does (DLF.3051 when invalid)."""

    def number(name: str, default: int, low: int, high: int) -> int:
        raw = request.query_params.get(name)
        if raw in (None, ""):
            return default
        try:
            value = int(raw)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise DataArtsError(
                f"{name} must be an integer from {low} to {high}.", error_code=INVALID_PARAMETER
            )
        return value

    return number("offset", 0, 0, 2**31 - 1), number("limit", default_limit, 1, max_limit)


class ApiNotFound(APIView):
    """Any path or method the v1 API does not have, answered as Huawei's API gateway does."""

    schema = None
    authentication_classes = ()
    permission_classes = ()
    renderer_classes = (JSONRenderer,)

    def get_exception_handler(self) -> Callable[[Exception, dict], Response]:
        return exception_handler

    def _answer(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(body(API_NOT_FOUND, API_NOT_FOUND_MESSAGE), status=404)

    get = post = put = patch = delete = head = options = _answer


_not_found = ApiNotFound.as_view()


def by_method(**views: type[APIView]) -> Callable[..., HttpResponseBase]:
    """``factory.routing.methods`` for a v1 path: any method the path does not have answers as a path
    that does not exist (404 ``APIGW.0101``), as Huawei's API gateway does."""
    return methods(unknown=_not_found, **views)
