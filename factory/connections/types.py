"""The fields of each data connection type, as the console's form shows them.

The one place that knows which ``config`` keys a type uses and which values are secrets: the form in the
console is generated from ``connection_types_describe``, and the connection test reads host, port and user
from here. Keys follow DataArts' own create-connection bodies (``host``, ``port``, ``userName``,
``clusterName``, ``agentName``, ...); secret fields go to ``secrets`` (stored encrypted, never returned),
the rest to ``config``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .models import ConnectionType


@dataclass(frozen=True)
class ConnectionField:
    """One field of a connection form."""

    name: str
    label: str
    widget: str = "text"  # text | number | password | boolean | select
    required: bool = False
    secret: bool = False
    default: Any = None
    help: str = ""
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConnectionTypeSpec:
    code: str
    label: str
    fields: tuple[ConnectionField, ...]
    # How the Test button checks it: "postgres" (a real login with psycopg), "tcp" (the host answers on
    # its port) or "none" (a serverless service with nothing of ours to reach).
    test: str = "tcp"


def _host(
    default_port: int | None, *, host_key: str = "host", label: str = "Host"
) -> tuple[ConnectionField, ...]:
    return (
        ConnectionField(host_key, label, required=True, help="Address or domain name of the server."),
        ConnectionField("port", "Port", widget="number", required=True, default=default_port),
    )


_USER = ConnectionField("userName", "Username", required=True)
_PASSWORD = ConnectionField(
    "password", "Password", widget="password", secret=True, help="Stored encrypted; never shown again."
)
_AGENT = ConnectionField("agentName", "Agent (CDM cluster)", help="CDM cluster that reaches the server.")
_SSL = ConnectionField("sslEnable", "SSL Encryption", widget="boolean", default=False)
_KMS = ConnectionField("kmsKey", "KMS Key", help="Key that encrypts the password in DataArts.")
_DATABASE = ConnectionField(
    "database", "Database", default="postgres", help="Database the Test button logs in to."
)
_MRS = (
    ConnectionField("clusterName", "MRS Cluster", required=True),
    ConnectionField(
        "connectionMode", "Connection Mode", widget="select", options=("agent", "proxy"), default="agent"
    ),
    _USER,
    _PASSWORD,
    _AGENT,
)

CONNECTION_TYPES: dict[str, ConnectionTypeSpec] = {
    spec.code: spec
    for spec in (
        ConnectionTypeSpec(
            ConnectionType.DWS,
            "DWS",
            (*_host(8000), _USER, _PASSWORD, _DATABASE, _SSL, _AGENT, _KMS),
            test="postgres",
        ),
        ConnectionTypeSpec(
            ConnectionType.RDS,
            "RDS",
            (
                ConnectionField(
                    "engine",
                    "Database Engine",
                    widget="select",
                    options=("MySQL", "PostgreSQL"),
                    default="MySQL",
                    required=True,
                ),
                *_host(3306),
                _USER,
                _PASSWORD,
                _DATABASE,
                ConnectionField("driverName", "Driver Name", help="e.g. com.mysql.cj.jdbc.Driver"),
                ConnectionField("driverPath", "Driver Path", help="obs:// path of the JDBC driver."),
                _AGENT,
                _KMS,
            ),
            test="postgres",  # when the engine is PostgreSQL; a TCP check otherwise
        ),
        ConnectionTypeSpec(
            ConnectionType.DLI,
            "DLI",
            (ConnectionField("region", "Region", help="e.g. ap-southeast-1"),),
            test="none",
        ),
        ConnectionTypeSpec(
            ConnectionType.HIVE,
            "MRS Hive",
            (*_MRS, ConnectionField("ldapPassword", "LDAP Password", widget="password", secret=True)),
            test="none",
        ),
        ConnectionTypeSpec(ConnectionType.SPARK, "MRS Spark", _MRS, test="none"),
        ConnectionTypeSpec(
            ConnectionType.HOST,
            "Host",
            (
                *_host(22, host_key="ip", label="Host Address"),
                _USER,
                _PASSWORD,
                ConnectionField(
                    "keyPair", "Key Pair", widget="password", secret=True, help="Private key, if used."
                ),
                ConnectionField("keyPairPassword", "Key Pair Password", widget="password", secret=True),
                _AGENT,
            ),
        ),
        ConnectionTypeSpec(
            ConnectionType.CLOUDTABLE,
            "CloudTable",
            (ConnectionField("clusterName", "CloudTable Cluster", required=True), _AGENT),
            test="none",
        ),
        ConnectionTypeSpec(
            ConnectionType.KAFKA,
            "MRS Kafka",
            (*_MRS[:1], ConnectionField("bootstrapServers", "Kafka Broker", help="host:port"), *_MRS[2:]),
            test="none",
        ),
        ConnectionTypeSpec(ConnectionType.PRESTO, "MRS Presto", _MRS, test="none"),
        ConnectionTypeSpec(
            ConnectionType.CLICKHOUSE, "MRS ClickHouse", (*_host(8123), _USER, _PASSWORD, _AGENT)
        ),
        ConnectionTypeSpec(ConnectionType.DORIS, "Doris", (*_host(9030), _USER, _PASSWORD, _AGENT)),
        ConnectionTypeSpec(
            ConnectionType.REST,
            "REST",
            (
                ConnectionField("host", "Host Address", required=True, help="https://host:port"),
                ConnectionField(
                    "authType",
                    "Authentication",
                    widget="select",
                    options=("NONE", "BASIC", "TOKEN"),
                    default="NONE",
                ),
                ConnectionField("userName", "Username"),
                _PASSWORD,
                ConnectionField("token", "Token", widget="password", secret=True),
                _AGENT,
            ),
        ),
    )
}


def connection_type_spec(code: str) -> ConnectionTypeSpec | None:
    return CONNECTION_TYPES.get(code)


def connection_types_describe() -> list[dict[str, Any]]:
    """The registry as plain data for the console's connection form."""
    return [
        {
            "code": spec.code,
            "label": spec.label,
            "test": spec.test,
            "fields": [
                {
                    "name": f.name,
                    "label": f.label,
                    "widget": f.widget,
                    "required": f.required,
                    "secret": f.secret,
                    "default": f.default,
                    "help": f.help,
                    "options": list(f.options),
                }
                for f in spec.fields
            ],
        }
        for spec in CONNECTION_TYPES.values()
    ]
