"""The Test button of a data connection, against the PostgreSQL the harness started: a good password
connects and names the server's version and the user, a wrong one fails with the server's own reason, a
port that never answers fails within the timeout, and a blank password in an edit form means the stored one."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from factory.connections.services import connection_create, connection_update
from factory.connections.testing import connection_test
from factory.errors import ValidationError
from tests.builders import user_make, workspace_make
from tests.connections.pg import PgLogin

pytestmark = pytest.mark.django_db


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A local port that accepts nothing more: a listener whose one-place queue is already taken, so that
    the kernel drops new SYNs and a client waits for its timeout, as for a host behind a firewall."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    held = socket.create_connection(("127.0.0.1", port), timeout=1)
    try:
        yield port
    finally:
        held.close()
        server.close()


def _dws(workspace, login: PgLogin, *, password: str, port: int | None = None):
    return connection_create(
        workspace=workspace,
        user=None,
        name="dws_prod",
        type="DWS",
        config={
            "host": login.host,
            "port": port or login.port,
            "userName": login.user,
            "database": "postgres",
        },
        secrets={"password": password},
    )


@pytest.fixture
def workspace():
    return workspace_make("conn", admin=user_make("conn_admin"))


def test_a_good_password_connects_and_names_the_server_and_user(workspace, pg_login):
    result = connection_test(connection=_dws(workspace, pg_login, password=pg_login.password))

    assert result.ok is True
    assert result.message == f"connected to postgres {pg_login.version} as {pg_login.user}"
    assert 0 <= result.elapsed_ms < 5000


def test_a_wrong_password_fails_with_the_servers_reason_and_never_echoes_it(workspace, pg_login):
    result = connection_test(connection=_dws(workspace, pg_login, password="Not-The-Password-42"))

    assert result.ok is False
    assert result.message.startswith("could not connect: ")
    assert f'password authentication failed for user "{pg_login.user}"' in result.message
    assert "Not-The-Password-42" not in result.message


def test_a_port_that_never_answers_fails_within_the_timeout(workspace, pg_login, silent_port, settings):
    settings.CONNECTION_TEST_TIMEOUT_SECONDS = 1
    dws = connection_test(connection=_dws(workspace, pg_login, password=pg_login.password, port=silent_port))
    host = connection_test(
        connection=None, type="HOST", config={"ip": "127.0.0.1", "port": silent_port, "userName": "etl"}
    )

    assert dws.ok is False and "timeout" in dws.message and dws.elapsed_ms < 3000
    assert host.ok is False
    assert host.message == f"host 127.0.0.1:{silent_port} unreachable within 1 s"
    assert host.elapsed_ms < 3000


def test_tcp_check_of_a_listening_port_and_of_a_refused_one(pg_login):
    up = connection_test(
        connection=None, type="HOST", config={"ip": pg_login.host, "port": pg_login.port, "userName": "x"}
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    down = connection_test(connection=None, type="CLICKHOUSE", config={"host": "127.0.0.1", "port": closed})

    assert up.ok is True and up.message == f"{pg_login.host}:{pg_login.port} is reachable (TCP)"
    assert down.ok is False and down.message.startswith(f"could not connect to 127.0.0.1:{closed}")


def test_a_blank_password_tests_with_the_stored_one_and_an_edit_keeps_it(workspace, pg_login):
    connection = _dws(workspace, pg_login, password=pg_login.password)

    # Form values not saved yet, the password field left blank: the stored password is used.
    unsaved = connection_test(
        connection=connection,
        type="DWS",
        config={**connection.config, "database": "postgres"},
        secrets={"password": ""},
    )
    connection_update(connection=connection, user=None, description="prod", secrets={"password": ""})

    assert unsaved.ok is True
    assert connection_test(connection=connection).ok is True
    assert connection.secret_fields == ["password"]


def test_types_without_an_endpoint_say_why_and_bad_input_is_refused(workspace):
    dli = connection_test(connection=None, type="DLI", config={"region": "ap-southeast-1"})
    no_host = connection_test(connection=None, type="DWS", config={"port": 8000, "userName": "u"})

    assert dli.ok is False and "nothing to test" in dli.message
    assert no_host.ok is False and no_host.message == "Enter the host to test the connection."
    with pytest.raises(ValidationError, match="secret"):
        connection_test(connection=None, type="DWS", config={"host": "h", "password": "x"})
