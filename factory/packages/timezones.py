"""The time zones a job's schedule may name in ``expressionTimeZone``: DataArts' ``GMT+8`` / ``GMT-05:30``
forms (``UTC`` too) and the IANA names of ``zoneinfo`` (``Asia/Shanghai``)."""

from __future__ import annotations

import re
from functools import cache
from zoneinfo import available_timezones

_GMT = re.compile(r"(GMT|UTC)([+-](0?\d|1[0-4])(:?[0-5]\d)?)?")
TIME_ZONE_HINT = "A time zone such as GMT+8, GMT-05:30 or Asia/Shanghai"


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def time_zone_known(value: str) -> bool:
    """Whether ``value`` names a time zone a schedule can run in."""
    return isinstance(value, str) and bool(_GMT.fullmatch(value) or value in _time_zones())
