"""``manage.py seed_demo``: idempotent, and it prints the demo users' passwords on every run."""

from __future__ import annotations

import io
import json
import re
import stat

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from factory.connections.models import DataConnection, ExternalObject
from factory.crypto import secrets_decrypt
from factory.development.models import (
    Directory,
    EnvironmentVariable,
    Job,
    JobVersion,
    Resource,
    ScheduleStatus,
    Script,
    ScriptVersion,
)
from factory.development.nodes import NODE_TYPES
from factory.workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db
MODELS = (
    get_user_model(),
    Workspace,
    Membership,
    DataConnection,
    ExternalObject,
    Resource,
    EnvironmentVariable,
    Directory,
    Script,
    ScriptVersion,
    Job,
    JobVersion,
)


@pytest.fixture
def var_dir(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    return tmp_path


def seed() -> list[str]:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue().splitlines()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def passwords(lines: list[str]) -> dict[str, str]:
    return dict(
        re.fullmatch(r"user (\w+) password (\S+)", line).groups()
        for line in lines
        if line.startswith("user ")
    )


def test_seeding_twice_creates_nothing_new_and_prints_the_same_passwords(var_dir):
    first = seed()
    after_first = counts()
    documents = dict(Job.objects.values_list("name", "revision"))
    second = seed()

    assert counts() == after_first
    assert dict(Job.objects.values_list("name", "revision")) == documents
    assert passwords(first) == passwords(second)
    assert set(passwords(first)) == {"admin", "developer"}
    assert "already present" in second[0]
    for username, password in passwords(second).items():
        assert authenticate(username=username, password=password) is not None


def test_passwords_live_in_a_private_file_and_are_reused(var_dir):
    printed = passwords(seed())

    path = var_dir / "demo-passwords.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == printed


def test_the_demo_workspace_holds_the_references_example_and_a_realistic_tree(var_dir):
    seed()

    workspace = Workspace.objects.get(name="default")
    assert workspace.is_default and workspace.lock_policy == "soft"
    roles = dict(Membership.objects.filter(workspace=workspace).values_list("user__username", "role"))
    assert roles == {"admin": "admin", "developer": "developer"}
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser

    doc1 = Job.objects.get(workspace=workspace, name="doc1")
    (node,) = doc1.document["nodes"]
    props = {p["name"]: p["value"] for p in node["properties"]}
    assert node["type"] == "DWSSQL"
    assert (props["connectionName"], props["scriptName"], props["database"]) == (
        "doctest",
        "doc1_script",
        "postgres",
    )
    script = Script.objects.get(workspace=workspace, name="doc1_script")
    assert script.type == "DWSSQL" and script.document["content"].startswith("SELECT")

    for name in ("doctest", "dws_backup"):
        connection = DataConnection.objects.get(workspace=workspace, name=name)
        assert connection.type == "DWS" and connection.secret_fields == ["password"]
        assert secrets_decrypt(ciphertext=connection.secrets_encrypted)["password"]
    assert {"DWS", "DLI", "HIVE", "SparkSQL", "HOST", "RDS"} <= set(
        DataConnection.objects.values_list("type", flat=True)
    )
    assert {"dli_queue", "ges_graph", "dis_stream", "cdm_cluster", "mrs_cluster"} == set(
        ExternalObject.objects.values_list("kind", flat=True)
    )
    assert {"jar", "pyFile"} <= set(Resource.objects.values_list("type", flat=True))

    jobs = list(Job.objects.filter(workspace=workspace))
    assert len(jobs) >= 24
    paths = set(Directory.objects.filter(workspace=workspace, category="job").values_list("path", flat=True))
    assert {"/ods", "/dwd/daily", "/dws", "/ads/reports", "/ops"} <= paths
    node_types = {n["type"] for job in jobs for n in job.document["nodes"]}
    assert node_types <= set(NODE_TYPES)
    wanted = {"DWSSQL", "DLISQL", "HiveSQL", "SparkSQL", "Shell", "Python", "CDMJob", "RESTAPI", "DLISpark"}
    wanted |= {"MRSSpark", "ImportGES", "DISTransferTask", "SubJob", "ForEach", "SMN", "Dummy"}
    assert wanted <= node_types
    assert {job.document["schedule"]["type"] for job in jobs} == {"CRON", "EVENT", "EXECUTE_ONCE"}
    assert any(n.get("conditions") for job in jobs for n in job.document["nodes"])
    assert any(job.document.get("maskedParams") for job in jobs)
    props = [p for job in jobs for n in job.document["nodes"] for p in n["properties"]]
    assert any(p.get("value_is_sensitive") is True for p in props)
    assert all("cleanOverdueDays" in job.document and "emptyRunningJob" in job.document for job in jobs)
    env_names = set(EnvironmentVariable.objects.values_list("name", flat=True))
    used = {name for job in jobs for p in props for name in re.findall(r"\$\{(\w+)\}", str(p.get("value")))}
    assert env_names & used

    statuses = {job.name: (job.is_submitted, job.submitted_revision, job.schedule_status) for job in jobs}
    assert any(submitted for submitted, _, _ in statuses.values())
    assert any(not submitted and revision is not None for submitted, revision, _ in statuses.values())
    assert sum(status == ScheduleStatus.SCHEDULING for _, _, status in statuses.values()) >= 3
