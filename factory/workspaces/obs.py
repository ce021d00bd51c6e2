"""The workspace's side of OBS: every user-given ``obs://`` path is checked here against the workspace's
allow-list (and kept out of the console's own storage) before anything reads, writes or lists it."""

from __future__ import annotations

from typing import Any

from factory.errors import ErrorCode
from factory.obs import (
    ObsPath,
    ObsScope,
    obs_browse,
    obs_client,
    obs_path_parse,
    obs_scope_buckets,
    obs_scope_check,
    obs_scope_entries,
    obs_scope_parse,
    obs_scope_roots,
)
from factory.obs.errors import ObsError
from factory.workspaces.models import Workspace


def workspace_obs_scope(*, workspace: Workspace) -> ObsScope:
    """The workspace's allow-list, parsed. A stored entry that no longer passes (the storage bucket was
    configured after it was allowed) is dropped rather than trusted."""
    entries = workspace.obs_allow_list if isinstance(workspace.obs_allow_list, list) else []
    kept = []
    for entry in entries:
        try:
            obs_scope_parse([entry])
        except ObsError:
            continue
        kept.append(entry)
    return obs_scope_parse(kept)


def workspace_obs_path(*, workspace: Workspace, value: str, field: str = "obsPath") -> ObsPath:
    """Parse a user's ``obs://`` path and refuse it (403, naming the list) unless the workspace may use it."""
    path = obs_path_parse(value.strip() if isinstance(value, str) else value, field=field)
    return obs_scope_check(
        workspace_obs_scope(workspace=workspace), path, workspace_name=workspace.name, field=field
    )


def workspace_obs_allow_list_normalize(*, entries: list[Any]) -> list[str]:
    """The allow-list an admin gave, checked and written the way it is stored (see ``factory.obs.scope``)."""
    if not isinstance(entries, list):
        raise ObsError("The OBS allow-list is a list of entries.", code=ErrorCode.OBS_ALLOW_LIST_INVALID)
    return obs_scope_entries(obs_scope_parse(entries))


def workspace_obs_browse(*, workspace: Workspace, path: str = "", limit: int = 1000) -> dict[str, Any]:
    """What the workspace may see of OBS: at the root, the buckets and folders its list allows; below, the
    folders and objects of an allowed folder (never the console's own storage)."""
    scope = workspace_obs_scope(workspace=workspace)
    if not path:
        existing: list[str] = []
        if scope.any_bucket:
            existing = obs_browse(path="").get("buckets", [])
        else:
            obs_client()  # a clear "OBS is not configured" before an empty answer
        return {
            "buckets": obs_scope_buckets(scope, existing=existing),
            "prefixes": obs_scope_roots(scope),
            "allowList": obs_scope_entries(scope),
        }
    folder = path if path.endswith("/") or "/" in path[len("obs://") :] else path + "/"
    where = obs_path_parse(folder, field="path")
    if not where.is_prefix:
        where = ObsPath(where.bucket, where.key + "/")
    obs_scope_check(scope, where, workspace_name=workspace.name, field="path")
    return obs_browse(path=str(where), limit=limit)
