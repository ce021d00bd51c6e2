"""OBS errors, each with the DataArts error code the v1 API answers with."""

from __future__ import annotations

from typing import ClassVar

from factory.errors import DomainError


class ObsError(DomainError):
    status = 400
    default_code = "obs_error"

    # console code -> DataArts code
    DATAARTS_CODES: ClassVar[dict[str, str]] = {
        "obs_path_invalid": "DLF.0803",
        "obs_bucket_missing": "DLF.1242",
        "obs_read_failed": "DLF.0815",
        "obs_object_missing": "DLF.0815",
        "obs_write_failed": "DLF.0816",
        "obs_unavailable": "DLF.0815",
        "obs_too_large": "DLF.0815",
        "obs_path_forbidden": "DLF.0803",
        "obs_object_exists": "DLF.0816",
    }

    @property
    def dataarts_code(self) -> str:
        return self.DATAARTS_CODES.get(self.code, "DLF.0815")


class ObsObjectExists(ObsError):
    """An export would replace an object nobody asked to overwrite."""

    status = 409
    default_code = "obs_object_exists"
