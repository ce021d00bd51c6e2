"""What a delete confirmation lists (the jobs and scripts that use a connection or a queue, found in a
bounded number of queries), and masked environment variables (stored encrypted, never returned, emptied
in packages)."""

from __future__ import annotations

import pytest

from factory.connections.environment import environment_variable_create, environment_variable_update
from factory.connections.services import connection_create
from factory.connections.usages import object_usages
from factory.crypto import secret_decrypt
from factory.development.models import EnvironmentVariable, Job, Script
from factory.development.nodes import CONNECTION, DLI_QUEUE
from factory.errors import ValidationError
from factory.transfer.exports import WITH_DEPENDENCIES
from tests.builders import user_make, workspace_make
from tests.transfer.exporting import assert_no_secret, export, export_world, zip_json  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _node(name: str, type_: str, **props: str) -> dict:
    return {
        "name": name,
        "type": type_,
        "location": {"x": 0, "y": 0},
        "properties": [{"name": k, "value": v} for k, v in props.items()],
    }


def test_usages_name_the_jobs_and_scripts_using_it_in_two_queries(django_assert_max_num_queries):
    ws = workspace_make("u", admin=user_make("u_admin"))
    connection_create(workspace=ws, user=None, name="doctest", type="DWS", config={"host": "h"})
    for i in range(30):  # jobs that only mention the name in SQL, or use another connection
        Job.objects.create(
            workspace=ws,
            name=f"other{i}",
            document={"nodes": [_node("n", "DWSSQL", connectionName="dws_backup", sql="select 'doctest'")]},
        )
    for name in ("doc1", "doc2"):
        Job.objects.create(
            workspace=ws, name=name, document={"nodes": [_node("n", "DWSSQL", connectionName="doctest")]}
        )
    Job.objects.create(
        workspace=ws, name="dli_job", document={"nodes": [_node("n", "DLISQL", queueName="dli_default")]}
    )
    Script.objects.create(
        workspace=ws, name="s1", type="DWSSQL", document={"type": "DWSSQL", "connectionName": "doctest"}
    )
    Script.objects.create(
        workspace=ws, name="s2", type="DWSSQL", document={"type": "DWSSQL", "content": "-- doctest"}
    )

    with django_assert_max_num_queries(2):
        usages = object_usages(workspace=ws, kind=CONNECTION, name="doctest")

    assert usages.jobs == ["doc1", "doc2"]
    assert usages.scripts == ["s1"]
    assert object_usages(workspace=ws, kind=DLI_QUEUE, name="dli_default").jobs == ["dli_job"]
    assert object_usages(workspace=ws, kind=CONNECTION, name="nobody").jobs == []


def test_a_masked_variable_is_stored_encrypted_and_a_blank_edit_keeps_it():
    ws = workspace_make("env", admin=user_make("env_admin"))
    variable = environment_variable_create(
        workspace=ws, name="db_password", value="s3cr3t-Value", masked=True
    )

    stored = EnvironmentVariable.objects.get(pk=variable.pk)
    assert stored.value == "" and stored.masked is True
    assert "s3cr3t-Value" not in stored.value_encrypted
    assert secret_decrypt(ciphertext=stored.value_encrypted) == "s3cr3t-Value"

    environment_variable_update(variable=stored, value="", description="kept")
    stored.refresh_from_db()
    assert secret_decrypt(ciphertext=stored.value_encrypted) == "s3cr3t-Value"

    with pytest.raises(ValidationError, match="enter the value of db_password to unmask it"):
        environment_variable_update(variable=stored, masked=False)
    stored.refresh_from_db()
    assert stored.masked is True

    environment_variable_update(variable=stored, masked=False, value="now-clear")
    stored.refresh_from_db()
    assert (stored.value, stored.value_encrypted, stored.masked) == ("now-clear", "", False)


def test_masking_a_variable_encrypts_its_value_and_the_export_carries_it_empty(export_world):  # noqa: F811
    variable = EnvironmentVariable.objects.get(workspace=export_world.workspace, name="ENV_A")
    environment_variable_update(variable=variable, masked=True)
    variable.refresh_from_db()
    assert variable.value == "" and secret_decrypt(ciphertext=variable.value_encrypted) == "alpha"

    _, data = export(export_world, job_names=("doc1",), scope=WITH_DEPENDENCIES)

    assert zip_json(data)["environment/variables.json"] == [
        {"name": "ENV_A", "value": "", "description": "used by doc1"}
    ]
    assert_no_secret(data, ["alpha"])
