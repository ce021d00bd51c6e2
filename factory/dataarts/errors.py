"""DataArts' error shape, ``{"error_code": "DLF.xxxx", "error_msg": "..."}``, for the v1 API.

The console API has its own envelope (``factory.api.errors``); v1 views use ``exception_handler`` below
through ``DataArtsApi.get_exception_handler`` so that the two never mix.

Codes: those DataArts documents (its "DataArts Factory error codes" appendix) keep their documented
meaning and, like DataArts, answer with HTTP 400; authentication failures use the API gateway's
``APIGW.0301`` (401); the few situations DataArts has no documented code for use ``DLF.9xxx`` so that
they can never be mistaken for one of Huawei's.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response

from factory.errors import (
    Conflict,
    DomainError,
    LockError,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    ServiceUnavailable,
)

logger = logging.getLogger(__name__)

# Documented by DataArts.
JOB_NOT_FOUND = "DLF.0100"
JOB_NAME_TAKEN = "DLF.0102"
JOB_INSTANCE_NOT_FOUND = "DLF.0137"
SCRIPT_NAME_TAKEN = "DLF.0202"
OBS_PATH_INVALID = "DLF.0803"
TASK_NOT_FOUND = "DLF.0810"
OBS_READ_FAILED = "DLF.0815"
JOB_NODES_EMPTY = "DLF.1006"
OBS_BUCKET_MISSING = "DLF.1242"
JOB_NAME_EMPTY = "DLF.3004"
JOB_NAME_INVALID = "DLF.3018"
JOB_SCHEDULE_INVALID = "DLF.3025"
INVALID_PARAMETER = "DLF.3051"
SCRIPT_NOT_FOUND = "DLF.6201"
SCRIPT_INSTANCE_NOT_FOUND = "DLF.6205"
RESOURCE_NOT_FOUND = "DLF.6241"
SCRIPT_TYPE_MISSING = "DLF.6247"
DIRECTORY_NOT_EMPTY = "DLF.6258"
RESOURCE_NAME_TAKEN = "DLF.6259"
RESOURCE_TYPE_INVALID = "DLF.6263"
RESOURCE_LOCATION_INVALID = "DLF.6264"
CONNECTION_NOT_FOUND = "DLF.6322"
PERMISSION_DENIED = "DLF.6888"
# Huawei's API gateway.
API_NOT_FOUND = "APIGW.0101"
AUTH_FAILED = "APIGW.0301"
# Ours: situations DataArts documents no code for.
NOT_SUPPORTED = "DLF.9001"
LOCKED = "DLF.9002"
CONFLICT = "DLF.9003"
SERVICE_UNAVAILABLE = "DLF.9004"
INTERNAL_ERROR = "DLF.9500"

API_NOT_FOUND_MESSAGE = "The API does not exist or has not been published in the environment."


class DataArtsError(Exception):
    """An error answered exactly as given: HTTP status, DataArts code and message."""

    def __init__(self, error_msg: str, *, error_code: str = INVALID_PARAMETER, status: int = 400) -> None:
        super().__init__(error_msg)
        self.error_msg = error_msg
        self.error_code = error_code
        self.status = status


class SignatureInvalid(exceptions.AuthenticationFailed):
    """A request whose SDK-HMAC-SHA256 signature cannot be accepted (always 401, ``APIGW.0301``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"Incorrect IAM authentication information: {reason}")


# Domain error codes (factory.errors ``.code``) -> DataArts codes. What is not listed falls back by class.
_DOMAIN_CODES: dict[str, str] = {
    "job_not_found": JOB_NOT_FOUND,
    "job_exists": JOB_NAME_TAKEN,
    "job_name_taken": JOB_NAME_TAKEN,
    "duplicate_name": JOB_NAME_TAKEN,
    "name_taken": JOB_NAME_TAKEN,
    "script_not_found": SCRIPT_NOT_FOUND,
    "script_exists": SCRIPT_NAME_TAKEN,
    "script_name_taken": SCRIPT_NAME_TAKEN,
    "resource_not_found": RESOURCE_NOT_FOUND,
    "resource_exists": RESOURCE_NAME_TAKEN,
    "resource_name_taken": RESOURCE_NAME_TAKEN,
    "invalid_resource_type": RESOURCE_TYPE_INVALID,
    "resource_type_invalid": RESOURCE_TYPE_INVALID,
    "invalid_location": RESOURCE_LOCATION_INVALID,
    "resource_location_invalid": RESOURCE_LOCATION_INVALID,
    "task_not_found": TASK_NOT_FOUND,
    "connection_not_found": CONNECTION_NOT_FOUND,
    "job_name_empty": JOB_NAME_EMPTY,
    "invalid_job_name": JOB_NAME_INVALID,
    "job_name_invalid": JOB_NAME_INVALID,
    "nodes_empty": JOB_NODES_EMPTY,
    "invalid_schedule": JOB_SCHEDULE_INVALID,
    "script_type_missing": SCRIPT_TYPE_MISSING,
    "directory_not_empty": DIRECTORY_NOT_EMPTY,
    "workspace_not_found": PERMISSION_DENIED,
    "role_required": PERMISSION_DENIED,
    "obs_path_invalid": OBS_PATH_INVALID,
    "obs_bucket_missing": OBS_BUCKET_MISSING,
    "obs_read_failed": OBS_READ_FAILED,
    "obs_object_missing": OBS_READ_FAILED,
    "obs_unavailable": OBS_READ_FAILED,
    "obs_too_large": OBS_READ_FAILED,
    "queue_unavailable": SERVICE_UNAVAILABLE,
}


def domain_error_translate(exc: DomainError) -> DataArtsError:
    """A service's domain error as DataArts would answer it."""
    dataarts_code = getattr(exc, "dataarts_code", None)  # OBS errors carry their own
    code = dataarts_code or _DOMAIN_CODES.get(exc.code)
    if code is None:
        if isinstance(exc, LockError):
            code = LOCKED
        elif isinstance(exc, PermissionDenied):
            code = PERMISSION_DENIED
        elif isinstance(exc, (Conflict, PreconditionFailed)):
            code = CONFLICT
        elif isinstance(exc, ServiceUnavailable):
            code = SERVICE_UNAVAILABLE
        else:
            code = INVALID_PARAMETER
    # DataArts answers 400 for its own codes, not-found included; permission problems stay 403, and a
    # service that is down for now 503 (like the API gateway's own), so that clients retry.
    status = 403 if code == PERMISSION_DENIED else 503 if isinstance(exc, ServiceUnavailable) else 400
    message = exc.message
    if code == PERMISSION_DENIED and isinstance(exc, NotFound):
        # Do not tell a workspace that exists from one that does not.
        message = "The workspace does not exist or the access key's user is not a member of it."
    return DataArtsError(message, error_code=code, status=status)


def _first_field_error(detail: Any, path: tuple[str, ...] = ()) -> str:
    """``nodes.0.name: This field is required.`` from a serializer's nested error detail."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            return _first_field_error(value, path if key == "non_field_errors" else (*path, str(key)))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if value:  # a list serializer reports valid items as empty dicts
                return _first_field_error(
                    value, (*path, str(index)) if isinstance(value, (dict, list)) else path
                )
    else:
        return f"{'.'.join(path)}: {detail}" if path else str(detail)
    return f"{'.'.join(path)}: invalid" if path else "The request parameter is invalid."


def body(error_code: str, error_msg: str) -> dict[str, str]:
    return {"error_code": error_code, "error_msg": error_msg}


def exception_handler(exc: Exception, context: dict) -> Response:
    """Every exception of a v1 view, as ``{"error_code", "error_msg"}``; never an HTML page."""
    if isinstance(exc, DataArtsError):
        return Response(body(exc.error_code, exc.error_msg), status=exc.status)
    if isinstance(exc, DomainError):
        translated = domain_error_translate(exc)
        return Response(body(translated.error_code, translated.error_msg), status=translated.status)
    if isinstance(exc, (exceptions.AuthenticationFailed, exceptions.NotAuthenticated)):
        message = str(exc.detail)
        if isinstance(exc, exceptions.NotAuthenticated):
            message = (
                "Incorrect IAM authentication information: the request carries no SDK-HMAC-SHA256 signature."
            )
        response = Response(body(AUTH_FAILED, message), status=401)
        response["WWW-Authenticate"] = "SDK-HMAC-SHA256"
        return response
    if isinstance(exc, exceptions.ValidationError):
        return Response(body(INVALID_PARAMETER, _first_field_error(exc.detail)), status=400)
    if isinstance(exc, (exceptions.ParseError, exceptions.UnsupportedMediaType)):
        return Response(body(INVALID_PARAMETER, f"The request body is invalid: {exc.detail}"), status=400)
    if isinstance(exc, RequestDataTooBig):
        return Response(body(INVALID_PARAMETER, "The request body is too large."), status=413)
    if isinstance(exc, (Http404, exceptions.NotFound, exceptions.MethodNotAllowed)):
        # The gateway knows an API as method + path: a wrong method is an API that does not exist.
        return Response(body(API_NOT_FOUND, API_NOT_FOUND_MESSAGE), status=404)
    if isinstance(exc, exceptions.PermissionDenied):
        return Response(body(PERMISSION_DENIED, str(exc.detail)), status=403)
    if isinstance(exc, exceptions.Throttled):
        return Response(body("APIGW.0308", "The throttling threshold has been reached."), status=429)
    if isinstance(exc, exceptions.APIException):
        return Response(body(INVALID_PARAMETER, str(exc.detail)), status=exc.status_code)
    logger.exception("Unhandled error in the DataArts v1 API")
    return Response(body(INTERNAL_ERROR, "Internal server error."), status=500)
