"""A PostgreSQL login with a password on the server the harness started, for the connection Test button.

The harness's server trusts local connections (any password passes), so the fixture adds one line to the
top of its pg_hba.conf that asks this role, and only it, for its password, and reloads the server. Other
connections match the lines below as before; the line and the role go when the session ends. A server
given in DATABASE_URL whose pg_hba.conf is not ours to write is left alone (such servers ask for passwords).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg import sql

from tests.harness import require_postgresql


@dataclass(frozen=True)
class PgLogin:
    host: str
    port: int
    user: str
    password: str
    version: str  # the server's major.minor, e.g. "15.6"


def _admin_connect() -> psycopg.Connection:
    url = urlsplit(os.environ["DATABASE_URL"])
    return psycopg.connect(
        host=url.hostname,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname=(url.path or "/postgres").lstrip("/") or "postgres",
        autocommit=True,
    )


@pytest.fixture(scope="session")
def pg_login(django_db_setup: None) -> Iterator[PgLogin]:
    require_postgresql("Testing a DWS connection")
    user, password = f"conn_test_{secrets.token_hex(4)}", f"Pw-{secrets.token_hex(8)}"
    url = urlsplit(os.environ["DATABASE_URL"])
    with _admin_connect() as admin:
        admin.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(user), sql.Literal(password))
        )
        version = admin.execute("SHOW server_version").fetchone()[0].split()[0]
        hba = Path(admin.execute("SHOW hba_file").fetchone()[0])
        original = hba.read_text() if hba.exists() and os.access(hba, os.W_OK) else None
        if original is not None:
            hba.write_text(f"host all {user} all scram-sha-256\n{original}")
            admin.execute("SELECT pg_reload_conf()")
    try:
        yield PgLogin(
            host=url.hostname or "127.0.0.1",
            port=url.port or 5432,
            user=user,
            password=password,
            version=version,
        )
    finally:
        with _admin_connect() as admin:
            if original is not None:
                hba.write_text(original)
                admin.execute("SELECT pg_reload_conf()")
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(user)))


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
