"""Which ``obs://`` paths a workspace may use: its allow-list, and the console's own storage, never reachable.

A workspace's allow-list is a list of entries, each ``*`` (any bucket but the console's storage bucket),
``bucket`` (that whole bucket) or ``bucket/folder/`` (that folder and everything below it). With
``OBS_BUCKET`` set, uploads and Download Center packages live in that bucket under ``OBS_STORAGE_PREFIX``
and are read and written with the same credentials as user paths: whatever a list says, no user path may
reach that prefix, and ``*`` does not cover the storage bucket at all (an admin may still allow a folder
of it outside the prefix, by naming it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from factory.errors import ErrorCode
from factory.obs.errors import ObsError
from factory.obs.paths import _BUCKET, ObsPath, obs_path_parse

ANY_BUCKET = "*"
MAX_ENTRIES = 100


class ObsPathForbidden(ObsError):
    """A path outside the workspace's allow-list, or inside the console's own storage."""

    status = 403
    default_code = ErrorCode.OBS_PATH_FORBIDDEN


@dataclass(frozen=True)
class ObsScope:
    """A parsed allow-list: ``any_bucket`` for ``*``, else the (bucket, folder prefix) pairs; a prefix of
    ``""`` is the whole bucket."""

    any_bucket: bool
    entries: tuple[tuple[str, str], ...]

    @property
    def empty(self) -> bool:
        return not self.any_bucket and not self.entries

    def describe(self) -> str:
        if self.any_bucket:
            return "any bucket but the console's own storage"
        if not self.entries:
            return "no OBS location"
        return ", ".join(f"obs://{bucket}/{prefix}" for bucket, prefix in self.entries)


def obs_storage_location() -> tuple[str, str] | None:
    """The console's own storage bucket and key prefix (``folder/``), when ``OBS_BUCKET`` puts it in OBS."""
    bucket = getattr(settings, "OBS_BUCKET", "")
    if not bucket:
        return None
    prefix = str(getattr(settings, "OBS_STORAGE_PREFIX", "")).strip("/")
    return bucket, f"{prefix}/" if prefix else ""


def _in_storage(bucket: str, key: str) -> bool:
    storage = obs_storage_location()
    if storage is None or bucket != storage[0]:
        return False
    return key.startswith(storage[1]) or (key + "/").startswith(storage[1])


def _entry_parse(raw: object, *, index: int) -> tuple[str, str] | None:
    """One entry as (bucket, prefix), or None for ``*``; a clear error naming the entry otherwise."""
    field = f"entries[{index}]"
    if not isinstance(raw, str) or not raw.strip():
        raise ObsError(
            f"Allow-list entry {index + 1} is empty: give '*', a bucket or bucket/folder/.",
            code=ErrorCode.OBS_ALLOW_LIST_INVALID,
            fields={field: "empty"},
        )
    text = raw.strip()
    if text == ANY_BUCKET:
        return None
    if text.startswith("obs://"):
        text = text[len("obs://") :]
    bucket, _, folder = text.partition("/")
    if not _BUCKET.match(bucket):
        raise ObsError(
            f"Allow-list entry {raw!r}: {bucket!r} is not a valid bucket name "
            "(3-63 lowercase letters, digits, dots, hyphens).",
            code=ErrorCode.OBS_ALLOW_LIST_INVALID,
            fields={field: "invalid bucket name"},
        )
    prefix = folder.strip("/")
    if prefix:
        try:
            obs_path_parse(f"obs://{bucket}/{prefix}/", field=field)
        except ObsError as exc:
            raise ObsError(
                f"Allow-list entry {raw!r}: {exc.message}",
                code=ErrorCode.OBS_ALLOW_LIST_INVALID,
                fields={field: exc.fields},
            ) from exc
        prefix += "/"
    storage = obs_storage_location()
    if storage is not None and bucket == storage[0] and (prefix == "" or _in_storage(bucket, prefix)):
        where = f"obs://{storage[0]}/{storage[1]}"
        raise ObsError(
            f"Allow-list entry {raw!r} would reach the console's own storage ({where}): allow another "
            "bucket, or a folder of this one outside that prefix.",
            code=ErrorCode.OBS_ALLOW_LIST_INVALID,
            fields={field: "reaches the console's own storage"},
        )
    return bucket, prefix


def obs_scope_parse(entries: Iterable[object]) -> ObsScope:
    """Check and normalise an allow-list as an admin gives it (``obs://`` optional, folders end in ``/``,
    duplicates dropped). Refuses, naming the entry, anything that is not ``*``, a bucket or a folder, and
    any entry that would reach the console's own storage."""
    items = list(entries)
    if len(items) > MAX_ENTRIES:
        raise ObsError(
            f"An allow-list holds at most {MAX_ENTRIES} entries; this one has {len(items)}.",
            code=ErrorCode.OBS_ALLOW_LIST_INVALID,
            fields={"entries": f"at most {MAX_ENTRIES}"},
        )
    any_bucket = False
    pairs: dict[tuple[str, str], None] = {}
    for index, raw in enumerate(items):
        pair = _entry_parse(raw, index=index)
        if pair is None:
            any_bucket = True
        else:
            pairs[pair] = None
    return ObsScope(any_bucket=any_bucket, entries=tuple(pairs))


def obs_scope_entries(scope: ObsScope) -> list[str]:
    """The allow-list as stored and shown: ``*`` first, then ``bucket`` or ``bucket/folder/``."""
    return ([ANY_BUCKET] if scope.any_bucket else []) + [
        f"{bucket}/{prefix}" if prefix else bucket for bucket, prefix in scope.entries
    ]


def obs_scope_allows(scope: ObsScope, path: ObsPath) -> bool:
    """Whether ``path`` (an object, or a folder to browse) is inside the scope and outside the storage."""
    if _in_storage(path.bucket, path.key):
        return False
    storage = obs_storage_location()
    if scope.any_bucket and not (storage is not None and path.bucket == storage[0]):
        return True
    return any(path.bucket == bucket and path.key.startswith(prefix) for bucket, prefix in scope.entries)


def obs_scope_check(
    scope: ObsScope, path: ObsPath, *, workspace_name: str, field: str = "obsPath"
) -> ObsPath:
    """``path`` when the scope allows it; otherwise a 403 that says what the workspace may use."""
    if _in_storage(path.bucket, path.key):
        raise ObsPathForbidden(
            f"{path} is inside the console's own storage, which no OBS path may reach.",
            fields={field: "the console's own storage"},
        )
    if not obs_scope_allows(scope, path):
        if scope.empty:
            text = f"Workspace {workspace_name} may not use OBS (its OBS allow-list is empty)"
        else:
            text = f"{path} is outside the OBS allow-list of workspace {workspace_name} ({scope.describe()})"
        raise ObsPathForbidden(
            f"{text}; a workspace admin can change the list.", fields={field: "outside the OBS allow-list"}
        )
    return path


def obs_scope_roots(scope: ObsScope) -> list[str]:
    """The folders of a prefix-only list, as the browser's starting points (``obs://bucket/folder/``)."""
    return [f"obs://{bucket}/{prefix}" for bucket, prefix in scope.entries if prefix]


def obs_scope_buckets(scope: ObsScope, *, existing: Iterable[str]) -> list[str]:
    """The buckets the browser lists at its root: every existing bucket but the storage one for ``*``,
    and the whole buckets the list names."""
    storage = obs_storage_location()
    named = {bucket for bucket, prefix in scope.entries if not prefix}
    if scope.any_bucket:
        named |= {b for b in existing if storage is None or b != storage[0]}
    return sorted(named)
