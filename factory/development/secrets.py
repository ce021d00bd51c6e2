"""The secrets a job document holds, kept apart from it: never in ``Job.document``, never in a version.

What is secret follows the export's redaction (``factory.packages.redact``, names and values by
``factory.packages.secrets``):

- whole values: node properties flagged ``"value_is_sensitive": true``, declared sensitive by the
  node-type registry (RESTAPI ``authPassword``, Shell ``interactiveArgs``, ...) or named like a secret
  (``dbPassword``); parameters that are masked (named in the top-level ``maskedParams`` or carrying
  ``"masked": true``) or named like a secret (``db_password``, ``apiKey``), masked or not;
- parts of the other text values: the password of a URL, an ``Authorization:`` (``Cookie:``,
  ``X-Api-Key:``, ``*-Token:``) header line, the value after ``--password``, ... Only that part is
  emptied; the rest of the value stays in the document.

``job_secrets_split`` empties them in the document (flags kept) and hands the values back apart, keyed
``node:<node name>:<property name>`` and ``param:<parameter name>`` (node names hold no ``:``), for
``Job.secrets_encrypted``; ``Job.secret_fields`` lists the keys. A whole secret is kept as its value, the
parts of a text as a list of ``[label, value]`` pairs (``factory.packages.secrets.text_secrets_split``).

What an incoming value means, as for a connection's password field:

- a non-empty value sets the secret (for a text, each secret part given sets that part);
- an empty value (``""``, or the property without ``value``) keeps the stored secret of the same key
  (for a text, an emptied part keeps the stored part of the same place, ``Authorization: `` the stored
  header value);
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
from factory.packages.secrets import secret_name_like, text_secrets_split

NODE_PREFIX = "node:"
PARAM_PREFIX = "param:"


def node_secret_key(node: str, prop: str) -> str:
    return f"{NODE_PREFIX}{node}:{prop}"


def param_secret_key(name: str) -> str:
    return f"{PARAM_PREFIX}{name}"


def _slots(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """(key, the property or parameter object, whether its whole value is secret) for every place of
    ``document`` that may hold a secret: every property and parameter (a text may hold one in part)."""
    nodes = document.get("nodes")
    for node in nodes if isinstance(nodes, list) else ():
        if not isinstance(node, dict) or not isinstance(node.get("name"), str):
            continue
        node_type = node_type_get(node["type"]) if isinstance(node.get("type"), str) else None
        registry = node_type.sensitive_fields if node_type else frozenset()
        properties = node.get("properties")
        for prop in properties if isinstance(properties, list) else ():
            if not isinstance(prop, dict) or not isinstance(prop.get("name"), str):
                continue
            name = prop["name"]
            whole = name in registry or flag_true(prop.get("value_is_sensitive")) or secret_name_like(name)
            yield node_secret_key(node["name"], name), prop, whole
    masked = document.get("maskedParams")
    masked_names = {n for n in masked if isinstance(n, str)} if isinstance(masked, list) else set()
    params = document.get("params")
    for param in params if isinstance(params, list) else ():
        if not isinstance(param, dict) or not isinstance(param.get("name"), str):
            continue
        name = param["name"]
        whole = name in masked_names or flag_true(param.get("masked")) or secret_name_like(name)
        yield param_secret_key(name), param, whole


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
    for key, slot, whole in _slots(doc):
        if not whole:
            value = slot.get("value")
            if isinstance(value, str) and value:
                before = stored.get(key)
                text, parts = text_secrets_split(value, before if isinstance(before, list) else None)
                if parts:
                    secrets[key] = parts
                slot["value"] = text
            continue
        before = stored.get(key)
        if "value" not in slot or slot["value"] == "":
            if key not in secrets and key in stored and not isinstance(before, list):
                secrets[key] = before
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
