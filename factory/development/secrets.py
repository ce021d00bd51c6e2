"""The secrets a job document holds, kept apart from it: never in ``Job.document``, never in a version.

Two kinds of value are secret, as the export's redaction has it (``factory.packages.redact``): node
properties flagged ``"value_is_sensitive": true`` or declared sensitive by the node-type registry
(RESTAPI ``authPassword``, ...), and parameters that are masked (named in the top-level ``maskedParams``
or carrying ``"masked": true``). ``job_secrets_split`` empties them in the document (flags kept) and hands
the values back apart, keyed ``node:<node name>:<property name>`` and ``param:<parameter name>`` (node
names hold no ``:``), for ``Job.secrets_encrypted``; ``Job.secret_fields`` lists the keys.

What an incoming value means, as for a connection's password field:

- a non-empty value sets the secret;
- an empty value (``""``, or the property without ``value``) keeps the stored secret of the same key;
- ``null`` for a property clears it (parameters are text, so a masked parameter is cleared by unmasking
  or removing it);
- a key the document no longer has (a node or parameter removed, a flag or mask taken off) drops its
  secret. Renaming a node changes its keys: its secrets are dropped, not moved, so they are typed in again.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from factory.development.nodes import node_type_get
from factory.packages.redact import flag_true

NODE_PREFIX = "node:"
PARAM_PREFIX = "param:"


def node_secret_key(node: str, prop: str) -> str:
    return f"{NODE_PREFIX}{node}:{prop}"


def param_secret_key(name: str) -> str:
    return f"{PARAM_PREFIX}{name}"


def _slots(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(key, the property or parameter object) for every place of ``document`` that holds a secret."""
    nodes = document.get("nodes")
    for node in nodes if isinstance(nodes, list) else ():
        if not isinstance(node, dict) or not isinstance(node.get("name"), str):
            continue
        node_type = node_type_get(node["type"]) if isinstance(node.get("type"), str) else None
        registry = {f.name for f in node_type.fields if f.sensitive} if node_type else set()
        properties = node.get("properties")
        for prop in properties if isinstance(properties, list) else ():
            if not isinstance(prop, dict) or not isinstance(prop.get("name"), str):
                continue
            if prop["name"] in registry or flag_true(prop.get("value_is_sensitive")):
                yield node_secret_key(node["name"], prop["name"]), prop
    masked = document.get("maskedParams")
    masked_names = {n for n in masked if isinstance(n, str)} if isinstance(masked, list) else set()
    params = document.get("params")
    for param in params if isinstance(params, list) else ():
        if not isinstance(param, dict) or not isinstance(param.get("name"), str):
            continue
        if param["name"] in masked_names or flag_true(param.get("masked")):
            yield param_secret_key(param["name"]), param


def job_secrets_split(
    *, document: dict[str, Any], stored: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``document`` with every secret value emptied, and the job's secrets after this write.

    ``stored`` are the job's secrets before it (empty for a new job); see the module for what an incoming
    value means. Never mutates its arguments; tolerant of documents that are not valid.
    """
    doc = copy.deepcopy(document)
    secrets: dict[str, Any] = {}
    if not isinstance(doc, dict):
        return doc, secrets
    for key, slot in _slots(doc):
        if "value" not in slot or slot["value"] == "":
            if key not in secrets and key in stored:
                secrets[key] = stored[key]
        elif slot["value"] is None:
            secrets.pop(key, None)
        else:
            secrets[key] = slot["value"]
            slot["value"] = ""
    return doc, secrets


def job_document_redacted(*, document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with its secret values emptied (registry-sensitive properties included), for what was
    stored before secrets were kept apart (versions)."""
    doc, _ = job_secrets_split(document=document, stored={})
    return doc
