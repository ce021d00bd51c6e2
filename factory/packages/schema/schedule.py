"""Validation of a job's schedule as DataArts checks it: the Quartz cron expression, ``intervalType``,
start and end time, the jobs it depends on, the event it waits for; and a real-time node's
``cronTrigger``. DataArts refuses a bad schedule with ``DLF.3025``; here the error names the field.

Only documented fields are checked (``huaweicloudsdkdgc.v1.model`` ``Schedule``, ``Cron``, ``DependJob``,
``Event``, ``CronTrigger``); unknown keys are allowed and left untouched.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

from factory.packages.limits import Limits
from factory.packages.names import JOB_NAME_EXTRA
from factory.packages.schema.common import (
    as_list,
    as_object,
    as_str,
    at,
    check_enum,
    check_int_range,
    check_name,
    fail,
    required,
    shown,
    wrong_type,
)

INTERVAL_TYPES = ("minutes", "hours", "days", "weeks", "months", "seasons", "years")
DEPEND_PERIODS = ("SAME_PERIOD", "PRE_PERIOD")
DEPEND_FAIL_POLICIES = ("FAIL", "IGNORE", "SUSPEND")
EVENT_TYPES = ("KAFKA", "DIS", "OBS")
EVENT_FAIL_POLICIES = ("SUSPEND", "IGNORE")
READ_POLICIES = ("LAST", "NEW")
MAX_EXPRESSION = 256
CODE = "schema.invalid_schedule"

_MONTHS = {m: i + 1 for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())}
_DAYS = {d: i + 1 for i, d in enumerate("SUN MON TUE WED THU FRI SAT".split())}
# Quartz's fields: name, low, high, names. The year is optional.
_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("second", 0, 59, {}),
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, _MONTHS),
    ("day of week", 1, 7, _DAYS),
    ("year", 1970, 2099, {}),
)
# yyyy-MM-dd'T'HH:mm:ssZ, the zone as DataArts writes it: +08, +0800, +08:00 or Z.
_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(Z|[+-]\d{2}(?::?\d{2})?)?$"
)


def cron_expression_problem(expression: str) -> str | None:
    """Why ``expression`` is not a Quartz cron expression (``<sec> <min> <hour> <day> <month> <week>
    [<year>]``), or ``None``."""
    parts = expression.split()
    if len(parts) not in (6, 7):
        return (
            f"{shown(expression)} has {len(parts)} field(s); a Quartz cron expression has 6 or 7: "
            "<second> <minute> <hour> <day of month> <month> <day of week> [<year>]"
        )
    for part, (name, low, high, names) in zip(parts, _FIELDS, strict=False):
        problem = _field_problem(part, name=name, low=low, high=high, names=names)
        if problem:
            return f"{shown(expression)}: the {name} field {shown(part)} {problem}"
    day, week = parts[3], parts[5]
    if (day == "?") == (week == "?"):
        return (
            f"{shown(expression)}: exactly one of day of month and day of week must be '?' "
            f"(here {shown(day)} and {shown(week)})"
        )
    return None


def _value(text: str, *, low: int, high: int, names: dict[str, int]) -> int | None:
    value = names.get(text.upper()) if names else None
    if value is None and text.isdigit() and len(text) <= 4:
        value = int(text)
    return value if value is not None and low <= value <= high else None


def _field_problem(part: str, *, name: str, low: int, high: int, names: dict[str, int]) -> str | None:
    if part == "?":
        return None if name in ("day of month", "day of week") else "may not be '?'"
    bounds = f"must be *, ?, a value from {low} to {high}, a range a-b, a step x/n or a list of them"
    for item in part.split(","):
        if name == "day of month" and re.fullmatch(r"L(-\d{1,2})?|LW|\d{1,2}W", item):
            number = re.sub(r"\D", "", item)
            if not number or 1 <= int(number) <= 31 - (0 if item[0] != "L" else 1):
                continue
            return bounds
        if name == "day of week" and re.fullmatch(r"L|[1-7A-Za-z]{1,3}(L|#[1-5])", item):
            head = re.match(r"^[^L#]+", item)
            if head is None or _value(head.group(0), low=1, high=7, names=names) is not None:
                continue
            return bounds
        base, slash, step = item.partition("/")
        if slash and (not step.isdigit() or not 1 <= int(step) <= high):
            return f"has a step {shown(step)} that is not a number from 1 to {high}"
        if base == "*":
            continue
        start, dash, end = base.partition("-")
        if _value(start, low=low, high=high, names=names) is None:
            return bounds
        if dash and _value(end, low=low, high=high, names=names) is None:
            return bounds
    return None


def time_parse(value: str) -> datetime | None:
    """A DataArts schedule time (``2018-10-22T23:59:59+08``), or ``None`` when it is not one."""
    match = _TIME.match(value)
    if match is None:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        offset = timedelta(0)
        if zone and zone != "Z":
            digits = zone[1:].replace(":", "")
            offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
            offset = -offset if zone[0] == "-" else offset
        return datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=timezone(offset)
        )
    except ValueError:
        return None


def _flag(value: Any, *, field: str) -> None:
    if not (isinstance(value, bool) or (isinstance(value, str) and value.lower() in ("true", "false"))):
        wrong_type(field=field, expected="true or false", value=value)


def _depend_jobs_check(value: Any, *, field: str, limits: Limits) -> None:
    depend = as_object(value, field=field)
    if "jobs" in depend and depend["jobs"] is not None:
        for index, name in enumerate(as_list(depend["jobs"], field=at(field, "jobs"))):
            check_name(
                name,
                field=at(at(field, "jobs"), index),
                what="job name",
                extra=JOB_NAME_EXTRA,
                max_length=limits.max_name_length,
            )
    if depend.get("sameWorkSpaceJobs") is not None:
        same = at(field, "sameWorkSpaceJobs")
        for index, item in enumerate(as_list(depend["sameWorkSpaceJobs"], field=same)):
            item_field = at(same, index)
            item = as_object(item, field=item_field)
            check_name(
                required(item, "jobName", prefix=item_field),
                field=at(item_field, "jobName"),
                what="job name",
                extra=JOB_NAME_EXTRA,
                max_length=limits.max_name_length,
            )
    if depend.get("dependPeriod") is not None:
        check_enum(depend["dependPeriod"], field=at(field, "dependPeriod"), allowed=DEPEND_PERIODS)
    if depend.get("dependFailPolicy") is not None:
        check_enum(
            depend["dependFailPolicy"], field=at(field, "dependFailPolicy"), allowed=DEPEND_FAIL_POLICIES
        )


def cron_check(value: Any, *, field: str, limits: Limits) -> None:
    """A ``cron`` object (a schedule's, or a real-time node's ``cronTrigger``)."""
    cron = as_object(value, field=field)
    if cron.get("expression") is not None:
        expression = as_str(cron["expression"], field=at(field, "expression"))
        if len(expression) > MAX_EXPRESSION:
            fail(code=CODE, field=at(field, "expression"), message="the cron expression is too long")
        problem = cron_expression_problem(expression)
        if problem:
            fail(code=CODE, field=at(field, "expression"), message=f"{problem}")
    times: dict[str, datetime] = {}
    for key in ("startTime", "endTime"):
        if cron.get(key) not in (None, ""):
            text = as_str(cron[key], field=at(field, key))
            parsed = time_parse(text)
            if parsed is None:
                fail(
                    code=CODE,
                    field=at(field, key),
                    message=f"{shown(text)} is not a time such as 2018-10-22T23:59:59+08 "
                    "(yyyy-MM-dd'T'HH:mm:ssZ)",
                )
            times[key] = parsed
    if len(times) == 2 and times["endTime"] < times["startTime"]:
        fail(
            code=CODE,
            field=at(field, "endTime"),
            message=f"the end time {cron['endTime']} is before the start time {cron['startTime']}",
        )
    if cron.get("intervalType") is not None:
        check_enum(cron["intervalType"], field=at(field, "intervalType"), allowed=INTERVAL_TYPES)
    if cron.get("expressionTimeZone") is not None:
        as_str(cron["expressionTimeZone"], field=at(field, "expressionTimeZone"))
    if cron.get("dependPrePeriod") is not None:
        _flag(cron["dependPrePeriod"], field=at(field, "dependPrePeriod"))
    if cron.get("dependJobs") is not None:
        _depend_jobs_check(cron["dependJobs"], field=at(field, "dependJobs"), limits=limits)
    if cron.get("period") is not None:
        as_str(cron["period"], field=at(field, "period"))


def _event_check(value: Any, *, field: str) -> None:
    event = as_object(value, field=field)
    if event.get("eventType") is not None:
        check_enum(event["eventType"], field=at(field, "eventType"), allowed=EVENT_TYPES)
    if event.get("channel") is not None:
        as_str(event["channel"], field=at(field, "channel"))
    if event.get("failPolicy") is not None:
        check_enum(event["failPolicy"], field=at(field, "failPolicy"), allowed=EVENT_FAIL_POLICIES)
    if event.get("readPolicy") is not None:
        check_enum(event["readPolicy"], field=at(field, "readPolicy"), allowed=READ_POLICIES)
    if event.get("concurrent") is not None:
        check_int_range(event["concurrent"], field=at(field, "concurrent"), low=1, high=128)


def schedule_check(schedule: dict[str, Any], *, limits: Limits) -> None:
    """A job's ``schedule`` whose ``type`` is already checked."""
    if schedule.get("cron") is not None:
        cron_check(schedule["cron"], field="schedule.cron", limits=limits)
    if schedule.get("event") is not None:
        _event_check(schedule["event"], field="schedule.event")


__all__ = ["cron_check", "cron_expression_problem", "schedule_check", "time_parse"]
