"""Emptying the secrets a job document may hold, before it leaves the installation.

DataArts exports "exclude sensitive information such as passwords". In a job document that means: node
properties marked ``"value_is_sensitive": true`` and job parameters that are masked (listed in the
top-level ``maskedParams`` or carrying ``"masked": true``), flagged by the document itself; and, flagged
or not, properties and parameters whose name looks like a secret (``db_password``, ``apiKey``; see
``factory.packages.secrets``). Their values become ``""`` while the flags stay, so that an import knows
to ask for them again. In every other property or parameter value only the secret parts are emptied (the
password of a URL, an ``Authorization:`` header line, the value after ``--password``), so that the rest
of the value survives. Environment variables follow the same rules (``environment_redact``).

Scripts are deliberately *not* redacted by guessing from key names: they carry no such flags, and a
guess would silently corrupt ordinary configuration. Connection secrets are never read at all.
"""

from __future__ import annotations

import copy
from typing import Any

from factory.packages.secrets import secret_name_like, text_secrets_redact


def flag_true(value: Any) -> bool:
    """Is a ``value_is_sensitive`` / ``masked`` flag set? Real exports write flags both as JSON booleans
    and as strings ("true")."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def job_document_redact(*, document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with sensitive property values and masked parameter values emptied.

    Never mutates its input, and copies only what it changes: the nodes, properties and parameters on the
    way to an emptied value are new objects, everything else is shared with ``document`` (a package's
    job is redacted more than once on its way out; a deep copy of every document each time was most of
    an export's work). Tolerant of documents that are not valid (it only touches what it finds).
    """
    if not isinstance(document, dict):
        return copy.deepcopy(document)
    result = dict(document)
    nodes = document.get("nodes")
    if isinstance(nodes, list):
        new_nodes = [_node_redacted(node) for node in nodes]
        if any(new is not old for new, old in zip(new_nodes, nodes, strict=True)):
            result["nodes"] = new_nodes
    params = document.get("params")
    if isinstance(params, list):
        masked = document.get("maskedParams")
        masked_names = (
            {name for name in masked if isinstance(name, str)} if isinstance(masked, list) else set()
        )
        new_params = [_param_redacted(param, masked_names) for param in params]
        if any(new is not old for new, old in zip(new_params, params, strict=True)):
            result["params"] = new_params
    return result


def _emptied(item: dict[str, Any]) -> dict[str, Any]:
    return {**item, "value": ""}


def _value_redacted(item: dict[str, Any], *, whole: bool) -> dict[str, Any]:
    """``item`` (a property or parameter) itself when it holds no secret, else a copy without it: its
    value emptied when ``whole`` or when its name looks secret, else only the secret parts of a text."""
    if "value" not in item or item["value"] == "":
        return item
    if whole or secret_name_like(item.get("name")):
        return _emptied(item)
    value = item["value"]
    if isinstance(value, str):
        redacted = text_secrets_redact(value)
        if redacted is not value:
            return {**item, "value": redacted}
    return item


def _node_redacted(node: Any) -> Any:
    """``node`` itself when none of its properties holds a secret, else a copy with them emptied."""
    properties = node.get("properties") if isinstance(node, dict) else None
    if not isinstance(properties, list):
        return node
    new_properties = [
        _value_redacted(prop, whole=flag_true(prop.get("value_is_sensitive")))
        if isinstance(prop, dict)
        else prop
        for prop in properties
    ]
    changed = any(new is not old for new, old in zip(new_properties, properties, strict=True))
    return {**node, "properties": new_properties} if changed else node


def _param_redacted(param: Any, masked_names: set[str]) -> Any:
    if not isinstance(param, dict):
        return param
    name = param.get("name")
    masked = (isinstance(name, str) and name in masked_names) or flag_true(param.get("masked"))
    return _value_redacted(param, whole=masked)


def environment_redact(*, variables: list[Any]) -> list[Any]:
    """Environment variables (``environment/variables.json``) with the values of those named like a secret
    emptied and the secret parts of the others; ``variables`` itself when none holds a secret."""
    redacted = [_value_redacted(v, whole=False) if isinstance(v, dict) else v for v in variables]
    return (
        redacted if any(new is not old for new, old in zip(redacted, variables, strict=True)) else variables
    )
