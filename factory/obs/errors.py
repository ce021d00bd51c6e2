"""OBS errors (their DataArts codes, for the v1 API, are factory.dataarts.errors's to know)."""

from __future__ import annotations

from factory.errors import DomainError, ErrorCode


class ObsError(DomainError):
    status = 400
    default_code = ErrorCode.OBS_ERROR


class ObsObjectExists(ObsError):
    """An export would replace an object nobody asked to overwrite."""

    status = 409
    default_code = ErrorCode.OBS_OBJECT_EXISTS
