"""Issue 13: the reader and validator accept what real DataArts documents hold, and check the schedule as
DataArts does (a Quartz cron expression, intervalType, start and end time, dependency jobs)."""

from __future__ import annotations

import pytest

from factory.packages import PackageError
from factory.packages.schema import job_document_validate, script_document_validate
from tests.packages.helpers import minimal_job

NODE = {"name": "n1", "type": "Dummy", "location": {"x": 0, "y": 0}}


def _job(**schedule_cron: object) -> dict:
    return minimal_job(
        nodes=[dict(NODE)], schedule={"type": "CRON", "cron": {"expression": "0 0 2 * * ?", **schedule_cron}}
    )


def _refused(document: dict) -> PackageError:
    with pytest.raises(PackageError) as caught:
        job_document_validate(document=document)
    return caught.value


@pytest.mark.parametrize("type_", ["SparkPython", "Spark Python", "HetuEngineSQL", "ImpalaSQL", "PYTHON"])
def test_every_script_type_of_the_sdk_is_accepted(type_):
    # huaweicloudsdkdataartsstudio ScriptInfo.type lists SparkPython (refused before issue 13).
    script_document_validate(document={"name": "s", "type": type_, "content": "print(1)"})


def test_a_real_cron_schedule_is_accepted():
    job_document_validate(
        document=_job(
            startTime="2025-01-01T00:00:00+08",
            endTime="2099-12-31T23:59:59+08:00",
            expressionTimeZone="GMT+8",
            intervalType="days",
            dependPrePeriod=False,
            dependJobs={
                "jobs": ["upstream"],
                "dependPeriod": "SAME_PERIOD",
                "dependFailPolicy": "FAIL",
                "sameWorkSpaceJobs": [{"jobName": "upstream"}],
            },
            calendarScheduling=None,  # an unknown key, kept and not checked
        )
    )


@pytest.mark.parametrize(
    ("cron", "field", "text"),
    [
        ({"expression": "nightly_load"}, "schedule.cron.expression", "a Quartz cron expression has 6 or 7"),
        ({"expression": "0 0 25 * * ?"}, "schedule.cron.expression", "the hour field '25'"),
        ({"expression": "0 0 2 * * *"}, "schedule.cron.expression", "exactly one of day of month and day"),
        ({"intervalType": "fortnights"}, "schedule.cron.intervalType", "is not one of minutes, hours"),
        (
            {"startTime": "tomorrow"},
            "schedule.cron.startTime",
            "is not a time such as 2018-10-22T23:59:59+08",
        ),
        ({"startTime": "2025-02-30T00:00:00+08"}, "schedule.cron.startTime", "is not a time"),
        (
            {"startTime": "2026-01-01T00:00:00+08", "endTime": "2025-01-01T00:00:00+08"},
            "schedule.cron.endTime",
            "is before the start time",
        ),
        ({"dependJobs": {"jobs": ["a/b"]}}, "schedule.cron.dependJobs.jobs[0]", "job name 'a/b'"),
        ({"dependJobs": {"dependPeriod": "NEXT"}}, "schedule.cron.dependJobs.dependPeriod", "SAME_PERIOD"),
    ],
)
def test_a_bad_schedule_is_refused_naming_the_field(cron, field, text):
    error = _refused(_job(**cron))
    assert error.field == field
    assert text in str(error)


def test_a_real_time_node_cron_trigger_is_checked_too():
    node = {**NODE, "cronTrigger": {"expression": "every day", "period": "1 days"}}
    error = _refused(minimal_job(nodes=[node], processType="REAL_TIME"))
    assert error.field == "nodes[0].cronTrigger.expression"
    assert error.code == "schema.invalid_schedule"


def test_an_event_schedule_is_checked():
    error = _refused(
        minimal_job(nodes=[dict(NODE)], schedule={"type": "EVENT", "event": {"eventType": "MQTT"}})
    )
    assert error.field == "schedule.event.eventType"
