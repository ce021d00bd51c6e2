"""Validation of job and script documents and directory paths, raised as the domain's ValidationError.

The document rules live in the package format (``factory.packages.schema``): what the console accepts is
exactly what an export writes and an import reads. This module only turns their errors into ours.
"""

from __future__ import annotations

import re
from typing import Any

from factory.development.models import MAX_DIRECTORY_DEPTH
from factory.errors import ErrorCode, ValidationError
from factory.packages.errors import PackageError
from factory.packages.schema import job_document_validate, script_document_validate

DIRECTORY_NAME_MAX = 64
_NODE_FIELD = re.compile(r"^nodes\[(\d+)\]")
_NODE_TRIGGER = re.compile(r"^nodes\[\d+\]\.cronTrigger")


def _document_check(validate: Any, document: Any, *, what: str) -> None:
    if not isinstance(document, dict):
        message = f"A {what} definition must be a JSON object."
        raise ValidationError(message, fields={"document": message})
    try:
        validate(document=document)
    except PackageError as exc:
        # Lead with where: the field path, and for a node also its name, which is what the canvas shows.
        where = exc.field or ""
        node = _NODE_FIELD.match(where)
        if node is not None:
            nodes, index = document.get("nodes"), int(node.group(1))
            found = nodes[index] if isinstance(nodes, list) and index < len(nodes) else None
            name = found.get("name") if isinstance(found, dict) else None
            if isinstance(name, str) and name:
                where = f"{where} (node {name})"
        message = f"{where}: {exc.message}" if where else exc.message
        raise ValidationError(
            message, code=_domain_code(exc), fields={exc.field or "document": exc.message}
        ) from exc


def _domain_code(exc: PackageError) -> ErrorCode | None:
    """A schedule problem (the job's, or a real-time node's ``cronTrigger``) is ``invalid_schedule``,
    which the v1 API answers as DataArts does, ``DLF.3025``; others keep the generic code."""
    where = exc.field or ""
    if where.startswith("schedule") or _NODE_TRIGGER.match(where):
        return ErrorCode.INVALID_SCHEDULE
    return None


def job_validate(document: Any) -> None:
    """Raise ValidationError naming the node or field when ``document`` is not a valid job definition.

    Beyond the package format's rules: a job has at least one node (DataArts refuses an empty one,
    ``DLF.1006``; a package may still carry one, and its import fails that job by name)."""
    _document_check(job_document_validate, document, what="job")
    nodes = document.get("nodes")
    if isinstance(nodes, list) and not nodes:
        name = document.get("name")
        message = f"Job {name} has no nodes; a job needs at least one node."
        raise ValidationError(message, code=ErrorCode.NODES_EMPTY, fields={"nodes": "Add at least one node."})


def script_validate(document: Any) -> None:
    """Raise ValidationError naming the field when ``document`` is not a valid script definition."""
    _document_check(script_document_validate, document, what="script")


def directory_name_validate(name: Any, *, field: str = "name") -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("A directory name must not be empty.", fields={field: "Enter a name."})
    if len(name) > DIRECTORY_NAME_MAX:
        message = f"Directory name {name[:20]}... is longer than {DIRECTORY_NAME_MAX} characters."
        raise ValidationError(message, fields={field: message})
    if "/" in name or name in (".", "..") or not name.isprintable():
        message = f'Directory name "{name}" is not allowed: no "/", control characters, "." or "..".'
        raise ValidationError(message, fields={field: message})
    return name


def directory_path_parse(path: Any, *, field: str = "path") -> list[str]:
    """The names along a directory path: "/a/b/" and "a/b" give ["a", "b"]; "/", "" and None give []."""
    if path is None:
        return []
    if not isinstance(path, str):
        message = "A directory path must be a string such as /a/b."
        raise ValidationError(message, fields={field: message})
    parts = [part for part in path.split("/") if part != ""]
    for part in parts:
        directory_name_validate(part, field=field)
    if len(parts) > MAX_DIRECTORY_DEPTH:
        message = (
            f"Directory /{'/'.join(parts)} is {len(parts)} levels deep; "
            f"directories nest at most {MAX_DIRECTORY_DEPTH} levels."
        )
        raise ValidationError(message, fields={field: message})
    return parts


def directory_path_normalize(path: Any, *, field: str = "path") -> str:
    """The canonical form of a directory path: "/a/b", or "/" for the root."""
    return "/" + "/".join(directory_path_parse(path, field=field))
