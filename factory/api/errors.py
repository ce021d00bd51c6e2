"""The console API's one error envelope: ``{"message", "code", "extra": {"fields": {...}}}``.

Domain errors from services keep their stable ``code``; DRF's own errors are mapped to the same shape. The
``code`` is always an ``ErrorCode``, and the OpenAPI schema says so (``schema_components``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from factory.errors import DomainError, ErrorCode

logger = logging.getLogger(__name__)

INTERNAL_ERROR_MESSAGE = "Something went wrong on the server; the error was logged."
_CODES = frozenset(ErrorCode)


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


def _envelope(message: str, code: ErrorCode, fields: Any) -> dict[str, Any]:
    # The code as plain text: a renderer other than JSON's (the schema view's YAML) knows no enum.
    return {"message": message, "code": str(code), "extra": {"fields": fields}}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(_envelope(exc.message, exc.code, exc.fields), status=exc.status)
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
        return Response(_envelope(INTERNAL_ERROR_MESSAGE, ErrorCode.INTERNAL_ERROR, {}), status=500)
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        if not isinstance(fields, dict):
            fields = {"non_field_errors": fields}
        body = _envelope(_first_message(fields), ErrorCode.INVALID, fields)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        # DRF's default codes are ErrorCode members; anything else is DRF's generic "error".
        known = ErrorCode(code) if isinstance(code, str) and code in _CODES else ErrorCode.ERROR
        body = _envelope(str(detail), known, {})
    response.data = body
    return response


def schema_components(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular hook: the envelope (``Error``) and its ``ErrorCode`` enum as schema components, so
    that the frontend's generated types name every code it may branch on."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorCode"] = {
        "type": "string",
        "enum": [code.value for code in ErrorCode],
        "description": "The stable code of an error (factory.errors.ErrorCode).",
    }
    schemas["Error"] = {
        "type": "object",
        "description": "The console API's answer to every request it refuses.",
        "properties": {
            "message": {"type": "string", "description": "What a user reads."},
            "code": {"$ref": "#/components/schemas/ErrorCode"},
            "extra": {
                "type": "object",
                "properties": {
                    "fields": {
                        "type": "object",
                        "additionalProperties": {},
                        "description": "The refused input fields, by name, with what is wrong with each.",
                    }
                },
                "additionalProperties": {},
                "required": ["fields"],
            },
        },
        "required": ["message", "code", "extra"],
    }
    result["components"]["schemas"] = dict(sorted(schemas.items()))  # in order, as drf-spectacular's own
    return result
