"""The v1 API's export and import: DataArts' synchronous export and its one-call, asynchronous import
over the console's transfer services."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from factory.development.models import Category
from factory.development.nodes import DATAARTS_RESOURCE_TYPES
from factory.errors import DomainError
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
    STEP_INSPECT,
    STEP_INSPECTED,
    import_apply,
    import_apply_request,
    import_create,
    import_params_names,
    import_params_with_values,
    import_secrets_pack,
    import_secrets_unpack,
    stale_imports_fail,
    task_fail,
)
from factory.transfer.lifecycle import QUEUE_UNAVAILABLE, QUEUE_UNAVAILABLE_MESSAGE, queue_send
from factory.transfer.models import SystemTask, TaskStatus
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
# The key of the task's params that keeps a v1 import's choices until its inspection is done.
V1_CHOICES = "v1Choices"


def v1_jobs_export(
    *,
    workspace: Workspace,
    user: AbstractBaseUser,
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
    if selection.obs_path is None:
        return V1Export(file_name=selection.file_name, stream=chunks)
    target = export_obs_target(selection)
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
) -> dict[str, Any]:
    """The import wizard's choices from a v1 ``ImportFileReq``: ``resources`` {name, type, replace} become
    the mapping (``DWS_CONNECTION`` -> a DWS data connection, ``DLI_QUEUE`` -> a DLI queue, ...)."""
    mapping = []
    for item in resources:
        kind, _connection_type = DATAARTS_RESOURCE_TYPES[item["type"]]
        mapping.append({"kind": kind, "name": item["name"], "replace": item["replace"]})
    return {
        "policy": SAME_NAME_POLICIES[same_name_policy],
        "mapping": mapping,
        "publicParams": dict(params),
        "jobParams": {entry["name"]: dict(entry.get("params") or {}) for entry in jobs_param},
        "targetStatus": IMPORT_TARGET_STATUSES[target_status],
        # DataArts reports each object as its own subtask: one that fails does not stop the others.
        "continueOnError": True,
    }


def v1_import_start(
    *, workspace: Workspace, user: AbstractBaseUser, path: str, choices: dict[str, Any]
) -> SystemTask:
    """``jobs/import``: the package must be readable in OBS now (DLF.0803 / DLF.0815 otherwise). Then the
    import's system task is created (its ``import_inspect`` task queued, as for the wizard) with
    ``choices`` in it (``v1_import_choices_store``), and ``v1_import_continue`` is queued with the task's
    id to apply them once the inspection is done: one task id for DataArts' one-call import."""
    obs_path = workspace_obs_path(workspace=workspace, value=path, field="path")
    if not obs_path.is_prefix and obs_configured() and not obs_exists(path=obs_path):
        raise ObsError(f"Fail to read OBS file: there is no object at {obs_path}.", code="obs_object_missing")
    with transaction.atomic():
        task = import_create(
            workspace=workspace, user=user, category="job", policy=choices["policy"], obs_path=str(obs_path)
        )
        v1_import_choices_store(task=task, choices=choices)
        transaction.on_commit(partial(_v1_import_enqueue, task.pk))
    return task


def v1_import_choices_store(*, task: SystemTask, choices: dict[str, Any]) -> None:
    """Keep the v1 import's ``choices`` in its task row until the inspection is done: the parameters by
    name in ``params`` and their values (masked ones among them) only encrypted, as the wizard's step 2
    keeps them. Never in the Celery message, which sits in the broker in clear."""
    task.params = {**task.params, V1_CHOICES: import_params_names(params=choices)}
    task.secrets_encrypted = import_secrets_pack(
        public_params=choices.get("publicParams"), job_params=choices.get("jobParams")
    )
    task.save(update_fields=["params", "secrets_encrypted", "updated_at"])


def _v1_choices(task: SystemTask) -> dict[str, Any]:
    """The choices ``v1_import_choices_store`` kept, with their parameter values."""
    return import_params_with_values(
        params=task.params.get(V1_CHOICES) or {},
        values=import_secrets_unpack(ciphertext=task.secrets_encrypted),
    )


def _v1_import_enqueue(task_id: int) -> None:
    from factory.dataarts import tasks  # the tasks module imports the services

    queue_send(
        partial(tasks.v1_import_continue.delay, task_id),
        on_failure=partial(
            task_fail, task_id=task_id, message=QUEUE_UNAVAILABLE_MESSAGE, code=QUEUE_UNAVAILABLE
        ),
        what=f"the v1 import {task_id}",
    )


def _choices_for(inspection: dict[str, Any], choices: dict[str, Any]) -> dict[str, Any]:
    """DataArts ignores remaps of names the package does not use; the wizard would refuse them. And
    DataArts imports a job whose script or cloud object (DLI queue, DIS stream, ...) is missing and
    fails it when it is scheduled: such a reference nobody remapped is left unresolved, as the wizard's
    "leave unresolved" does (a missing data connection, resource or sub-job still fails the task)."""
    referenced = {kind: set(names) for kind, names in (inspection.get("references") or {}).items()}
    mapping = [m for m in choices.get("mapping") or [] if m["name"] in referenced.get(m["kind"], set())]
    mapped = {(m["kind"], m["name"]) for m in mapping}
    for group in inspection.get("missing") or []:
        if not group.get("canLeaveUnresolved"):
            continue
        for ref in group["references"]:
            if (group["kind"], ref["name"]) not in mapped:
                mapping.append({"kind": group["kind"], "name": ref["name"], "unresolved": True})
    return {**choices, "mapping": mapping}


def v1_import_continue(*, task_id: int) -> bool:
    """The v1 import's second half: once the package is inspected, apply the choices ``v1_import_start``
    kept in the task row and import.

    False while the inspection is still queued or running (call again later); it never runs the inspect
    itself, so that a second delivery cannot run it twice. A worker lost meanwhile fails the task
    (the imports' safety net), which ends the wait. Choices the inspection refuses (a missing reference
    nobody remapped, an unknown parameter) fail the task with the message naming them, as the wizard's
    Next button would show it. Safe to run again: the apply claims the task row first.
    """
    task = SystemTask.objects.select_related("workspace", "created_by").filter(pk=task_id).first()
    if task is None or task.status in (TaskStatus.SUCCESSFUL, TaskStatus.FAILED):
        return True
    if task.step == STEP_INSPECT:
        stale_imports_fail(workspace_id=task.workspace_id)
        return False
    if task.status == TaskStatus.WAITING and task.step == STEP_INSPECTED:
        inspection = (task.result or {}).get("inspection") or {}
        try:
            import_apply_request(
                task=task,
                user=task.created_by,
                choices=_choices_for(inspection, _v1_choices(task)),
                enqueue=False,
            )
        except DomainError as exc:
            task_fail(task_id=task.pk, message=exc.message, code=exc.code, detail={"fields": exc.fields})
            return True
    import_apply(task_id=task_id)
    return True


def v1_system_task_get(
    *, workspace: Workspace, user: AbstractBaseUser, task_id: str, is_admin: bool
) -> SystemTask:
    """``system-tasks/{task_id}``: imports whose worker is gone are failed first, so that a poll ends."""
    stale_imports_fail(workspace_id=workspace.pk)
    return system_task_get(workspace=workspace, user=user, public_id=task_id, is_admin=is_admin)
