"""What an import's choices set in a job's document, as pure rewrites of it: the values of its parameters
and the time zone of its cron schedules. Shared by the import's plan (``factory.transfer.imports.plan``)
and by remote promotion (``factory.promotion.remote.plan``), which must write the same documents."""

from __future__ import annotations

from typing import Any


def job_params_set(document: dict[str, Any], values: dict[str, str]) -> None:
    """Set the values of the parameters named in ``values`` (only parameters the job has, as the import's
    ``params`` and ``jobsParam`` do); ``document`` is the caller's own top-level dict, its parameters may
    be shared with the package: those changed are copied."""
    params = document.get("params")
    if not values or not isinstance(params, list):
        return
    if any(isinstance(p, dict) and p.get("name") in values for p in params):
        document["params"] = [
            {**p, "value": values[p["name"]]} if isinstance(p, dict) and p.get("name") in values else p
            for p in params
        ]


def _cron_zone_set(cron: Any, zone: str) -> Any:
    if not isinstance(cron, dict) or cron.get("expressionTimeZone") == zone:
        return cron
    return {**cron, "expressionTimeZone": zone}


def schedule_time_zone_set(document: dict[str, Any], zone: str) -> dict[str, Any]:
    """``document`` (a job, the caller's own top-level dict) with every cron schedule in ``zone``: the
    job's ``schedule.cron`` and its nodes' ``cronTrigger``; what changes is copied, the rest shared."""
    if not zone:
        return document
    schedule = document.get("schedule")
    if isinstance(schedule, dict) and isinstance(schedule.get("cron"), dict):
        cron = _cron_zone_set(schedule["cron"], zone)
        if cron is not schedule["cron"]:
            document["schedule"] = {**schedule, "cron": cron}
    nodes = document.get("nodes")
    if isinstance(nodes, list) and any(
        isinstance(n, dict) and isinstance(n.get("cronTrigger"), dict) for n in nodes
    ):
        document["nodes"] = [
            {**n, "cronTrigger": _cron_zone_set(n["cronTrigger"], zone)}
            if isinstance(n, dict) and isinstance(n.get("cronTrigger"), dict)
            else n
            for n in nodes
        ]
    return document
