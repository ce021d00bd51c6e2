"""Responses in DataArts' own camelCase shapes, field for field as ``huaweicloudsdkdgc.v1.model`` reads them.

Job, script and resource bodies are the stored documents themselves (unknown keys included), with the
few fields DataArts adds on reads. Plain functions: a DRF serializer would drop the unknown keys.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from factory.development.models import Job, Resource, ScheduleStatus, Script
from factory.transfer.models import SystemTask

# Keys of a create/update body that steer the request (review mode), never part of a stored definition.
REQUEST_ONLY_KEYS = ("targetStatus", "approvers")


def epoch_ms(value: datetime | None) -> int | None:
    return int(value.timestamp() * 1000) if value is not None else None


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def _without_none(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}


def job_status(job: Job) -> str:
    """DataArts' job status: batch jobs SCHEDULING | STOPPED, real-time jobs NORMAL | STOPPED."""
    if job.schedule_status != ScheduleStatus.SCHEDULING:
        return "STOPPED"
    return "NORMAL" if job.process_type == "REAL_TIME" else "SCHEDULING"


def _directory_path(obj: Job | Script | Resource) -> str:
    return obj.directory.path if obj.directory is not None else "/"


def job_result_data(job: Job) -> dict[str, Any]:
    """One row of ``GET /v1/{project_id}/jobs`` (the SDK's ``JobResult``)."""
    document = job.document or {}
    basic_config = document.get("basicConfig")
    basic = basic_config if isinstance(basic_config, dict) else {}
    priority = basic.get("priority", 0)
    return _without_none(
        {
            "name": job.name,
            "jobType": job.process_type,
            "owner": job.owner or _username(job.created_by),
            "priority": priority if isinstance(priority, int) else 0,
            "status": job_status(job),
            "createUser": _username(job.created_by),
            "createTime": epoch_ms(job.created_at),
            "lastUpdateTime": epoch_ms(job.updated_at),
            "lastUpdateUser": _username(job.updated_by),
            "path": _directory_path(job),
            "singleNodeJobFlag": bool(document.get("singleNodeJobFlag", False)),
        }
    )


def job_show_data(
    job: Job,
    *,
    document: dict[str, Any] | None = None,
    version: int | None = None,
    downstream: list | None = None,
) -> dict[str, Any]:
    """``GET jobs/{job_name}`` (the SDK's ``ShowJobResponse``): the definition plus what DataArts adds."""
    data = dict(document if document is not None else job.document or {})
    data.update(
        {
            "name": job.name,
            "directory": data.get("directory") or _directory_path(job),
            "id": job.pk,
            "createTime": epoch_ms(job.created_at),
            "lastUpdateUser": _username(job.updated_by) or data.get("lastUpdateUser"),
        }
    )
    if version is not None:
        data["version"] = str(version)
    if downstream is not None:
        data["downstreamJobs"] = downstream
    return _without_none(data)


def job_status_data(job: Job) -> dict[str, Any]:
    """``GET jobs/{job_name}/status`` (``ShowJobStatusResponse``). Nothing runs here, so node statuses
    follow the job's scheduling state."""
    status = job_status(job)
    nodes = [
        {"name": node.get("name"), "nodeType": node.get("type"), "status": status}
        for node in (job.document or {}).get("nodes") or []
        if isinstance(node, dict)
    ]
    created = epoch_ms(job.created_at)
    return _without_none(
        {
            "name": job.name,
            "status": status,
            "starttime": str(created) if created is not None else None,
            "lastUpdateTime": str(epoch_ms(job.updated_at)),
            "nodes": nodes if job.process_type == "REAL_TIME" else [],
            "createUser": _username(job.created_by),
            "lastModifiyUser": _username(job.updated_by),  # sic: the SDK's spelling
        }
    )


def script_info_data(script: Script, *, version: int | None = None) -> dict[str, Any]:
    """A script as ``ScriptInfo``: the definition plus ``id``, ``owner`` and ``version``."""
    data = dict(script.document or {})
    data.update(
        {
            "name": script.name,
            "id": str(script.pk),
            "directory": data.get("directory") or _directory_path(script),
            "owner": script.owner or _username(script.created_by),
        }
    )
    if version is not None:
        data["version"] = version
    for key in REQUEST_ONLY_KEYS:
        data.pop(key, None)
    return _without_none(data)


def resource_info_data(resource: Resource, *, job_names: list[str] | None = None) -> dict[str, Any]:
    """A resource as ``ResourceInfo``: the definition plus ``id`` (and ``jobRelation`` when asked)."""
    data = dict(resource.document or {})
    data.update(
        {
            "id": str(resource.pk),
            "name": resource.name,
            "type": resource.type,
            "location": resource.location,
            "directory": data.get("directory") or _directory_path(resource),
        }
    )
    data.setdefault("dependFiles", [])
    data.setdefault("desc", "")
    if job_names is not None:
        data["jobRelation"] = [{"relationType": "JOB", "taskName": name} for name in job_names]
    return data


def resource_definition(body: dict[str, Any]) -> dict[str, Any]:
    """A create/update body without the fields DataArts only returns (``id``, ``jobRelation``)."""
    return {key: value for key, value in body.items() if key not in ("id", "jobRelation")}


def system_task_status(status: str) -> str:
    """DataArts knows RUNNING | SUCCESSFUL | FAILED; a task not finished yet is RUNNING."""
    return status if status in ("SUCCESSFUL", "FAILED") else "RUNNING"


def system_task_data(task: SystemTask) -> dict[str, Any]:
    """``GET system-tasks/{task_id}`` (``ListSystemTasksResponse``) with a ``subtasks`` row per object."""
    return _without_none(
        {
            "id": task.public_id,
            "name": task.name,
            "projectId": task.workspace.project_id,
            "startTime": epoch_ms(task.started_at or task.created_at),
            "endTime": epoch_ms(task.ended_at),
            "lastUpdate": epoch_ms(task.updated_at),
            "status": system_task_status(task.status),
            "message": task.message or None,
            "subtasks": [
                _without_none(
                    {
                        "id": str(subtask.pk),
                        "name": subtask.name,
                        "lastUpdate": epoch_ms(subtask.updated_at),
                        "status": system_task_status(subtask.status),
                        "message": subtask.message or None,
                    }
                )
                for subtask in task.subtasks.all()
            ],
        }
    )


def file_info_data(inspection: dict[str, Any]) -> dict[str, Any]:
    """``POST jobs/check-file`` (``ShowFileInfoResponse``): the package's jobs with their parameters and its
    scripts; ``resources`` adds what the jobs refer to, ``status`` 1 when it exists here, 0 when not."""
    missing = {
        (group["kind"], ref["name"]) for group in inspection.get("missing", []) for ref in group["references"]
    }
    return {
        "jobs": [
            {
                "name": job["name"],
                "path": job["path"],
                "params": {param["name"]: param.get("value") for param in job.get("params") or []},
            }
            for job in inspection.get("jobs", [])
        ],
        "scripts": [
            {"name": script["name"], "path": script["path"]} for script in inspection.get("scripts", [])
        ],
        "resources": [
            {"name": name, "type": kind, "status": 0 if (kind, name) in missing else 1}
            for kind, names in sorted((inspection.get("references") or {}).items())
            if kind not in ("job", "environment_variable")
            for name in names
        ],
    }
