"""OBS (S3-compatible object storage) behind one small module: paths, the client, read, write, browse.

OBS speaks the S3 protocol; boto3 is configured once here with checksum calculation set to
``when_required`` (OBS rejects the newer default checksum headers) and path-style addressing.
"""

from factory.obs.client import obs_available, obs_client, obs_configured
from factory.obs.errors import ObsError
from factory.obs.objects import (
    obs_browse,
    obs_delete,
    obs_download_to,
    obs_exists,
    obs_multipart_abort_stale,
    obs_write_stream,
)
from factory.obs.paths import ObsPath, obs_path_parse

__all__ = [
    "ObsError",
    "ObsPath",
    "obs_available",
    "obs_browse",
    "obs_client",
    "obs_configured",
    "obs_delete",
    "obs_download_to",
    "obs_exists",
    "obs_multipart_abort_stale",
    "obs_path_parse",
    "obs_write_stream",
]
