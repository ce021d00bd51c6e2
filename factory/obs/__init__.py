"""OBS (S3-compatible object storage) behind one small module: paths, the client, read, write, browse.

OBS speaks the S3 protocol; boto3 is configured once here with checksum calculation set to
``when_required`` (OBS rejects the newer default checksum headers) and path-style addressing.
"""

from factory.obs.client import obs_available, obs_client, obs_configured
from factory.obs.errors import ObsError, ObsObjectExists
from factory.obs.objects import (
    obs_browse,
    obs_delete,
    obs_download_to,
    obs_exists,
    obs_multipart_abort_stale,
    obs_write_stream,
)
from factory.obs.paths import ObsPath, obs_path_parse
from factory.obs.scope import (
    ObsPathForbidden,
    ObsScope,
    obs_scope_allows,
    obs_scope_buckets,
    obs_scope_check,
    obs_scope_entries,
    obs_scope_parse,
    obs_scope_roots,
    obs_storage_location,
)

__all__ = [
    "ObsError",
    "ObsObjectExists",
    "ObsPath",
    "ObsPathForbidden",
    "ObsScope",
    "obs_available",
    "obs_browse",
    "obs_client",
    "obs_configured",
    "obs_delete",
    "obs_download_to",
    "obs_exists",
    "obs_multipart_abort_stale",
    "obs_path_parse",
    "obs_scope_allows",
    "obs_scope_buckets",
    "obs_scope_check",
    "obs_scope_entries",
    "obs_scope_parse",
    "obs_scope_roots",
    "obs_storage_location",
    "obs_write_stream",
]
