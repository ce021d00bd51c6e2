"""The Test button of a data connection: can the console reach it with these settings?

DWS and RDS for PostgreSQL log in for real with psycopg (DWS speaks PostgreSQL's protocol), so a wrong
password fails with the server's own message; the other types with a host are checked by a TCP connect to
their port. Serverless types (DLI, MRS clusters reached through an agent) have nothing of ours to reach and
say so. Every check is bounded by ``CONNECTION_TEST_TIMEOUT_SECONDS`` (5 s by default), so a host that
drops packets answers within it.

The server makes these connections, so a developer can probe what the server reaches, as DataArts' own
Test button does from its agent: the endpoint needs the developer role, and the timeout bounds each probe.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import psycopg
from django.conf import settings

from factory.crypto import secrets_decrypt
from factory.errors import ErrorCode, ValidationError

from .models import DataConnection
from .services import config_check, secrets_check, secrets_merge
from .types import connection_type_spec

DEFAULT_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class ConnectionTestResult:
    ok: bool
    message: str
    elapsed_ms: int


def _timeout() -> float:
    return float(getattr(settings, "CONNECTION_TEST_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))


def _port(value: Any, default: int | None) -> int | None:
    try:
        port = int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return None
    return port if port is not None and 0 < port < 65536 else None


def _endpoint(*, type: str, config: dict[str, Any]) -> tuple[str, int] | str:
    """``(host, port)`` to reach, or why there is none."""
    spec = connection_type_spec(type)
    host_key = "ip" if type == "HOST" else "host"
    host = str(config.get(host_key) or "").strip()
    default_port = next((f.default for f in spec.fields if f.name == "port"), None) if spec else None
    if "://" in host:  # REST: a URL
        parts = urlsplit(host)
        default_port = parts.port or (443 if parts.scheme == "https" else 80)
        host = parts.hostname or ""
    if not host:
        return f"Enter the {'host address' if type == 'HOST' else 'host'} to test the connection."
    port = _port(config.get("port"), default_port)
    if port is None:
        return "The port must be a number from 1 to 65535."
    return host, port


def _scrubbed(message: str, secrets: dict[str, str]) -> str:
    for value in secrets.values():
        if value:
            message = message.replace(value, "******")
    return message


def _postgres(*, host: str, port: int, config: dict[str, Any], secrets: dict[str, str]) -> tuple[bool, str]:
    user = str(config.get("userName") or "").strip()
    if not user:
        return False, "Enter the username to test the connection."
    try:
        with psycopg.connect(
            host=host,
            port=port,
            user=user,
            password=secrets.get("password") or None,
            dbname=str(config.get("database") or "postgres"),
            connect_timeout=max(1, round(_timeout())),
            sslmode="require" if config.get("sslEnable") is True else "prefer",
            application_name="dataarts-factory-test",
        ) as conn:
            version = conn.execute("SHOW server_version").fetchone()
    except psycopg.OperationalError as exc:
        # libpq's message holds the server's reason ("password authentication failed for user ...").
        reason = str(exc).strip().splitlines()
        detail = next((line for line in reason if "FATAL" in line), reason[-1] if reason else str(exc))
        return False, f"could not connect: {detail.replace('FATAL:', '').strip()}"
    except psycopg.Error as exc:
        return False, f"could not connect: {exc}"
    server = version[0].split()[0] if version and version[0] else "?"
    return True, f"connected to postgres {server} as {user}"


def _tcp(*, host: str, port: int) -> tuple[bool, str]:
    timeout = _timeout()
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except TimeoutError:
        return False, f"host {host}:{port} unreachable within {timeout:g} s"
    except socket.gaierror:
        return False, f"could not connect: host name {host} not found"
    except OSError as exc:
        return False, f"could not connect to {host}:{port}: {exc.strerror or exc}"
    return True, f"{host}:{port} is reachable (TCP)"


def connection_check(*, type: str, config: dict[str, Any], secrets: dict[str, str]) -> ConnectionTestResult:
    """Try to reach a connection described by ``type``, ``config`` and its (decrypted) ``secrets``."""
    started = time.monotonic()
    spec = connection_type_spec(type)
    if spec is None:
        ok, message = False, f"Unknown connection type {type}."
    elif spec.test == "none":
        ok, message = (
            False,
            f"{spec.label} connections are reached through the cloud service; nothing to test here.",
        )
    else:
        endpoint = _endpoint(type=type, config=config)
        if isinstance(endpoint, str):
            ok, message = False, endpoint
        elif spec.test == "postgres" and (type != "RDS" or _is_postgres_rds(config)):
            ok, message = _postgres(host=endpoint[0], port=endpoint[1], config=config, secrets=secrets)
        else:
            ok, message = _tcp(host=endpoint[0], port=endpoint[1])
    elapsed = round((time.monotonic() - started) * 1000)
    return ConnectionTestResult(ok=ok, message=_scrubbed(message, secrets), elapsed_ms=elapsed)


def _is_postgres_rds(config: dict[str, Any]) -> bool:
    engine = str(config.get("engine") or "").lower()
    return engine == "postgresql" or "postgresql" in str(config.get("driverName") or "").lower()


def connection_test(
    *,
    connection: DataConnection | None,
    type: str | None = None,
    config: dict[str, Any] | None = None,
    secrets: dict[str, str | None] | None = None,
) -> ConnectionTestResult:
    """Test a saved connection as stored, or form values not saved yet (``type``, ``config``, ``secrets``).

    Values given replace the stored ones; a blank secret (``""``) means the stored one, as when saving, so
    that an edit form whose password is left blank tests with the password already kept.
    """
    if connection is None and type is None:
        raise ValidationError("type: choose the connection type to test.", fields={"type": ["Required."]})
    type = type or connection.type  # type: ignore[union-attr]
    if connection_type_spec(type) is None:
        raise ValidationError(
            f"Unknown connection type {type}.", code=ErrorCode.INVALID_TYPE, fields={"type": ["Unknown."]}
        )
    config = config_check(config=config) if config is not None else (connection.config if connection else {})
    stored = secrets_decrypt(ciphertext=connection.secrets_encrypted) if connection else {}
    values = secrets_merge(current=stored, changes=secrets_check(secrets=secrets or {}))
    return connection_check(type=type, config=config, secrets=values)
