"""Invalid job definitions are refused with a message naming the node or field."""

from __future__ import annotations

import pytest

from factory.development.models import Job
from factory.development.services import job_create, job_save, script_create
from factory.errors import ValidationError
from tests.builders import job_document, script_document, two_node_job

pytestmark = pytest.mark.django_db


def _error(workspace, user, document) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        job_create(workspace=workspace, user=user, document=document)
    assert not Job.objects.exists()
    assert exc.value.status == 400
    return exc.value


def test_duplicate_node_name(workspace, alice):
    doc = two_node_job("j")
    doc["nodes"][1]["name"] = "extract"
    doc["nodes"][1]["preNodeName"] = []
    error = _error(workspace, alice, doc)
    assert "extract" in error.message
    assert "nodes[1].name" in error.fields


def test_pre_node_name_pointing_to_nothing(workspace, alice):
    doc = two_node_job("j")
    doc["nodes"][1]["preNodeName"] = ["ghost"]
    error = _error(workspace, alice, doc)
    assert "ghost" in error.message
    assert "(node load)" in error.message
    assert "nodes[1].preNodeName[0]" in error.fields


def test_cycle(workspace, alice):
    doc = two_node_job("j")
    doc["nodes"][0]["preNodeName"] = ["load"]
    error = _error(workspace, alice, doc)
    assert "cycle" in error.message
    assert "extract" in error.message and "load" in error.message


def test_bad_schedule_type(workspace, alice):
    error = _error(workspace, alice, job_document("j", schedule={"type": "HOURLY"}))
    assert "HOURLY" in error.message
    assert "schedule.type" in error.fields


@pytest.mark.parametrize("name", ["", "has space", "x" * 129, None])
def test_bad_job_name(workspace, alice, name):
    error = _error(workspace, alice, job_document(name))
    assert "name" in error.fields


def test_not_an_object(workspace, alice):
    error = _error(workspace, alice, ["not", "a", "job"])
    assert error.message == "A job definition must be a JSON object."


def test_a_bad_save_leaves_the_job_unchanged(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=job_document("j"))
    bad = two_node_job("j")
    bad["nodes"][1]["preNodeName"] = ["ghost"]
    with pytest.raises(ValidationError):
        job_save(job=job, user=alice, document=bad)
    job.refresh_from_db()
    assert (job.revision, job.node_count) == (1, 1)


def test_bad_script(workspace, alice):
    with pytest.raises(ValidationError) as exc:
        script_create(workspace=workspace, user=alice, document=script_document("s", type="COBOL"))
    assert "COBOL" in exc.value.message
    assert "type" in exc.value.fields
