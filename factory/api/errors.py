"""The console API's one error envelope: ``{"message", "code", "extra": {"fields": {...}}}``.

Domain errors from services keep their stable ``code``; DRF's own errors are mapped to the same shape.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from factory.errors import DomainError

logger = logging.getLogger(__name__)

INTERNAL_ERROR_MESSAGE = "Something went wrong on the server; the error was logged."


def _flatten(detail: Any) -> Any:
    if isinstance(detail, list):
        return [_flatten(d) for d in detail]
    if isinstance(detail, dict):
        return {k: _flatten(v) for k, v in detail.items()}
    return str(detail)


def _first_message(fields: Any) -> str:
    if isinstance(fields, dict):
        for key, value in fields.items():
            inner = _first_message(value)
            return inner if key == "non_field_errors" else f"{key}: {inner}"
    if isinstance(fields, list) and fields:
        return _first_message(fields[0])
    return str(fields)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(
            {"message": exc.message, "code": exc.code, "extra": {"fields": exc.fields}}, status=exc.status
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        # Not an API error: a bug or an outage. Logged with its traceback; the client gets the envelope,
        # never the exception's text (which may carry internals).
        view = context.get("view")
        logger.error(  # exc_info given: the handler may run outside the except block
            "Unhandled error in the console API (%s)", type(view).__name__ if view else "?", exc_info=exc
        )
        return Response(
            {"message": INTERNAL_ERROR_MESSAGE, "code": "internal_error", "extra": {"fields": {}}}, status=500
        )
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        if not isinstance(fields, dict):
            fields = {"non_field_errors": fields}
        body = {"message": _first_message(fields), "code": "invalid", "extra": {"fields": fields}}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body = {
            "message": str(detail),
            "code": code if isinstance(code, str) else "error",
            "extra": {"fields": {}},
        }
    response.data = body
    return response
