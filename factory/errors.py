"""Domain errors raised by services and selectors, with a stable ``code`` for clients to branch on.

The console API turns them into ``{"message", "code", "extra": {"fields": ...}}``; the DataArts API
into ``{"error_code": "DLF.xxxx", "error_msg": ...}``. Services never raise HTTP exceptions themselves.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    default_code = "invalid"

    def __init__(
        self, message: str, *, code: str | None = None, fields: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.fields = fields or {}


class ValidationError(DomainError):
    status = 400
    default_code = "invalid"


class NotFound(DomainError):
    """Also raised for objects of workspaces the user is not a member of, so that names do not leak."""

    status = 404
    default_code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    default_code = "permission_denied"


class Conflict(DomainError):
    status = 409
    default_code = "conflict"


class LockError(Conflict):
    default_code = "locked"


class PreconditionFailed(DomainError):
    """A save based on a stale revision (If-Match)."""

    status = 412
    default_code = "stale"


class ServiceUnavailable(DomainError):
    """A service the request needs (the task queue) is not reachable now; trying again later may work."""

    status = 503
    default_code = "unavailable"
