"""Emptying the secrets a job document may hold, before it leaves the installation.

DataArts exports "exclude sensitive information such as passwords". In a job document that means two
things, both flagged by the document itself: node properties marked ``"value_is_sensitive": true`` and
job parameters that are masked (listed in the top-level ``maskedParams`` or carrying ``"masked": true``).
Their values become ``""`` while the flags stay, so that an import knows to ask for them again.

Scripts are deliberately *not* redacted by guessing from key names: they carry no such flags, and a
guess would silently corrupt ordinary configuration. Connection secrets are never read at all.
"""

from __future__ import annotations

import copy
from typing import Any


def flag_true(value: Any) -> bool:
    """Is a ``value_is_sensitive`` / ``masked`` flag set? Real exports write flags both as JSON booleans
    and as strings ("true")."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def job_document_redact(*, document: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``document`` with sensitive property values and masked parameter values emptied.

    Never mutates its input; tolerant of documents that are not valid (it only touches what it finds).
    """
    result = copy.deepcopy(document)
    if not isinstance(result, dict):
        return result
    nodes = result.get("nodes")
    for node in nodes if isinstance(nodes, list) else ():
        properties = node.get("properties") if isinstance(node, dict) else None
        for prop in properties if isinstance(properties, list) else ():
            if isinstance(prop, dict) and flag_true(prop.get("value_is_sensitive")) and "value" in prop:
                prop["value"] = ""
    masked = result.get("maskedParams")
    masked_names = {name for name in masked if isinstance(name, str)} if isinstance(masked, list) else set()
    params = result.get("params")
    for param in params if isinstance(params, list) else ():
        if not isinstance(param, dict):
            continue
        name = param.get("name")
        is_masked = (isinstance(name, str) and name in masked_names) or flag_true(param.get("masked"))
        if is_masked and "value" in param:
            param["value"] = ""
    return result
