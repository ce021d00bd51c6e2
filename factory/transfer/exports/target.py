"""Export to OBS: the object an export writes, refused when it exists unasked or its bucket is missing."""

from __future__ import annotations

from factory.errors import ErrorCode
from factory.obs import (
    ObsError,
    ObsObjectExists,
    ObsPath,
    obs_browse,
    obs_exists,
)
from factory.transfer.exports.selection import ExportSelection


def export_obs_target(selection: ExportSelection) -> ObsPath | None:
    """The OBS object the export writes (``<folder>/<DataArts file name>``), or None for no OBS path.

    Refuses (409) when an object of that name is there already and the user did not ask to overwrite it:
    checked when the export is asked for and again right before writing. (Between that last check and the
    upload's completion another writer could still slip in: S3 has no portable "create only" for multipart
    uploads. The window is the upload's duration; the allow-list bounds who could use it.)"""
    target = selection.obs_target
    if target is None or selection.request.obs_overwrite:
        return target
    if obs_exists(path=target):
        raise ObsObjectExists(
            f"{target} already exists; choose another folder, or ask to overwrite it.",
            fields={"obsOverwrite": ["The object exists: set to overwrite it."]},
        )
    return target


def obs_bucket_check(path: ObsPath) -> None:
    """Refuse a bucket that does not exist before writing: OBS would refuse the upload, but S3 servers
    such as SeaweedFS create a bucket on the first write, and an export must not conjure one up. Only
    "missing" is decided here; any other trouble (a credential that may write but not list) is left to
    the write itself to report."""
    try:
        obs_browse(path=f"obs://{path.bucket}/", limit=1)
    except ObsError as exc:
        if exc.code == ErrorCode.OBS_BUCKET_MISSING:
            raise ObsError(
                f"Cannot export to {path}: the OBS bucket {path.bucket!r} does not exist.",
                code=ErrorCode.OBS_BUCKET_MISSING,
            ) from exc
