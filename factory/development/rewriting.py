"""Text rewrite rules (an environment profile's, an import's choices) applied to a job or a script, with
what the node-type registry knows: the properties that refer to other objects (the reference maps rename
those) and the sensitive ones are never rewritten. The import (so its change-set) and the promotion call
these; ``factory.packages.rewrite`` does the work."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from factory.development.nodes import NODE_TYPES, node_type_get
from factory.packages.rewrite import RewriteResult, TextRule, job_rewrite, script_rewrite


@cache
def _node_properties() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """(node type -> sensitive property names, node type -> reference property names)."""
    sensitive = {code: t.sensitive_fields for code, t in NODE_TYPES.items() if t.sensitive_fields}
    references = {code: frozenset(f.name for f in t.reference_fields) for code, t in NODE_TYPES.items()}
    return sensitive, references


def job_document_rewrite(*, document: Any, rules: Sequence[TextRule]) -> RewriteResult:
    sensitive, references = _node_properties()
    return job_rewrite(document, rules, sensitive_properties=sensitive, reference_properties=references)


def script_document_rewrite(*, document: Any, rules: Sequence[TextRule]) -> RewriteResult:
    """A script's keys that name other objects are its type's node's reference fields (a ``DWSSQL``
    script's ``connectionName``), as ``script_references`` reads them."""
    script_type = str(document.get("type") or "") if isinstance(document, dict) else ""
    node_type = node_type_get(script_type) or next(
        (t for code, t in NODE_TYPES.items() if code.lower() == script_type.lower()), None
    )
    keys = {f.name for f in node_type.reference_fields} if node_type else set()
    # Whatever the type, these two always name objects (a script of a type the registry does not know too).
    return script_rewrite(document, rules, reference_keys=keys | {"connectionName", "queueName"})
