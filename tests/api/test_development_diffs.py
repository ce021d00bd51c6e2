"""Compare Versions through the API: the structural diff between two versions of a job or a script, or a
version and the development state; scoped to the workspace, readable by every member."""

from __future__ import annotations

import copy

import pytest

from factory.development.services import (
    job_create,
    job_save,
    job_submit,
    script_create,
    script_save,
    script_submit,
)
from factory.workspaces.models import Role
from tests.builders import client_for, job_document, member_make, script_document, two_node_job
from tests.development.fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


def _url(workspace, kind: str, obj, query: str = "") -> str:
    return f"/api/workspaces/{workspace.pk}/{kind}/{obj.pk}/versions/diff/{query}"


@pytest.fixture
def job_versions(workspace, alice):
    """A two-node job submitted twice: v2 moves every node, adds a node after ``load`` and changes a
    property of ``extract``; the development state then changes the schedule."""
    document = two_node_job("pipeline")
    job = job_create(workspace=workspace, user=alice, document=document)
    v1 = job_submit(job=job, user=alice)
    changed = copy.deepcopy(document)
    for index, node in enumerate(changed["nodes"]):
        node["location"] = {"x": 500 + index, "y": 300}
    changed["nodes"][0]["properties"].append({"name": "note", "value": "v2"})
    changed["nodes"].append(
        {"name": "report", "type": "Dummy", "location": {"x": 200, "y": 0}, "preNodeName": ["load"]}
    )
    job = job_save(job=job, user=alice, document=changed)
    v2 = job_submit(job=job, user=alice)
    later = copy.deepcopy(changed)
    later["schedule"] = {
        "type": "CRON",
        "cron": {"expression": "0 0 2 * * ?", "startTime": "2026-01-01T00:00:00+08"},
    }
    job = job_save(job=job, user=alice, document=later)
    return job, v1, v2


def test_two_versions_of_a_job(workspace, alice, job_versions):
    job, v1, v2 = job_versions
    response = client_for(alice).get(_url(workspace, "jobs", job, f"?from={v1.pk}&to={v2.pk}"))
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["old"]["kind"], data["old"]["number"], data["old"]["versionId"]) == ("submitted", 1, v1.pk)
    assert (data["new"]["kind"], data["new"]["number"]) == ("submitted", 2)
    assert data["old"]["createdBy"] == "alice"
    assert data["new"]["document"]["nodes"][-1]["name"] == "report"
    diff = data["diff"]
    assert diff["changed"] is True
    assert {n["name"]: n["status"] for n in diff["nodes"]} == {
        "extract": "modified",
        "load": "unchanged",  # moved only
        "report": "added",
    }
    extract = next(n for n in diff["nodes"] if n["name"] == "extract")
    assert extract["changes"] == [
        {"path": "properties.note.value", "kind": "added", "old": None, "new": "v2", "secret": False}
    ]
    assert {(e["source"], e["target"]): e["status"] for e in diff["edges"]} == {
        ("extract", "load"): "unchanged",
        ("load", "report"): "added",
    }
    assert diff["summary"]["nodesAdded"] == 1 and diff["summary"]["edgesAdded"] == 1
    assert diff["schedule"] == [] and diff["params"] == [] and diff["properties"] == []


def test_a_version_and_the_development_state(workspace, alice, job_versions):
    job, _, v2 = job_versions
    client = client_for(alice)
    for query in (f"?from={v2.pk}", f"?from={v2.pk}&to=development", ""):  # v2 is the latest submitted
        data = client.get(_url(workspace, "jobs", job, query)).json()
        assert data["old"]["number"] == 2, query
        assert (data["new"]["kind"], data["new"]["versionId"]) == ("development", None)
        assert {c["path"] for c in data["diff"]["schedule"]} == {
            "schedule.type",
            "schedule.cron.expression",
            "schedule.cron.startTime",
        }
        assert all(n["status"] == "unchanged" for n in data["diff"]["nodes"])
    same = client.get(_url(workspace, "jobs", job, "?from=development&to=development")).json()
    assert same["diff"]["changed"] is False


def test_only_moved_nodes_are_no_change(workspace, alice):
    document = two_node_job("moved")
    job = job_create(workspace=workspace, user=alice, document=document)
    v1 = job_submit(job=job, user=alice)
    moved = copy.deepcopy(document)
    for node in moved["nodes"]:
        node["location"] = {"x": str(node["location"]["x"] + 333), "y": "-12.5"}
    job = job_save(job=job, user=alice, document=moved)
    data = client_for(alice).get(_url(workspace, "jobs", job, f"?from={v1.pk}")).json()
    assert data["diff"]["changed"] is False
    assert data["new"]["document"]["nodes"][0]["location"]["y"] == "-12.5"  # kept for drawing


def test_a_never_submitted_job_compares_its_development_state_with_itself(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=job_document("fresh"))
    data = client_for(alice).get(_url(workspace, "jobs", job)).json()
    assert data["old"]["kind"] == data["new"]["kind"] == "development"
    assert data["diff"]["changed"] is False


def test_two_versions_of_a_script(workspace, alice):
    script = script_create(
        workspace=workspace, user=alice, document=script_document("s1", content="SELECT 1;\nSELECT 2;\n")
    )
    v1 = script_submit(script=script, user=alice)
    script = script_save(
        script=script,
        user=alice,
        document=script_document("s1", content="SELECT 1;\nSELECT 3;\n", database="analytics"),
    )
    v2 = script_submit(script=script, user=alice)
    response = client_for(alice).get(_url(workspace, "scripts", script, f"?from={v1.pk}&to={v2.pk}"))
    assert response.status_code == 200, response.content
    diff = response.json()["diff"]
    assert diff["changed"] is True
    assert diff["contentDiff"][:2] == ["--- before", "+++ after"]
    assert "-SELECT 2;" in diff["contentDiff"] and "+SELECT 3;" in diff["contentDiff"]
    assert (diff["linesAdded"], diff["linesRemoved"]) == (1, 1)
    assert diff["properties"] == [
        {"path": "database", "kind": "changed", "old": "postgres", "new": "analytics", "secret": False}
    ]


def test_secret_values_never_appear_and_never_count(workspace, alice):
    document = job_document("with_secret")
    document["nodes"][0]["properties"].append(
        {"name": "dbPassword", "value": "Zq-first-secret", "value_is_sensitive": True}
    )
    job = job_create(workspace=workspace, user=alice, document=document)
    v1 = job_submit(job=job, user=alice)
    document["nodes"][0]["properties"][-1]["value"] = "Zq-second-secret"
    job = job_save(job=job, user=alice, document=document)
    response = client_for(alice).get(_url(workspace, "jobs", job, f"?from={v1.pk}"))
    assert response.json()["diff"]["changed"] is False
    assert b"Zq-" not in response.content


def test_a_reader_may_read(workspace, alice, victor_viewer, job_versions):
    job, v1, v2 = job_versions
    response = client_for(victor_viewer).get(_url(workspace, "jobs", job, f"?from={v1.pk}&to={v2.pk}"))
    assert response.status_code == 200
    assert response.json()["diff"]["changed"] is True


def test_another_workspaces_job_is_not_found(workspace, hard_workspace, alice, bob):
    theirs = job_create(workspace=hard_workspace, user=bob, document=job_document("theirs"))
    version = job_submit(job=theirs, user=bob)
    script = script_create(workspace=hard_workspace, user=bob, document=script_document("their_script"))
    client = client_for(alice)  # a member of both: the URL's workspace decides
    response = client.get(_url(workspace, "jobs", theirs, f"?from={version.pk}"))
    assert response.status_code == 404
    assert response.json()["code"] == "job_not_found"
    assert client.get(_url(workspace, "scripts", script)).status_code == 404
    # an outsider does not even learn the workspace exists
    olga = member_make(workspace, "olga", Role.ADMIN)
    response = client_for(olga).get(_url(hard_workspace, "jobs", theirs))
    assert response.status_code == 404
    assert response.json()["code"] == "workspace_not_found"


def test_another_jobs_version_is_not_found(workspace, alice, job_versions):
    job, _, _ = job_versions
    other = job_create(workspace=workspace, user=alice, document=job_document("other"))
    foreign = job_submit(job=other, user=alice)
    response = client_for(alice).get(_url(workspace, "jobs", job, f"?from={foreign.pk}"))
    assert response.status_code == 404
    assert response.json()["code"] == "version_not_found"


@pytest.mark.parametrize("query", ["?from=latest", "?from=1&to=-2", "?to=v1"])
def test_a_bad_version_reference_is_refused(workspace, alice, job_versions, query):
    job, _, _ = job_versions
    response = client_for(alice).get(_url(workspace, "jobs", job, query))
    assert response.status_code == 400
    assert set(response.json()["extra"]["fields"]) & {"from", "to"}
