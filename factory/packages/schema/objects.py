"""Validation of the other documents a package carries: scripts, resources, connections, environment.

Shapes follow DataArts' create APIs (reference sections 4.3-4.6). Unknown keys are allowed and kept.
"""

from __future__ import annotations

from typing import Any

from factory.packages.jsonio import JsonPath, path_text
from factory.packages.limits import DEFAULT_LIMITS, Limits
from factory.packages.names import JOB_NAME_EXTRA, PARAM_NAME_EXTRA
from factory.packages.schema.common import (
    as_list,
    as_object,
    as_str,
    at,
    check_directory,
    check_enum,
    check_length,
    check_name,
    check_unique,
    fail,
    required,
)
from factory.packages.secrets import secret_name_like, text_secrets_found

SCRIPT_TYPES = (
    "FlinkSQL",
    "DLISQL",
    "SparkSQL",
    "HiveSQL",
    "DWSSQL",
    "RDSSQL",
    "Shell",
    "PRESTO",
    "ClickHouseSQL",
    "HetuEngineSQL",
    "PYTHON",
    "Python",
    "ImpalaSQL",
    "SparkPython",  # huaweicloudsdkdataartsstudio's ScriptInfo; older references write "Spark Python"
    "Spark Python",
)
RESOURCE_TYPES = ("jar", "pyFile", "file", "archive")
MAX_RESOURCE_NAME = 32
MAX_RESOURCE_LOCATION = 1023
MAX_DESCRIPTION = 255
MAX_CONNECTION_NAME = 100
MAX_VARIABLE_NAME = 64


def script_document_validate(*, document: Any, limits: Limits = DEFAULT_LIMITS) -> None:
    """A ``.script`` file: the body of DataArts' create-script API."""
    doc = as_object(document, field=None)
    check_name(
        required(doc, "name"),
        field="name",
        what="script name",
        extra=JOB_NAME_EXTRA,
        max_length=limits.max_name_length,
    )
    check_enum(required(doc, "type"), field="type", allowed=SCRIPT_TYPES)
    if "content" in doc:
        content = as_str(doc["content"], field="content")
        # Counting UTF-8 bytes needs an encode; skip it when even 4 bytes a character would fit.
        if len(content) * 4 > limits.max_script_content_bytes:
            size = len(content.encode("utf-8", "surrogatepass"))
            if size > limits.max_script_content_bytes:
                fail(
                    code="schema.too_large",
                    field="content",
                    message=f"the script is {size} bytes long; at most {limits.max_script_content_bytes} are allowed",
                )
    for key in ("connectionName", "database", "queueName"):
        if key in doc:
            as_str(doc[key], field=key)
    if "configuration" in doc:
        as_object(doc["configuration"], field="configuration")
    if "directory" in doc:
        check_directory(doc["directory"], field="directory")


def resource_document_validate(*, document: Any, limits: Limits = DEFAULT_LIMITS) -> None:
    """A ``.resource`` file: the body of DataArts' create-resource API (a JAR, Python file, ... on OBS)."""
    doc = as_object(document, field=None)
    check_name(
        required(doc, "name"),
        field="name",
        what="resource name",
        extra=PARAM_NAME_EXTRA,
        max_length=MAX_RESOURCE_NAME,
    )
    check_enum(required(doc, "type"), field="type", allowed=RESOURCE_TYPES)
    location = as_str(required(doc, "location"), field="location")
    if not location.strip():
        fail(code="schema.invalid_value", field="location", message="the resource location must not be empty")
    check_length(location, field="location", max_chars=MAX_RESOURCE_LOCATION)
    if "dependFiles" in doc:
        for index, item in enumerate(as_list(doc["dependFiles"], field="dependFiles")):
            as_str(item, field=at("dependFiles", index))
    if "desc" in doc:
        check_length(as_str(doc["desc"], field="desc"), field="desc", max_chars=MAX_DESCRIPTION)
    if "directory" in doc:
        check_directory(doc["directory"], field="directory")


def connection_document_validate(*, document: Any, limits: Limits = DEFAULT_LIMITS) -> None:
    """A ``.conn`` file: a data connection's definition *without* its secrets.

    Secrets never enter a package. A non-empty value under a key that names a secret (``password``,
    ``ldapPassword``, ``sk``, ``token``, ``apiKey``, ``keytab``, ...; ``factory.packages.secrets``, the
    rule the console's connection services apply to config too) anywhere in ``config``, nested objects
    and lists included, is refused, and so is a text holding a secret in part (the password of a JDBC
    URL), so a caller that forgot to strip one cannot leak it through an export, and a hand-made package
    cannot smuggle one in.
    """
    doc = as_object(document, field=None)
    check_name(
        required(doc, "name"),
        field="name",
        what="connection name",
        extra=JOB_NAME_EXTRA,
        max_length=MAX_CONNECTION_NAME,
    )
    kind = as_str(required(doc, "type"), field="type")
    if not kind.strip():
        fail(code="schema.invalid_value", field="type", message="the connection type must not be empty")
    if "config" in doc:
        _secrets_absent_check(as_object(doc["config"], field="config"), field="config")
    if "description" in doc:
        as_str(doc["description"], field="description")


def _secrets_absent_check(config: dict[str, Any], *, field: str) -> None:
    """Refuse a non-empty value under a secret's key anywhere in ``config``: in nested objects and in
    the objects of lists too (``config.auth.password``, ``config.hosts[1].sshPassword``), as the
    console's ``config_check`` does. Iterative: a config nested as deeply as JSON parsing allows
    cannot exhaust the stack."""
    stack: list[tuple[Any, JsonPath]] = [(config, (None, field))]
    while stack:
        value, path = stack.pop()
        key = path[1] if path is not None else None
        if isinstance(key, str) and secret_name_like(key) and value not in (None, ""):
            fail(
                code="schema.secret_present",
                field=path_text(path),
                message="holds a secret; packages never carry connection secrets",
            )
        found = text_secrets_found(value) if isinstance(value, str) else []
        if found:
            fail(
                code="schema.secret_present",
                field=path_text(path),
                message=f"holds a secret ({found[0]}); packages never carry connection secrets",
            )
        if isinstance(value, dict):
            stack.extend((item, (path, str(k))) for k, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((value[i], (path, i)) for i in range(len(value) - 1, -1, -1))


def environment_document_validate(*, document: Any, limits: Limits = DEFAULT_LIMITS) -> None:
    """``environment/variables.json``: the workspace's environment variables as a list."""
    seen: dict[str, str] = {}
    for index, variable in enumerate(as_list(document, field=None)):
        item = at(None, index)
        variable = as_object(variable, field=item)
        name = check_name(
            required(variable, "name", prefix=item),
            field=at(item, "name"),
            what="variable name",
            extra=PARAM_NAME_EXTRA,
            max_length=MAX_VARIABLE_NAME,
        )
        check_unique(name, seen=seen, field=at(item, "name"), what="variable", code="schema.duplicate_name")
        as_str(required(variable, "value", prefix=item), field=at(item, "value"))
        if "description" in variable:
            as_str(variable["description"], field=at(item, "description"))


__all__ = [
    "connection_document_validate",
    "environment_document_validate",
    "resource_document_validate",
    "script_document_validate",
]
