"""What changed between two versions of a job, a script, a resource or a data connection definition.

Compare Versions and the import's change-set read these, so "changed" has to mean what a user would call a
change, and nothing else. Both sides are first brought to one normal form, in which these never differ:

- **canvas positions**: a node's ``location`` and the job's own are not compared (they are kept for
  drawing: the diff's nodes carry no position, the documents do);
- **order** where it means nothing: nodes, node properties, conditions and parameters are matched by
  name (``preNodeName`` for a condition); ``preNodeName`` (the edges), ``maskedParams``, a schedule's
  ``dependJobs`` lists, ``basicConfig.tags`` and ``approvers`` are sets. Key order never counts. Every
  other list is compared in order (a resource's ``dependFiles`` may be a class path);
- **defaults**, the importer's and DataArts' documented ones: a missing ``directory`` is ``/`` and ``/a/b/``
  is ``/a/b`` (``_target_directory`` and the development services write it so); a node's
  ``pollingInterval`` 10, ``maxExecutionTime`` 60, ``retryTimes`` 0, ``retryInterval`` 120 and
  ``failPolicy`` FAIL, and ``"10"`` for 10 in those numbers (real exports write strings); missing or
  empty ``preNodeName``, ``conditions``, ``properties``, ``params``; a parameter's ``type`` variable;
  ``value_is_sensitive`` and ``masked`` flags that are false or say what is secret anyway (the export
  flags every property the node-type registry or its name makes secret); a resource's ``dependFiles``
  ``[]``, ``desc`` ``""`` and ``directory`` ``/``; a connection's ``config`` ``{}`` and ``description``
  ``""``;
- **secret values**: compared only as set or unset. What is secret is what the export empties and the
  development services keep apart (``factory.packages.secrets``, the document's own flags, and the node
  types' sensitive properties the caller passes): the value of a flagged or secret-named property or
  parameter, of a masked parameter, of any key named like a secret; in every other text, the secret parts
  (a URL's password, an ``Authorization:`` line, ``--password x``), shown as ``******`` when set.

Pure Python, no Django: the import's inspection and the console's versions both call it. Results are frozen
dataclasses with a ``to_dict()`` in the console API's camelCase.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from factory.packages.redact import flag_true
from factory.packages.secrets import secret_name_like, text_secret_slots

ChangeKind = Literal["added", "removed", "changed"]
NodeStatus = Literal["added", "removed", "modified", "unchanged"]
EdgeStatus = Literal["added", "removed", "unchanged"]

SECRET_MASK = "******"
"""A set secret part of a text, as the diff shows it."""
NODE_DEFAULTS: dict[str, Any] = {
    "pollingInterval": 10,
    "maxExecutionTime": 60,
    "retryTimes": 0,
    "retryInterval": 120,
    "failPolicy": "FAIL",
}
"""DataArts' documented values of a node's fields when the document leaves them out."""
PARAM_DEFAULTS: dict[str, Any] = {"type": "variable"}
RESOURCE_DEFAULTS: dict[str, Any] = {"dependFiles": [], "desc": "", "directory": "/"}
"""What ``resource_document_check`` writes when a resource document leaves them out."""
CONNECTION_DEFAULTS: dict[str, Any] = {"config": {}, "description": ""}
"""What the import writes for a ``.conn`` that leaves them out."""
_NODE_NUMBERS = ("pollingInterval", "maxExecutionTime", "retryTimes", "retryInterval")
_DEPEND_SETS = ("jobs", "sameWorkSpaceJobs", "otherWorkSpaceJobs")
_INVALID = "#invalid"  # the key of list items that have no name to be matched by (invalid documents)


@dataclass(frozen=True)
class Secret:
    """A secret value in a normal form: only whether it is set is compared, never the value."""

    is_set: bool


# --- results -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One changed value: where (``path``, e.g. ``properties.database.value``, ``schedule.cron.expression``,
    ``params.p1.value``; keys that are not plain words quoted: ``properties["a.b"].value``), how, and the
    values before and after (``None`` for the side that lacks it). For a secret (``secret``), ``old`` and
    ``new`` say only whether it was set."""

    path: str
    kind: ChangeKind
    old: Any = None
    new: Any = None
    secret: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "old": self.old, "new": self.new, "secret": self.secret}


@dataclass(frozen=True)
class NodeDiff:
    """A node of either version, matched by name; ``changes`` (paths within the node) when ``modified``.
    ``type`` is the newer version's (the older one's for a removed node)."""

    name: str
    type: str
    status: NodeStatus
    changes: tuple[Change, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "status": self.status,
            "changes": [change.to_dict() for change in self.changes],
        }


@dataclass(frozen=True)
class EdgeDiff:
    """An edge of either version: ``target`` runs after ``source`` (``source`` is in its ``preNodeName``).
    A changed condition on it is a change of the target node (``conditions.<source>.expression``)."""

    source: str
    target: str
    status: EdgeStatus

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "status": self.status}


@dataclass(frozen=True)
class JobDiff:
    """Two versions of a job: every node and edge of either (with its status, so that the DAG can be drawn
    coloured), and the changes of the schedule, the parameters and every other job property."""

    nodes: tuple[NodeDiff, ...]
    edges: tuple[EdgeDiff, ...]
    schedule: tuple[Change, ...]
    params: tuple[Change, ...]
    properties: tuple[Change, ...]

    def _nodes(self, status: NodeStatus) -> tuple[str, ...]:
        return tuple(node.name for node in self.nodes if node.status == status)

    @property
    def nodes_added(self) -> tuple[str, ...]:
        return self._nodes("added")

    @property
    def nodes_removed(self) -> tuple[str, ...]:
        return self._nodes("removed")

    @property
    def nodes_modified(self) -> tuple[NodeDiff, ...]:
        return tuple(node for node in self.nodes if node.status == "modified")

    @property
    def edges_added(self) -> tuple[tuple[str, str], ...]:
        return tuple((e.source, e.target) for e in self.edges if e.status == "added")

    @property
    def edges_removed(self) -> tuple[tuple[str, str], ...]:
        return tuple((e.source, e.target) for e in self.edges if e.status == "removed")

    @property
    def changed(self) -> bool:
        return (
            any(node.status != "unchanged" for node in self.nodes)
            or any(edge.status != "unchanged" for edge in self.edges)
            or bool(self.schedule or self.params or self.properties)
        )

    def summary(self) -> dict[str, int]:
        return {
            "nodesAdded": len(self.nodes_added),
            "nodesRemoved": len(self.nodes_removed),
            "nodesModified": len(self.nodes_modified),
            "edgesAdded": len(self.edges_added),
            "edgesRemoved": len(self.edges_removed),
            "schedule": len(self.schedule),
            "params": len(self.params),
            "properties": len(self.properties),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "summary": self.summary(),
            "nodes": [node.to_dict() for node in self.nodes],
            "edges": [edge.to_dict() for edge in self.edges],
            "schedule": [change.to_dict() for change in self.schedule],
            "params": [change.to_dict() for change in self.params],
            "properties": [change.to_dict() for change in self.properties],
        }


@dataclass(frozen=True)
class ScriptDiff:
    """Two versions of a script: a unified line diff of its content (``content_diff``, empty when the
    content is the same) and the changes of every other property."""

    content_diff: tuple[str, ...]
    lines_added: int
    lines_removed: int
    properties: tuple[Change, ...]

    @property
    def content_changed(self) -> bool:
        return bool(self.content_diff)

    @property
    def changed(self) -> bool:
        return self.content_changed or bool(self.properties)

    def to_dict(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "contentDiff": list(self.content_diff),
            "linesAdded": self.lines_added,
            "linesRemoved": self.lines_removed,
            "properties": [change.to_dict() for change in self.properties],
        }


@dataclass(frozen=True)
class PropertiesDiff:
    """Two versions of a flat or nested definition (a resource, a data connection)."""

    properties: tuple[Change, ...]

    @property
    def changed(self) -> bool:
        return bool(self.properties)

    def to_dict(self) -> dict[str, Any]:
        return {"changed": self.changed, "properties": [change.to_dict() for change in self.properties]}


# --- the normal form ---------------------------------------------------------------------------------


def _is_set(value: Any) -> bool:
    return not (value is None or value == "" or value == [] or value == {})


def _text(value: str) -> str:
    """``value`` with each secret part shown as set (``******``) or unset (emptied)."""
    slots = text_secret_slots(value)
    if not slots:
        return value
    pieces: list[str] = []
    at = 0
    for slot in slots:
        pieces += [value[at : slot.start], "" if slot.empty else SECRET_MASK]
        at = slot.end
    pieces.append(value[at:])
    return "".join(pieces)


def _plain(value: Any) -> Any:
    """Any JSON value in its normal form: texts' secret parts masked, secret-named keys as ``Secret``."""
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, dict):
        return _object(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _object(obj: Mapping[Any, Any], *, skip: Collection[str] = ()) -> dict[str, Any]:
    """An object in its normal form; an unset secret is left out, as the import drops empty ones."""
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if key in skip:
            continue
        if secret_name_like(key) and not isinstance(value, bool):
            if _is_set(value):
                out[key] = Secret(True)
        else:
            out[key] = _plain(value)
    return out


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr)


def _unordered(value: Any) -> Any:
    """A list whose order means nothing, sorted (anything else as it is)."""
    return sorted(value, key=_sort_key) if isinstance(value, list) else value


def _keyed(items: Any, key: str, normal: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    """A list of objects matched by ``key`` as ``{key: normal form}``; a name given twice maps to its items
    in a fixed order, items without a name go under ``#invalid``: the result never depends on the order."""
    grouped: dict[str, list[Any]] = {}
    for item in items if isinstance(items, list) else ():
        if isinstance(item, dict) and isinstance(item.get(key), str):
            grouped.setdefault(item[key], []).append(normal(item))
        else:
            grouped.setdefault(_INVALID, []).append(_plain(item))
    return {
        name: group[0] if len(group) == 1 and name != _INVALID else _unordered(group)
        for name, group in grouped.items()
    }


def _directory(value: Any) -> Any:
    """``/a/b`` for ``/a/b/``, ``a/b`` or ``//a//b``; ``/`` for a missing or blank one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "/"
    if not isinstance(value, str):
        return _plain(value)
    return "/" + "/".join(part for part in value.split("/") if part)


def _number(value: Any) -> Any:
    """An integer for an integer string or float (``"10"``, ``10.0``), else the value."""
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,18}\s*", value):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _with_defaults(out: dict[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    for key, default in defaults.items():
        if out.get(key) is None:
            out[key] = _plain(default)
    return out


def _cron(value: Any) -> Any:
    cron = _plain(value)
    depend = cron.get("dependJobs") if isinstance(cron, dict) else None
    if isinstance(depend, dict):
        cron["dependJobs"] = {k: _unordered(v) if k in _DEPEND_SETS else v for k, v in depend.items()}
    return cron


def _schedule(value: Any) -> Any:
    schedule = _plain(value)
    if isinstance(schedule, dict) and isinstance(value, dict) and "cron" in value:
        schedule["cron"] = _cron(value["cron"])
    return schedule


def _property(prop: dict[str, Any], sensitive: Collection[str]) -> dict[str, Any]:
    name = prop["name"]
    whole = flag_true(prop.get("value_is_sensitive")) or secret_name_like(name) or name in sensitive
    out = _object(prop, skip=("name", "value", "value_is_sensitive"))
    if whole:
        out["value_is_sensitive"] = True
        out["value"] = Secret(_is_set(prop.get("value")))
    elif "value" in prop:
        out["value"] = _plain(prop["value"])
    return out


def _param(param: dict[str, Any], masked: set[str]) -> dict[str, Any]:
    name = param["name"]
    is_masked = name in masked or flag_true(param.get("masked"))
    out = _object(param, skip=("name", "value", "masked"))
    if is_masked:
        out["masked"] = True
    if is_masked or secret_name_like(name):
        out["value"] = Secret(_is_set(param.get("value")))
    elif "value" in param:
        out["value"] = _plain(param["value"])
    return _with_defaults(out, PARAM_DEFAULTS)


def _node(node: dict[str, Any], sensitive: Collection[str]) -> dict[str, Any]:
    """A node without its name, position and edges (``preNodeName``), which are compared apart."""
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("name", "location", "preNodeName"):
            continue
        if key == "properties":
            properties = _keyed(value, "name", lambda prop: _property(prop, sensitive))
            if properties:
                out[key] = properties
        elif key == "conditions":
            conditions = _keyed(value, "preNodeName", lambda c: _object(c, skip=("preNodeName",)))
            if conditions:
                out[key] = conditions
        elif key in _NODE_NUMBERS:
            out[key] = _number(value)
        elif key == "cronTrigger":
            out[key] = _cron(value)
        elif secret_name_like(key) and not isinstance(value, bool):
            if _is_set(value):
                out[key] = Secret(True)
        else:
            out[key] = _plain(value)
    return _with_defaults(out, NODE_DEFAULTS)


@dataclass
class _Job:
    """A job document in its normal form, in the parts that are compared apart."""

    nodes: dict[str, dict[str, Any]]
    types: dict[str, str]
    edges: set[tuple[str, str]]
    schedule: dict[str, Any]  # {"schedule": ...} or {} when the document has none
    params: dict[str, Any]  # {"params": {name: ...}} or {} when it has none
    rest: dict[str, Any]


def _job(document: Any, sensitive: Mapping[str, Collection[str]]) -> _Job:
    doc: Mapping[str, Any] = document if isinstance(document, Mapping) else {}
    listed = doc.get("maskedParams")
    masked = {name for name in listed if isinstance(name, str)} if isinstance(listed, list) else set()
    job = _Job(nodes={}, types={}, edges=set(), schedule={}, params={}, rest={})
    nodes = doc.get("nodes")
    for node in nodes if isinstance(nodes, list) else ():
        if not isinstance(node, dict) or not isinstance(node.get("name"), str):
            continue
        name = node["name"]
        if name in job.nodes:
            continue  # a name given twice (an invalid document): the first one counts
        node_type = node.get("type")
        job.types[name] = node_type if isinstance(node_type, str) else ""
        job.nodes[name] = _node(node, sensitive.get(job.types[name], ()))
        pre_nodes = node.get("preNodeName")
        for pre in pre_nodes if isinstance(pre_nodes, list) else ():
            if isinstance(pre, str):
                job.edges.add((pre, name))
    params = _keyed(doc.get("params"), "name", lambda param: _param(param, masked))
    if params:
        job.params["params"] = params
    if "schedule" in doc:
        job.schedule["schedule"] = _schedule(doc["schedule"])
    rest = _object(doc, skip=("nodes", "params", "maskedParams", "schedule", "location", "directory"))
    rest["directory"] = _directory(doc.get("directory"))
    for key in ("approvers",):
        if key in rest:
            rest[key] = _unordered(rest[key])
    basic = rest.get("basicConfig")
    if isinstance(basic, dict) and "tags" in basic:
        rest["basicConfig"] = {**basic, "tags": _unordered(basic["tags"])}
    job.rest = rest
    return job


# --- comparing normal forms ----------------------------------------------------------------------------


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: ``true`` is not ``1`` (Python's ``==`` says it is), ``1`` is ``1.0``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def path_text(segments: Iterable[Any]) -> str:
    """``properties.database.value``; a key that is not a plain word is quoted: ``properties["a.b"]``."""
    text = ""
    for segment in segments:
        segment = str(segment)
        if _WORD.fullmatch(segment):
            text += f".{segment}" if text else segment
        else:
            text += f"[{json.dumps(segment, ensure_ascii=False)}]"
    return text


def _shown(value: Any) -> Any:
    """A normal-form value as JSON: a secret inside a larger value is masked."""
    if isinstance(value, Secret):
        return SECRET_MASK if value.is_set else ""
    if isinstance(value, dict):
        return {key: _shown(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shown(item) for item in value]
    return value


def _change(path: tuple[Any, ...], kind: ChangeKind, old: Any, new: Any) -> Change:
    secret = isinstance(old, Secret) or isinstance(new, Secret)
    if secret:
        return Change(
            path_text(path),
            kind,
            old.is_set if isinstance(old, Secret) else None if kind == "added" else _is_set(old),
            new.is_set if isinstance(new, Secret) else None if kind == "removed" else _is_set(new),
            secret=True,
        )
    return Change(path_text(path), kind, _shown(old), _shown(new))


def _leaves(value: Any, path: tuple[Any, ...], kind: ChangeKind, out: list[Change]) -> None:
    """A value only one side has, one change per leaf (so that a secret inside it stays a secret)."""
    if isinstance(value, dict) and value:
        for key in sorted(value, key=str):
            _leaves(value[key], (*path, key), kind, out)
    elif kind == "added":
        out.append(_change(path, kind, None, value))
    else:
        out.append(_change(path, kind, value, None))


def _changes(old: Any, new: Any, path: tuple[Any, ...], out: list[Change]) -> list[Change]:
    if _equal(old, new):
        return out
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys(), key=str):
            if key not in new:
                _leaves(old[key], (*path, key), "removed", out)
            elif key not in old:
                _leaves(new[key], (*path, key), "added", out)
            else:
                _changes(old[key], new[key], (*path, key), out)
    else:
        out.append(_change(path, "changed", old, new))
    return out


# --- the diffs ---------------------------------------------------------------------------------------


def job_diff(
    old: Any, new: Any, *, sensitive_properties: Mapping[str, Collection[str]] | None = None
) -> JobDiff:
    """What changed from job document ``old`` to ``new``; see the module for what never counts.

    ``sensitive_properties`` (node type -> property names) are the node types' properties whose value is
    always secret (the development registry's ``sensitive`` fields), beyond those the document flags or
    that are named like a secret. Tolerant of documents that are not valid (it compares what it finds).
    """
    sensitive = sensitive_properties or {}
    before, after = _job(old, sensitive), _job(new, sensitive)
    nodes: list[NodeDiff] = []
    for name in sorted(before.nodes.keys() | after.nodes.keys()):
        if name not in before.nodes:
            nodes.append(NodeDiff(name, after.types[name], "added"))
        elif name not in after.nodes:
            nodes.append(NodeDiff(name, before.types[name], "removed"))
        else:
            changes = _changes(before.nodes[name], after.nodes[name], (), [])
            status: NodeStatus = "modified" if changes else "unchanged"
            nodes.append(NodeDiff(name, after.types[name], status, tuple(changes)))
    edges = tuple(
        EdgeDiff(
            source,
            target,
            "unchanged"
            if (source, target) in before.edges and (source, target) in after.edges
            else "added"
            if (source, target) in after.edges
            else "removed",
        )
        for source, target in sorted(before.edges | after.edges)
    )
    return JobDiff(
        nodes=tuple(nodes),
        edges=edges,
        schedule=tuple(_changes(before.schedule, after.schedule, (), [])),
        params=tuple(_changes(before.params, after.params, (), [])),
        properties=tuple(_changes(before.rest, after.rest, (), [])),
    )


def _content(document: Any) -> str:
    content = document.get("content") if isinstance(document, Mapping) else None
    return content if isinstance(content, str) else ""


def script_diff(old: Any, new: Any) -> ScriptDiff:
    """What changed from script document ``old`` to ``new``: a unified diff of the content (3 lines of
    context, ``--- before`` / ``+++ after``) and every other property (secret-aware, ``directory``
    normalised). The content is compared as it is: a script's text is never guessed at for secrets,
    as the export does not redact it either."""
    before_text, after_text = _content(old), _content(new)
    lines: tuple[str, ...] = ()
    added = removed = 0
    if before_text != after_text:
        lines = tuple(
            line.rstrip("\r\n")
            for line in difflib.unified_diff(
                before_text.splitlines(keepends=True),
                after_text.splitlines(keepends=True),
                "before",
                "after",
                lineterm="",
            )
        )
        for line in lines[2:]:
            if line.startswith("+"):
                added += 1
            elif line.startswith("-"):
                removed += 1

    def rest(document: Any) -> dict[str, Any]:
        doc: Mapping[str, Any] = document if isinstance(document, Mapping) else {}
        out = _object(doc, skip=("content", "directory"))
        out["directory"] = _directory(doc.get("directory"))
        return out

    return ScriptDiff(
        content_diff=lines,
        lines_added=added,
        lines_removed=removed,
        properties=tuple(_changes(rest(old), rest(new), (), [])),
    )


def properties_diff(old: Any, new: Any, *, defaults: Mapping[str, Any] | None = None) -> PropertiesDiff:
    """What changed from definition ``old`` to ``new`` (flat or nested objects), secret-aware: a key named
    like a secret compares only as set or unset (and an unset one as missing), texts' secret parts are
    masked. A key missing or null on one side is compared as its value in ``defaults``."""

    def normal(document: Any) -> dict[str, Any]:
        doc: Mapping[str, Any] = document if isinstance(document, Mapping) else {}
        return _with_defaults(_object(doc), defaults or {})

    return PropertiesDiff(properties=tuple(_changes(normal(old), normal(new), (), [])))


def resource_diff(old: Any, new: Any) -> PropertiesDiff:
    """A resource definition (``.resource``): ``properties_diff`` with the defaults its import writes."""

    def normal(document: Any) -> Any:
        if not isinstance(document, Mapping):
            return document
        return {**document, "directory": _directory(document.get("directory"))}

    return properties_diff(normal(old), normal(new), defaults=RESOURCE_DEFAULTS)


def connection_diff(old: Any, new: Any) -> PropertiesDiff:
    """A data connection definition (``.conn``, never holding a secret's value): ``properties_diff`` with
    the defaults its import writes."""
    return properties_diff(old, new, defaults=CONNECTION_DEFAULTS)


__all__ = [
    "CONNECTION_DEFAULTS",
    "NODE_DEFAULTS",
    "PARAM_DEFAULTS",
    "RESOURCE_DEFAULTS",
    "SECRET_MASK",
    "Change",
    "EdgeDiff",
    "JobDiff",
    "NodeDiff",
    "PropertiesDiff",
    "ScriptDiff",
    "Secret",
    "connection_diff",
    "job_diff",
    "path_text",
    "properties_diff",
    "resource_diff",
    "script_diff",
]
