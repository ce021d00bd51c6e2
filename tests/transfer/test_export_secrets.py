"""Secrets never leave: for generated workspaces full of secrets (connection passwords and keys, sensitive
node properties flagged by the document or by the node registry, masked parameters, in the development
state and in submitted versions), no secret, nor its base64 or hex form, occurs in any byte of any
export: both scopes, both job statuses, single and batch layouts, job and script exports."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factory.connections.services import connection_create
from factory.development.services import job_create, job_save, job_submit, script_create, script_submit
from factory.transfer.exports import (
    JOBS_ONLY,
    WITH_DEPENDENCIES,
    ExportRequest,
    export_collect,
    export_select,
    export_stream,
)
from tests.builders import job_document, node, script_document, user_make, workspace_make
from tests.transfer.exporting import assert_no_secret, zip_entries

pytestmark = pytest.mark.django_db

# Secrets start with a marker no generated name or fixed text contains, so that a hit is a leak.
secrets_ = st.text(
    alphabet="ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789!#%&*+-=?@^~", min_size=10, max_size=40
).map(lambda s: "Zq" + s)
names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=12).map(
    lambda s: "n" + s
)
SECRET_PROPERTY_NAMES = ("dbPassword", "apiSecret", "accessToken", "anyName", "connectionName")


@st.composite
def secret_jobs(draw: st.DrawFn) -> dict:
    """A job whose nodes and parameters hide secrets in every place a job may hold one."""
    found: list[str] = []

    def secret() -> str:
        value = draw(secrets_)
        found.append(value)
        return value

    nodes = []
    for index in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["rest", "flagged", "both"]))
        props = []
        if kind in ("rest", "both"):
            # Sensitive by the registry alone: the document carries no flag.
            props += [
                {"name": "url", "value": "https://example.test"},
                {"name": "authPassword", "value": secret()},
            ]
            if draw(st.booleans()):
                props.append({"name": "authToken", "value": secret()})
        if kind in ("flagged", "both"):
            for prop_name in draw(
                st.lists(st.sampled_from(SECRET_PROPERTY_NAMES), min_size=1, max_size=3, unique=True)
            ):
                flag = draw(st.sampled_from([True, "true", "TRUE"]))
                props.append({"name": prop_name, "value": secret(), "value_is_sensitive": flag})
        node_type = (
            "RESTAPI" if kind in ("rest", "both") else draw(st.sampled_from(["DWSSQL", "Shell", "Dummy"]))
        )
        item = node(f"node{index}", node_type, {})
        item["properties"] = props
        nodes.append(item)
    # A node using the shared script, so that "with dependencies" carries the script and its connection.
    nodes.append(node("sql", "DWSSQL", {"scriptName": "s_shared", "connectionName": "conn0"}))
    masked_list, params = [], []
    for index in range(draw(st.integers(0, 4))):
        how = draw(st.sampled_from(["listed", "flag", "both", "plain"]))
        param = {"name": f"p{index}", "value": "plain-value" if how == "plain" else secret()}
        if how in ("flag", "both"):
            param["masked"] = True
        if how in ("listed", "both"):
            masked_list.append(param["name"])
        params.append(param)
    document = job_document(
        "placeholder", directory="/", nodes=nodes, params=params, maskedParams=masked_list
    )
    return {"document": document, "secrets": found}


@st.composite
def secret_workspaces(draw: st.DrawFn) -> dict:
    job_names = draw(st.lists(names, min_size=2, max_size=4, unique=True))
    jobs = []
    for job_name in job_names:
        job = draw(secret_jobs())
        job["document"]["name"] = job_name
        jobs.append(job)
    connections = [
        {
            "name": f"conn{i}",
            "secrets": {
                key: draw(secrets_)
                for key in draw(
                    st.sets(st.sampled_from(["password", "ldapPassword", "sk", "token"]), min_size=1)
                )
            },
        }
        for i in range(draw(st.integers(1, 3)))
    ]
    return {"jobs": jobs, "connections": connections, "submitted_too": draw(st.booleans())}


def _export(workspace, user, **request) -> bytes:
    selection = export_select(workspace=workspace, request=ExportRequest(**request))
    contents = export_collect(selection=selection)
    return b"".join(export_stream(selection=selection, contents=contents, user=user))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=secret_workspaces())
def test_no_secret_in_any_byte_of_any_export(world):
    with transaction.atomic():
        user = user_make("keeper")
        workspace = workspace_make("secrets")
        all_secrets: list[str] = []
        for conn in world["connections"]:
            connection_create(
                workspace=workspace,
                user=user,
                name=conn["name"],
                type="DWS",
                config={"host": "h"},
                secrets=conn["secrets"],
            )
            all_secrets += conn["secrets"].values()
        script = script_create(
            workspace=workspace,
            user=user,
            document=script_document(
                "s_shared", connection="conn0", directory="/sql", content="SELECT 's_shared';"
            ),
        )
        script_submit(script=script, user=user)
        jobs = []
        for job in world["jobs"]:
            created = job_create(workspace=workspace, user=user, document=job["document"])
            job_submit(job=created, user=user)
            all_secrets += job["secrets"]
            if world["submitted_too"]:
                # The development state moves on with other secrets; the submitted version keeps the first.
                changed = dict(
                    created.document, params=[{"name": "later", "value": all_secrets[0], "masked": True}]
                )
                job_save(job=created, user=user, document=changed)
            jobs.append(created)

        for scope in (JOBS_ONLY, WITH_DEPENDENCIES):
            for status in ("develop", "submit"):
                single = _export(workspace, user, job_ids=(jobs[0].pk,), scope=scope, status=status)
                batch = _export(workspace, user, everything=True, scope=scope, status=status)
                scripts = _export(
                    workspace, user, category="script", everything=True, scope=scope, status=status
                )
                assert "jobs/" + jobs[0].name + ".job" in zip_entries(single)
                if scope == WITH_DEPENDENCIES:
                    assert "connections/conn0.conn" in zip_entries(batch)
                    assert "connections/conn0.conn" in zip_entries(scripts)
                for data in (single, batch, scripts):
                    assert_no_secret(data, all_secrets)
        transaction.set_rollback(True)
