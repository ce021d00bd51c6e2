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

from factory.errors import DomainError, ErrorCode, NotFound, ServiceUnavailable

logger = logging.getLogger(__name__)

# Documented by DataArts.
JOB_NOT_FOUND = "DLF.0100"
JOB_NAME_TAKEN = "DLF.0102"
JOB_INSTANCE_NOT_FOUND = "DLF.0137"
SCRIPT_NAME_TAKEN = "DLF.0202"
OBS_PATH_INVALID = "DLF.0803"
TASK_NOT_FOUND = "DLF.0810"
OBS_READ_FAILED = "DLF.0815"
OBS_WRITE_FAILED = "DLF.0816"
JOB_NODES_EMPTY = "DLF.1006"
OBS_BUCKET_MISSING = "DLF.1242"
JOB_SCHEDULE_INVALID = "DLF.3025"
INVALID_PARAMETER = "DLF.3051"
SCRIPT_NOT_FOUND = "DLF.6201"
SCRIPT_INSTANCE_NOT_FOUND = "DLF.6205"
RESOURCE_NOT_FOUND = "DLF.6241"
DIRECTORY_NOT_EMPTY = "DLF.6258"
RESOURCE_NAME_TAKEN = "DLF.6259"
CONNECTION_NOT_FOUND = "DLF.6322"
PERMISSION_DENIED = "DLF.6888"
# Huawei's API gateway.
API_NOT_FOUND = "APIGW.0101"
AUTH_FAILED = "APIGW.0301"
THROTTLED = "APIGW.0308"
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


# What the v1 API answers for each console code: DataArts' documented code where it has one for the
# situation, else one for the kind of error (invalid, locked, conflict, ...). The only such table: the
# console's own errors, OBS ones included, know nothing of DataArts. DRF's codes never come here as domain
# errors; they are listed with what ``exception_handler`` answers for DRF's exceptions of that code.
DATAARTS_CODES: dict[ErrorCode, str] = {
    ErrorCode.INVALID: INVALID_PARAMETER,
    ErrorCode.NOT_FOUND: INVALID_PARAMETER,
    ErrorCode.PERMISSION_DENIED: PERMISSION_DENIED,
    ErrorCode.CONFLICT: CONFLICT,
    ErrorCode.LOCKED: LOCKED,
    ErrorCode.STALE: CONFLICT,
    ErrorCode.UNAVAILABLE: SERVICE_UNAVAILABLE,
    ErrorCode.ERROR: INVALID_PARAMETER,
    ErrorCode.PARSE_ERROR: INVALID_PARAMETER,
    ErrorCode.AUTHENTICATION_FAILED: AUTH_FAILED,
    ErrorCode.NOT_AUTHENTICATED: AUTH_FAILED,
    ErrorCode.METHOD_NOT_ALLOWED: API_NOT_FOUND,
    ErrorCode.NOT_ACCEPTABLE: INVALID_PARAMETER,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: INVALID_PARAMETER,
    ErrorCode.THROTTLED: THROTTLED,
    ErrorCode.INTERNAL_ERROR: INTERNAL_ERROR,
    ErrorCode.REQUEST_TOO_LARGE: INVALID_PARAMETER,
    ErrorCode.LENGTH_REQUIRED: INVALID_PARAMETER,
    ErrorCode.LOGIN_LOCKED_OUT: AUTH_FAILED,
    ErrorCode.WORKSPACE_NOT_FOUND: PERMISSION_DENIED,
    ErrorCode.WORKSPACE_EXISTS: CONFLICT,
    ErrorCode.ROLE_REQUIRED: PERMISSION_DENIED,
    ErrorCode.STAFF_REQUIRED: PERMISSION_DENIED,
    ErrorCode.INVALID_NAME: INVALID_PARAMETER,
    ErrorCode.INVALID_ROLE: INVALID_PARAMETER,
    ErrorCode.INVALID_LOCK_POLICY: INVALID_PARAMETER,
    ErrorCode.LAST_ADMIN: CONFLICT,
    ErrorCode.MEMBER_NOT_FOUND: INVALID_PARAMETER,
    ErrorCode.USER_NOT_FOUND: INVALID_PARAMETER,
    ErrorCode.ACCESS_KEY_NOT_FOUND: INVALID_PARAMETER,
    ErrorCode.INVALID_CREDENTIALS: INVALID_PARAMETER,
    ErrorCode.DIRECTORY_NOT_FOUND: INVALID_PARAMETER,
    ErrorCode.DIRECTORY_EXISTS: CONFLICT,
    ErrorCode.DIRECTORY_NOT_EMPTY: DIRECTORY_NOT_EMPTY,
    ErrorCode.LIMIT: CONFLICT,
    ErrorCode.JOB_NOT_FOUND: JOB_NOT_FOUND,
    ErrorCode.JOB_EXISTS: JOB_NAME_TAKEN,
    ErrorCode.SCRIPT_NOT_FOUND: SCRIPT_NOT_FOUND,
    ErrorCode.SCRIPT_EXISTS: SCRIPT_NAME_TAKEN,
    ErrorCode.VERSION_NOT_FOUND: INVALID_PARAMETER,
    ErrorCode.JOB_SCHEDULING: CONFLICT,
    ErrorCode.NOT_SUBMITTED: CONFLICT,
    ErrorCode.NODES_EMPTY: JOB_NODES_EMPTY,
    ErrorCode.INVALID_SCHEDULE: JOB_SCHEDULE_INVALID,
    ErrorCode.SELECTION_EMPTY: INVALID_PARAMETER,
    ErrorCode.SELECTION_CONFLICT: INVALID_PARAMETER,
    ErrorCode.CONNECTION_NOT_FOUND: CONNECTION_NOT_FOUND,
    ErrorCode.CONNECTION_EXISTS: CONFLICT,
    ErrorCode.INVALID_TYPE: INVALID_PARAMETER,
    ErrorCode.INVALID_KIND: INVALID_PARAMETER,
    ErrorCode.SECRET_IN_CONFIG: INVALID_PARAMETER,
    ErrorCode.EXTERNAL_OBJECT_NOT_FOUND: INVALID_PARAMETER,
    ErrorCode.EXTERNAL_OBJECT_EXISTS: CONFLICT,
    ErrorCode.RESOURCE_NOT_FOUND: RESOURCE_NOT_FOUND,
    ErrorCode.RESOURCE_EXISTS: RESOURCE_NAME_TAKEN,
    ErrorCode.RESOURCE_REFERENCED: CONFLICT,
    ErrorCode.ENVIRONMENT_VARIABLE_NOT_FOUND: INVALID_PARAMETER,
    ErrorCode.ENVIRONMENT_VARIABLE_EXISTS: CONFLICT,
    ErrorCode.VALUE_REQUIRED: INVALID_PARAMETER,
    ErrorCode.OBS_ERROR: OBS_READ_FAILED,
    ErrorCode.OBS_PATH_INVALID: OBS_PATH_INVALID,
    ErrorCode.OBS_PATH_FORBIDDEN: OBS_PATH_INVALID,
    ErrorCode.OBS_ALLOW_LIST_INVALID: OBS_READ_FAILED,
    ErrorCode.OBS_BUCKET_MISSING: OBS_BUCKET_MISSING,
    ErrorCode.OBS_OBJECT_MISSING: OBS_READ_FAILED,
    ErrorCode.OBS_OBJECT_EXISTS: OBS_WRITE_FAILED,
    ErrorCode.OBS_READ_FAILED: OBS_READ_FAILED,
    ErrorCode.OBS_WRITE_FAILED: OBS_WRITE_FAILED,
    ErrorCode.OBS_UNAVAILABLE: OBS_READ_FAILED,
    ErrorCode.OBS_TOO_LARGE: OBS_READ_FAILED,
    ErrorCode.EXPORT_EMPTY: INVALID_PARAMETER,
    ErrorCode.EXPORT_CONFLICT: INVALID_PARAMETER,
    ErrorCode.EXPORT_TOO_LARGE: INVALID_PARAMETER,
    ErrorCode.EXPORT_INVALID_DOCUMENT: INVALID_PARAMETER,
    ErrorCode.EXPORT_RUNNING: CONFLICT,
    ErrorCode.NEVER_SUBMITTED: INVALID_PARAMETER,
    ErrorCode.INVALID_OUT: INVALID_PARAMETER,
    ErrorCode.DOWNLOAD_NOT_FOUND: INVALID_PARAMETER,
    ErrorCode.DOWNLOAD_DELETED: CONFLICT,
    ErrorCode.DOWNLOAD_GONE: INVALID_PARAMETER,
    ErrorCode.DOWNLOAD_IN_OBS: INVALID_PARAMETER,
    ErrorCode.TASK_NOT_FOUND: TASK_NOT_FOUND,
    ErrorCode.QUEUE_UNAVAILABLE: SERVICE_UNAVAILABLE,
    # A failed task's codes (its result.error), not raised: what their kind would answer.
    ErrorCode.WORKER_LOST: INTERNAL_ERROR,
    ErrorCode.WORKER_MISSING: SERVICE_UNAVAILABLE,
    ErrorCode.TIME_LIMIT: INTERNAL_ERROR,
    ErrorCode.IMPORT_EXPIRED: CONFLICT,
    ErrorCode.IMPORT_RUNNING: CONFLICT,
    ErrorCode.IMPORT_NOT_WAITING: CONFLICT,
    ErrorCode.NOT_IMPORT_OWNER: PERMISSION_DENIED,
    ErrorCode.IMPORT_NOT_UNDOABLE: CONFLICT,
    ErrorCode.NO_REPORT: CONFLICT,
    ErrorCode.TOO_MANY_WAITING_IMPORTS: CONFLICT,
    ErrorCode.IMPORT_CHOICES_INVALID: INVALID_PARAMETER,
    ErrorCode.PACKAGE_INVALID: INVALID_PARAMETER,
    ErrorCode.PACKAGE_TOO_LARGE: INVALID_PARAMETER,
    ErrorCode.PACKAGE_CHANGED: INVALID_PARAMETER,
    ErrorCode.UPLOAD_MISSING: INVALID_PARAMETER,
    ErrorCode.FILE_UNREADABLE: INVALID_PARAMETER,
    ErrorCode.SOURCE_INVALID: INVALID_PARAMETER,
    ErrorCode.SOURCE_REQUIRED: INVALID_PARAMETER,
    ErrorCode.USER_DELETED: INVALID_PARAMETER,
    ErrorCode.PROFILE_NOT_FOUND: INVALID_PARAMETER,
    ErrorCode.PROFILE_EXISTS: CONFLICT,
    ErrorCode.PROFILE_TARGET_INVALID: INVALID_PARAMETER,
    ErrorCode.PROFILE_DOCUMENT_INVALID: INVALID_PARAMETER,
    ErrorCode.PROMOTION_NOT_FOUND: INVALID_PARAMETER,
    ErrorCode.PROMOTION_STATE: CONFLICT,
    ErrorCode.OWN_PROMOTION: PERMISSION_DENIED,
    ErrorCode.REMOTE_FAILED: SERVICE_UNAVAILABLE,
    ErrorCode.REWRITE_RULE_INVALID: INVALID_PARAMETER,
}


def domain_error_translate(exc: DomainError) -> DataArtsError:
    """A service's domain error as DataArts would answer it."""
    code = DATAARTS_CODES[exc.code]
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
        return Response(body(THROTTLED, "The throttling threshold has been reached."), status=429)
    if isinstance(exc, exceptions.APIException):
        return Response(body(INVALID_PARAMETER, str(exc.detail)), status=exc.status_code)
    logger.exception("Unhandled error in the DataArts v1 API")
    return Response(body(INTERNAL_ERROR, "Internal server error."), status=500)
