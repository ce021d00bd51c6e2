"""``obs://bucket/key`` paths as users type them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from factory.errors import ErrorCode
from factory.obs.errors import ObsError

# S3/OBS bucket naming: 3-63 chars, lowercase letters, digits, dots and hyphens, starting alphanumeric.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


@dataclass(frozen=True)
class ObsPath:
    bucket: str
    key: str  # may be "" (the bucket itself) or end with "/" (a prefix)

    def __str__(self) -> str:
        return f"obs://{self.bucket}/{self.key}"

    @property
    def is_prefix(self) -> bool:
        return self.key == "" or self.key.endswith("/")

    def child(self, name: str) -> ObsPath:
        prefix = self.key if self.is_prefix else self.key + "/"
        return ObsPath(self.bucket, prefix + name)


def obs_path_parse(value: str, *, field: str = "obsPath") -> ObsPath:
    """Parse ``obs://bucket/key``; refuse anything else with a message naming the value and the rule."""
    if not isinstance(value, str) or not value.startswith("obs://"):
        raise ObsError(
            f"{value!r} is not an OBS path: it must look like obs://bucket/folder/.",
            code=ErrorCode.OBS_PATH_INVALID,
            fields={field: "must start with obs://"},
        )
    rest = value[len("obs://") :]
    bucket, _, key = rest.partition("/")
    if not _BUCKET.match(bucket):
        raise ObsError(
            f"{value!r}: {bucket!r} is not a valid bucket name (3-63 lowercase letters, digits, dots, hyphens).",
            code=ErrorCode.OBS_PATH_INVALID,
            fields={field: "invalid bucket name"},
        )
    parts = key.split("/")
    if any(p in (".", "..") for p in parts) or "\\" in key or any(ord(c) < 32 for c in key) or "//" in key:
        raise ObsError(
            f"{value!r}: the key may not contain '.', '..', empty segments, backslashes or control characters.",
            code=ErrorCode.OBS_PATH_INVALID,
            fields={field: "invalid object key"},
        )
    if len(key.encode()) > 1024:
        raise ObsError(
            f"{value[:80]}...: the object key is longer than 1024 bytes.", code=ErrorCode.OBS_PATH_INVALID
        )
    return ObsPath(bucket, key)
