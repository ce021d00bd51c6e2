"""Domain errors raised by services and selectors, with a stable ``code`` for clients to branch on.

The console API turns them into ``{"message", "code", "extra": {"fields": ...}}``; the DataArts API
into ``{"error_code": "DLF.xxxx", "error_msg": ...}`` (``factory.dataarts.errors.DATAARTS_CODES``, keyed by
``ErrorCode``). Services never raise HTTP exceptions themselves.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar


class ErrorCode(StrEnum):
    """Every ``code`` the console answers with: in the API's error envelope, and in a failed task's
    ``result.error`` (beside the package format's own codes, ``zip.*``, ``schema.*``, ...). The values are
    the wire format: clients branch on them, so a value never changes."""

    # The classes' defaults, and what DRF answers itself (its exceptions' default codes).
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    CONFLICT = "conflict"
    LOCKED = "locked"
    STALE = "stale"  # a save based on a stale revision (If-Match)
    UNAVAILABLE = "unavailable"
    ERROR = "error"  # DRF's generic APIException
    PARSE_ERROR = "parse_error"
    AUTHENTICATION_FAILED = "authentication_failed"
    NOT_AUTHENTICATED = "not_authenticated"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    THROTTLED = "throttled"
    # The HTTP layer.
    INTERNAL_ERROR = "internal_error"  # a bug or an outage, logged
    REQUEST_TOO_LARGE = "request_too_large"
    LENGTH_REQUIRED = "length_required"
    LOGIN_LOCKED_OUT = "login_locked_out"  # too many failed logins (django-axes)
    # Workspaces, members and access keys.
    WORKSPACE_NOT_FOUND = "workspace_not_found"  # also a workspace the user is not a member of
    WORKSPACE_EXISTS = "workspace_exists"
    ROLE_REQUIRED = "role_required"  # the member's role is too low for the operation
    STAFF_REQUIRED = "staff_required"
    INVALID_NAME = "invalid_name"  # of a workspace or a data connection
    INVALID_ROLE = "invalid_role"
    INVALID_LOCK_POLICY = "invalid_lock_policy"
    LAST_ADMIN = "last_admin"  # the change would leave the workspace without an admin
    MEMBER_NOT_FOUND = "member_not_found"
    USER_NOT_FOUND = "user_not_found"
    ACCESS_KEY_NOT_FOUND = "access_key_not_found"
    INVALID_CREDENTIALS = "invalid_credentials"
    # The directory tree, jobs and scripts.
    DIRECTORY_NOT_FOUND = "directory_not_found"
    DIRECTORY_EXISTS = "directory_exists"
    DIRECTORY_NOT_EMPTY = "directory_not_empty"
    LIMIT = "limit"  # the workspace holds as many directories as it may
    JOB_NOT_FOUND = "job_not_found"
    JOB_EXISTS = "job_exists"
    SCRIPT_NOT_FOUND = "script_not_found"
    SCRIPT_EXISTS = "script_exists"
    VERSION_NOT_FOUND = "version_not_found"
    JOB_SCHEDULING = "job_scheduling"  # the job is scheduled: stop its scheduling first
    NOT_SUBMITTED = "not_submitted"  # the job has no submitted version to schedule
    NODES_EMPTY = "nodes_empty"
    INVALID_SCHEDULE = "invalid_schedule"  # the job's schedule or a real-time node's cronTrigger
    SELECTION_EMPTY = "selection_empty"
    SELECTION_CONFLICT = "selection_conflict"  # ids or directories both selected and excluded
    # Data connections, resources, external objects and environment variables.
    CONNECTION_NOT_FOUND = "connection_not_found"
    CONNECTION_EXISTS = "connection_exists"
    INVALID_TYPE = "invalid_type"  # of a data connection
    INVALID_KIND = "invalid_kind"  # of an external object
    SECRET_IN_CONFIG = "secret_in_config"  # a secret given in the clear part of a connection's settings
    EXTERNAL_OBJECT_NOT_FOUND = "external_object_not_found"
    EXTERNAL_OBJECT_EXISTS = "external_object_exists"
    RESOURCE_NOT_FOUND = "resource_not_found"
    RESOURCE_EXISTS = "resource_exists"
    RESOURCE_REFERENCED = "resource_referenced"  # jobs use it: it cannot be deleted
    ENVIRONMENT_VARIABLE_NOT_FOUND = "environment_variable_not_found"
    ENVIRONMENT_VARIABLE_EXISTS = "environment_variable_exists"
    VALUE_REQUIRED = "value_required"  # unmasking a variable needs its value again
    # OBS.
    OBS_ERROR = "obs_error"
    OBS_PATH_INVALID = "obs_path_invalid"
    OBS_PATH_FORBIDDEN = "obs_path_forbidden"  # outside the workspace's OBS allow-list
    OBS_ALLOW_LIST_INVALID = "obs_allow_list_invalid"
    OBS_BUCKET_MISSING = "obs_bucket_missing"
    OBS_OBJECT_MISSING = "obs_object_missing"
    OBS_OBJECT_EXISTS = "obs_object_exists"  # an export would replace an object nobody asked to overwrite
    OBS_READ_FAILED = "obs_read_failed"
    OBS_WRITE_FAILED = "obs_write_failed"
    OBS_UNAVAILABLE = "obs_unavailable"
    OBS_TOO_LARGE = "obs_too_large"
    # Exports and the Download Center.
    EXPORT_EMPTY = "export_empty"
    EXPORT_CONFLICT = "export_conflict"  # objects or directories both selected and excluded
    EXPORT_TOO_LARGE = "export_too_large"
    EXPORT_INVALID_DOCUMENT = "export_invalid_document"
    EXPORT_RUNNING = "export_running"
    NEVER_SUBMITTED = "never_submitted"  # a submitted version was asked for, and there is none
    INVALID_OUT = "invalid_out"  # the command's output file cannot be written
    DOWNLOAD_NOT_FOUND = "download_not_found"
    DOWNLOAD_DELETED = "download_deleted"
    DOWNLOAD_GONE = "download_gone"  # its file is gone from storage
    DOWNLOAD_IN_OBS = "download_in_obs"  # it was written to OBS: nothing to download here
    # Imports and background tasks.
    TASK_NOT_FOUND = "task_not_found"
    QUEUE_UNAVAILABLE = "queue_unavailable"
    WORKER_LOST = "worker_lost"
    WORKER_MISSING = "worker_missing"  # no worker picked the task up
    TIME_LIMIT = "time_limit"  # the task ran past CELERY_TASK_SOFT_TIME_LIMIT
    IMPORT_EXPIRED = "import_expired"  # it waited for the user's choices too long
    IMPORT_RUNNING = "import_running"
    IMPORT_NOT_WAITING = "import_not_waiting"  # it is not waiting for choices (any more)
    NOT_IMPORT_OWNER = "not_import_owner"
    IMPORT_NOT_UNDOABLE = "import_not_undoable"  # not finished, recorded nothing, or undone already
    NO_REPORT = "no_report"
    TOO_MANY_WAITING_IMPORTS = "too_many_waiting_imports"
    IMPORT_CHOICES_INVALID = "import_choices_invalid"
    PACKAGE_INVALID = "package_invalid"  # the package format's own code is in the error's fields
    PACKAGE_TOO_LARGE = "package_too_large"
    PACKAGE_CHANGED = "package_changed"  # not the package the inspection read
    UPLOAD_MISSING = "upload_missing"
    FILE_UNREADABLE = "file_unreadable"
    SOURCE_INVALID = "source_invalid"
    SOURCE_REQUIRED = "source_required"
    USER_DELETED = "user_deleted"  # the user who started the import no longer exists
    # Environment profiles (promotion).
    PROFILE_NOT_FOUND = "profile_not_found"
    PROFILE_EXISTS = "profile_exists"
    PROFILE_TARGET_INVALID = "profile_target_invalid"  # not a workspace of the user's, or the source itself
    PROFILE_DOCUMENT_INVALID = "profile_document_invalid"  # a file to import that is no profile document
    REWRITE_RULE_INVALID = "rewrite_rule_invalid"  # a text rewrite rule that cannot be used (its field named)
    PROMOTION_NOT_FOUND = "promotion_not_found"
    PROMOTION_STATE = "promotion_state"  # not in the state the operation needs (approve, reject, apply)
    OWN_PROMOTION = "own_promotion"  # nobody approves or rejects their own promotion
    REMOTE_FAILED = "remote_failed"  # a remote target's v1 API could not be used (network, 401, refusal)


class DomainError(Exception):
    status = 400
    default_code: ClassVar[ErrorCode] = ErrorCode.INVALID

    def __init__(
        self, message: str, *, code: ErrorCode | None = None, fields: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code: ErrorCode = code or self.default_code
        self.fields = fields or {}


class ValidationError(DomainError):
    status = 400
    default_code = ErrorCode.INVALID


class NotFound(DomainError):
    """Also raised for objects of workspaces the user is not a member of, so that names do not leak."""

    status = 404
    default_code = ErrorCode.NOT_FOUND


class PermissionDenied(DomainError):
    status = 403
    default_code = ErrorCode.PERMISSION_DENIED


class Conflict(DomainError):
    status = 409
    default_code = ErrorCode.CONFLICT


class LockError(Conflict):
    default_code = ErrorCode.LOCKED


class PreconditionFailed(DomainError):
    """A save based on a stale revision (If-Match)."""

    status = 412
    default_code = ErrorCode.STALE


class ServiceUnavailable(DomainError):
    """A service the request needs (the task queue) is not reachable now; trying again later may work."""

    status = 503
    default_code = ErrorCode.UNAVAILABLE
