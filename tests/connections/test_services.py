"""Data connections and external objects, through their services and selectors."""

from __future__ import annotations

import pytest

from factory.connections.models import DataConnection, ExternalObjectKind
from factory.connections.selectors import connection_get, connection_list, external_object_list
from factory.connections.services import (
    connection_create,
    connection_update,
    external_object_create,
    external_object_update,
)
from factory.crypto import secrets_decrypt
from factory.errors import Conflict, NotFound, ValidationError
from tests.builders import user_make, workspace_make

pytestmark = pytest.mark.django_db

PASSWORD = "Sup3r-Secret-Pa55"


@pytest.fixture
def workspace():
    return workspace_make("ws", admin=user_make("admin1"))


def _dws(workspace, name="doctest", **kwargs):
    return connection_create(
        workspace=workspace,
        user=None,
        name=name,
        type="DWS",
        config={"host": "10.0.0.1", "port": 8000, "userName": "dbadmin"},
        secrets={"password": PASSWORD},
        **kwargs,
    )


def test_secrets_are_stored_encrypted_and_only_their_names_are_visible(workspace):
    connection = _dws(workspace)

    row = DataConnection.objects.get(pk=connection.pk)
    assert row.secret_fields == ["password"]
    assert PASSWORD not in row.secrets_encrypted
    assert PASSWORD not in str(row.config)
    assert secrets_decrypt(ciphertext=row.secrets_encrypted) == {"password": PASSWORD}


@pytest.mark.parametrize(
    "config",
    [{"password": "x"}, {"userPassword": "x"}, {"auth": {"token": "t"}}, {"sk": "s"}, {"ldapPassword": "p"}],
)
def test_secrets_are_refused_in_config(workspace, config):
    with pytest.raises(ValidationError) as exc:
        connection_create(workspace=workspace, user=None, name="c", type="DWS", config=config)
    assert exc.value.code == "secret_in_config"
    assert not DataConnection.objects.exists()


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"apiKey": "k-1"}, "apiKey"),
        ({"authorization": "Basic dXNlcjpwdw=="}, "authorization"),
        ({"kerberos": {"keytab": "BQIAAAA7AAEAC0VYQU1QTEUuQ09N"}}, "kerberos.keytab"),
        ({"jdbcUrl": "jdbc:postgresql://dbadmin:Pw-in-url-9@10.0.0.1:8000/gaussdb"}, "jdbcUrl"),
        ({"options": "ssl=true&password=Pw-in-query-7"}, "options"),
    ],
)
def test_secrets_nothing_flagged_before_are_refused_in_config(workspace, config, field):
    """The review's finding: these were accepted into config (shown to every member) and exported in
    clear in ``connections/*.conn``. Refused now, naming the field; nothing is stored."""
    with pytest.raises(ValidationError) as exc:
        connection_create(workspace=workspace, user=None, name="c", type="DWS", config=config)
    assert exc.value.code == "secret_in_config"
    assert field in str(exc.value) and "secrets" in str(exc.value)
    assert not DataConnection.objects.exists()

    connection = _dws(workspace)
    with pytest.raises(ValidationError):
        connection_update(connection=connection, user=None, config=config)
    connection.refresh_from_db()
    assert connection.config == {"host": "10.0.0.1", "port": 8000, "userName": "dbadmin"}


def test_a_url_without_its_password_and_public_key_ids_are_ordinary_config(workspace):
    config = {
        "jdbcUrl": "jdbc:postgresql://dbadmin:@10.0.0.1:8000/gaussdb",
        "tokenUrl": "https://iam.example/v3/auth/tokens",
        "accessKeyId": "AKIDEXAMPLE",
    }
    connection = connection_create(workspace=workspace, user=None, name="c", type="DWS", config=config)
    assert connection.config == config


def test_update_merges_secrets_name_by_name(workspace):
    connection = _dws(workspace)

    connection_update(connection=connection, user=None, secrets={"password": "", "sslKey": "k1"})
    assert secrets_decrypt(ciphertext=connection.secrets_encrypted) == {"password": PASSWORD, "sslKey": "k1"}
    assert connection.secret_fields == ["password", "sslKey"]

    connection_update(connection=connection, user=None, secrets={"password": "new", "sslKey": None})
    assert secrets_decrypt(ciphertext=connection.secrets_encrypted) == {"password": "new"}
    assert connection.secret_fields == ["password"]

    connection_update(connection=connection, user=None, config={"host": "h2"}, description="moved")
    connection.refresh_from_db()
    assert (connection.config, connection.description) == ({"host": "h2"}, "moved")
    assert secrets_decrypt(ciphertext=connection.secrets_encrypted) == {"password": "new"}


def test_names_types_and_duplicates_are_checked(workspace):
    _dws(workspace)
    other = _dws(workspace, name="dws_backup")
    with pytest.raises(Conflict):
        _dws(workspace)
    with pytest.raises(Conflict):
        connection_update(connection=other, user=None, name="doctest")
    with pytest.raises(ValidationError):
        _dws(workspace, name="bad name")
    with pytest.raises(ValidationError):
        connection_create(workspace=workspace, user=None, name="x", type="ORACLE")
    # The same name in another workspace is another connection.
    _dws(workspace_make("ws2"))


def test_reads_are_scoped_to_the_workspace(workspace):
    mine = _dws(workspace)
    theirs = _dws(workspace_make("ws2"), name="theirs")
    connection_create(workspace=workspace, user=None, name="hive1", type="HIVE")

    assert [c.name for c in connection_list(workspace=workspace)] == ["doctest", "hive1"]
    assert [c.name for c in connection_list(workspace=workspace, type="HIVE")] == ["hive1"]
    assert connection_get(workspace=workspace, connection_id=mine.pk) == mine
    with pytest.raises(NotFound):
        connection_get(workspace=workspace, connection_id=theirs.pk)


def test_external_objects(workspace):
    queue = external_object_create(workspace=workspace, kind=ExternalObjectKind.DLI_QUEUE, name="dli_queue_1")
    external_object_create(workspace=workspace, kind=ExternalObjectKind.GES_GRAPH, name="graph1")
    # The same name is fine for another kind.
    external_object_create(workspace=workspace, kind=ExternalObjectKind.GES_GRAPH, name="dli_queue_1")

    with pytest.raises(Conflict):
        external_object_create(workspace=workspace, kind=ExternalObjectKind.DLI_QUEUE, name="dli_queue_1")
    with pytest.raises(ValidationError):
        external_object_create(workspace=workspace, kind="dws_cluster", name="x")
    with pytest.raises(ValidationError):
        external_object_create(
            workspace=workspace, kind=ExternalObjectKind.DLI_QUEUE, name="x", config={"token": "t"}
        )

    external_object_update(external_object=queue, description="default queue", config={"cu": 16})
    queue.refresh_from_db()
    assert (queue.description, queue.config) == ("default queue", {"cu": 16})
    queues = external_object_list(workspace=workspace, kind=ExternalObjectKind.DLI_QUEUE)
    assert [o.name for o in queues] == ["dli_queue_1"]
