"""The v1 API's export and import: DataArts' synchronous export and its one-call, asynchronous import
over the console's transfer services."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from django.contrib.auth.models import User

from factory.development.models import Category
from factory.development.nodes import DATAARTS_RESOURCE_TYPES
from factory.errors import ErrorCode
from factory.obs import ObsError, obs_configured, obs_exists, obs_write_stream
from factory.packages.write import package_file_name
from factory.transfer.exports import (
    JOBS_ONLY,
    WITH_DEPENDENCIES,
    ExportRequest,
    export_collect,
    export_obs_target,
    export_select,
    export_stream,
)
from factory.transfer.imports import (
    OVERWRITE,
    SKIP,
    ImportChoices,
    import_create_chained,
    stale_imports_fail,
)
from factory.transfer.models import SystemTask
from factory.transfer.selectors import DEVELOP, SUBMIT, system_task_get
from factory.workspaces.models import Workspace
from factory.workspaces.obs import workspace_obs_path


@dataclass(frozen=True)
class V1Export:
    """An export answered in the response (``stream``) or written to OBS (``location``)."""

    file_name: str
    stream: Iterator[bytes] | None = None
    location: str | None = None


EXPORT_STATUSES = {"DEVELOP": DEVELOP, "SUBMIT": SUBMIT}


def v1_jobs_export(
    *,
    workspace: Workspace,
    user: User,
    job_names: list[str],
    export_depend: bool,
    export_status: str,
    obs_path: str,
    batch: bool,
) -> V1Export:
    """``jobs/{name}/export`` (``batch=False``: ``DLF_<job>.zip``, flat layout) and ``jobs/batch-export``
    (``jobs.zip``, a folder per job, even for one job, as DataArts does).

    Everything is checked (names, statuses, the OBS path) and the first pass is done before the first
    byte, so errors are proper answers; the package itself is streamed. With ``obs_path`` the package is
    written to OBS here as ``<obsPath folder>/<file name>``, never replacing an object (DLF.0816).
    """
    request = ExportRequest(
        category=Category.JOB.value,
        job_names=tuple(job_names),
        scope=WITH_DEPENDENCIES if export_depend else JOBS_ONLY,
        status=EXPORT_STATUSES[export_status],
        obs_path=obs_path,
    )
    selection = export_select(workspace=workspace, request=request)
    if batch and selection.layout != "batch":
        selection = replace(selection, layout="batch", file_name=package_file_name(layout="batch"))
    contents = export_collect(selection=selection)
    chunks = export_stream(selection=selection, contents=contents, user=user)
    target = export_obs_target(selection) if selection.obs_path is not None else None
    if target is None:
        return V1Export(file_name=selection.file_name, stream=chunks)
    obs_write_stream(path=target, chunks=chunks)
    return V1Export(file_name=selection.file_name, location=str(target))


# --- import ------------------------------------------------------------------------------------------

SAME_NAME_POLICIES = {"SKIP": SKIP, "OVERWRITE": OVERWRITE}
IMPORT_TARGET_STATUSES = {"SAVED": "saved", "SUBMITTED": "submitted", "PRODUCTION": "submitted"}


def v1_import_choices(
    *,
    same_name_policy: str,
    params: dict[str, str],
    jobs_param: list[dict[str, Any]],
    resources: list[dict[str, str]],
    target_status: str,
) -> ImportChoices:
    """The import's choices from a v1 ``ImportFileReq``: ``resources`` {name, type, replace} become the
    mapping (``DWS_CONNECTION`` -> a DWS data connection, ``DLI_QUEUE`` -> a DLI queue, ...)."""
    mapping = {}
    for item in resources:
        kind, _connection_type = DATAARTS_RESOURCE_TYPES[item["type"]]
        mapping[(kind, item["name"])] = item["replace"]
    return ImportChoices(
        policy=SAME_NAME_POLICIES[same_name_policy],
        mapping=mapping,
        public_params=dict(params),
        job_params={entry["name"]: dict(entry.get("params") or {}) for entry in jobs_param},
        target_status=IMPORT_TARGET_STATUSES[target_status],
        # DataArts reports each object as its own subtask: one that fails does not stop the others.
        continue_on_error=True,
    )


def v1_import_start(*, workspace: Workspace, user: User, path: str, choices: ImportChoices) -> SystemTask:
    """``jobs/import``: the package must be readable in OBS now (DLF.0803 / DLF.0815 otherwise). Then the
    import runs as one chain (inspect, then apply ``choices``, fitted to the package as DataArts does):
    one task id for DataArts' one-call import."""
    obs_path = workspace_obs_path(workspace=workspace, value=path, field="path")
    if not obs_path.is_prefix and obs_configured() and not obs_exists(path=obs_path):
        raise ObsError(
            f"Fail to read OBS file: there is no object at {obs_path}.", code=ErrorCode.OBS_OBJECT_MISSING
        )
    return import_create_chained(workspace=workspace, user=user, obs_path=str(obs_path), choices=choices)


def v1_system_task_get(*, workspace: Workspace, user: User, task_id: str, is_admin: bool) -> SystemTask:
    """``system-tasks/{task_id}``: imports whose worker is gone are failed first, so that a poll ends."""
    stale_imports_fail(workspace_id=workspace.pk)
    return system_task_get(workspace=workspace, user=user, public_id=task_id, is_admin=is_admin)
