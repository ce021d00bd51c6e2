"""Fixtures of the connection tests: a PostgreSQL login with a password (tests/connections/pg.py)."""

from tests.connections.pg import pg_login  # noqa: F401
