"""Validation of a job document (the ``.job`` file, the body of DataArts' create-job API).

The development services call :func:`job_document_validate` on every save and the reader on every
``.job`` it reads, so one set of rules decides what the console stores and what a package may carry.
Only documented fields are checked; unknown keys are allowed everywhere and left untouched.
"""

from __future__ import annotations

import math
from typing import Any, cast

from factory.packages.limits import DEFAULT_LIMITS, Limits
from factory.packages.names import JOB_NAME_EXTRA, NODE_NAME_EXTRA, PARAM_NAME_EXTRA
from factory.packages.schema.common import (
    as_list,
    as_object,
    as_str,
    at,
    check_directory,
    check_enum,
    check_int_range,
    check_length,
    check_name,
    check_number,
    check_unique,
    fail,
    required,
    shown,
    wrong_type,
)
from factory.packages.schema.schedule import cron_check, schedule_check

PROCESS_TYPES = ("BATCH", "REAL_TIME")
SCHEDULE_TYPES = ("EXECUTE_ONCE", "CRON", "EVENT")
FAIL_POLICIES = ("FAIL", "IGNORE", "SUSPEND", "FAIL_CHILD")
PARAM_TYPES = ("variable", "constants")
MAX_PARAM_NAME = 64
MAX_PARAM_VALUE = 1_000_000
NODE_RANGES: dict[str, tuple[int, int]] = {
    "pollingInterval": (1, 60),
    "maxExecutionTime": (5, 1440),
    "retryTimes": (0, 5),
    "retryInterval": (5, 120),
}


def job_node_names(*, document: dict[str, Any]) -> list[str]:
    """The names of the job's nodes in document order; tolerant of a document that is not yet valid."""
    nodes = document.get("nodes") if isinstance(document, dict) else None
    if not isinstance(nodes, list):
        return []
    return [node["name"] for node in nodes if isinstance(node, dict) and isinstance(node.get("name"), str)]


def job_document_validate(*, document: Any, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise :class:`PackageError` (code ``schema.*``, with the field path) at the first problem."""
    doc = as_object(document, field=None)
    check_name(
        required(doc, "name"),
        field="name",
        what="job name",
        extra=JOB_NAME_EXTRA,
        max_length=limits.max_name_length,
    )
    check_enum(required(doc, "processType"), field="processType", allowed=PROCESS_TYPES)
    if "directory" in doc:
        check_directory(doc["directory"], field="directory")
    nodes = as_list(required(doc, "nodes"), field="nodes")
    if len(nodes) > limits.max_nodes_per_job:
        fail(
            code="schema.too_many_nodes",
            field="nodes",
            message=f"the job has {len(nodes)} nodes; at most {limits.max_nodes_per_job} are allowed",
        )
    names = _node_names_check(nodes, limits=limits)
    for index, node in enumerate(nodes):
        if not _node_plain(node, names=names):
            _node_check(node, field=at("nodes", index), names=names)
    _cycle_check(nodes)
    if "schedule" in doc:
        schedule = as_object(doc["schedule"], field="schedule")
        check_enum(
            required(schedule, "type", prefix="schedule"), field="schedule.type", allowed=SCHEDULE_TYPES
        )
        schedule_check(schedule, limits=limits)
    if "params" in doc:
        _params_check(as_list(doc["params"], field="params"))
    if "maskedParams" in doc:
        for index, item in enumerate(as_list(doc["maskedParams"], field="maskedParams")):
            as_str(item, field=at("maskedParams", index))


def _node_names_check(nodes: list[Any], *, limits: Limits) -> set[str]:
    seen: dict[str, str] = {}
    for index, node in enumerate(nodes):
        field = at("nodes", index)
        node = as_object(node, field=field)
        name = check_name(
            required(node, "name", prefix=field),
            field=at(field, "name"),
            what="node name",
            extra=NODE_NAME_EXTRA,
            max_length=limits.max_name_length,
        )
        check_unique(name, seen=seen, field=at(field, "name"), what="node name", code="schema.duplicate_node")
    return set(seen)


_ABSENT = object()


def _node_plain(node: dict[str, Any], *, names: set[str]) -> bool:
    """Is ``node`` certainly valid, by the rules of :func:`_node_check`, in its common shape (numbers as
    numbers, no conditions)? Checked without building a field path per value, which is most of the cost
    of validating a large job; ``False`` sends the node to :func:`_node_check`, which finds and names
    the problem (or accepts a less common shape)."""
    node_type = node.get("type")
    if not isinstance(node_type, str) or not node_type.strip():
        return False
    location = node.get("location", _ABSENT)
    if location is not _ABSENT:
        if not isinstance(location, dict):
            return False
        for axis in ("x", "y"):
            value = location.get(axis)
            # an exact type check (bool and other subclasses are not coordinates), which mypy cannot narrow by
            if type(value) not in (int, float) or not math.isfinite(cast(float, value)):
                return False
    pre_nodes = node.get("preNodeName", _ABSENT)
    if pre_nodes is not _ABSENT:
        if not isinstance(pre_nodes, list):
            return False
        for pre in pre_nodes:
            if not isinstance(pre, str) or pre not in names:
                return False
    if node.get("conditions", []) != [] or node.get("cronTrigger") is not None:
        return False
    properties = node.get("properties", _ABSENT)
    if properties is not _ABSENT:
        if not isinstance(properties, list):
            return False
        for prop in properties:
            if not isinstance(prop, dict) or not isinstance(prop.get("name"), str):
                return False
            if isinstance(prop.get("value"), (dict, list)):
                return False
            if "value_is_sensitive" in prop and not isinstance(prop["value_is_sensitive"], bool):
                return False
    for key, (low, high) in NODE_RANGES.items():
        if key in node:
            value = node[key]
            if type(value) is not int or not low <= value <= high:
                return False
    return "failPolicy" not in node or (
        isinstance(node["failPolicy"], str) and node["failPolicy"] in FAIL_POLICIES
    )


def _node_check(node: dict[str, Any], *, field: str, names: set[str]) -> None:
    node_type = as_str(required(node, "type", prefix=field), field=at(field, "type"))
    if not node_type.strip():
        fail(code="schema.invalid_value", field=at(field, "type"), message="the node type must not be empty")
    if "location" in node:
        location = as_object(node["location"], field=at(field, "location"))
        for axis in ("x", "y"):
            check_number(
                required(location, axis, prefix=at(field, "location")), field=at(field, f"location.{axis}")
            )
    pre_nodes: list[str] = []
    if "preNodeName" in node:
        for index, pre in enumerate(as_list(node["preNodeName"], field=at(field, "preNodeName"))):
            pre_field = at(at(field, "preNodeName"), index)
            pre = as_str(pre, field=pre_field)
            if pre not in names:
                fail(
                    code="schema.unknown_pre_node",
                    field=pre_field,
                    message=f"{shown(pre)} is not a node of this job",
                )
            pre_nodes.append(pre)
    if "conditions" in node:
        _conditions_check(node["conditions"], field=at(field, "conditions"), pre_nodes=pre_nodes)
    if "properties" in node:
        _properties_check(node["properties"], field=at(field, "properties"))
    for key, (low, high) in NODE_RANGES.items():
        if key in node:
            check_int_range(node[key], field=at(field, key), low=low, high=high)
    if "failPolicy" in node:
        check_enum(node["failPolicy"], field=at(field, "failPolicy"), allowed=FAIL_POLICIES)
    if node.get("cronTrigger") is not None:
        cron_check(node["cronTrigger"], field=at(field, "cronTrigger"), limits=DEFAULT_LIMITS)


def _conditions_check(value: Any, *, field: str, pre_nodes: list[str]) -> None:
    for index, condition in enumerate(as_list(value, field=field)):
        item = at(field, index)
        condition = as_object(condition, field=item)
        pre = as_str(required(condition, "preNodeName", prefix=item), field=at(item, "preNodeName"))
        if pre not in pre_nodes:
            listed = ", ".join(shown(name) for name in pre_nodes) or "none"
            fail(
                code="schema.unknown_pre_node",
                field=at(item, "preNodeName"),
                message=f"{shown(pre)} is not a predecessor of this node (its preNodeName lists {listed})",
            )
        as_str(required(condition, "expression", prefix=item), field=at(item, "expression"))


def _properties_check(value: Any, *, field: str) -> None:
    for index, prop in enumerate(as_list(value, field=field)):
        item = at(field, index)
        prop = as_object(prop, field=item)
        as_str(required(prop, "name", prefix=item), field=at(item, "name"))
        if "value" in prop and isinstance(prop["value"], (dict, list)):
            wrong_type(
                field=at(item, "value"), expected="a string, number, true/false or null", value=prop["value"]
            )
        if "value_is_sensitive" in prop:
            flag = prop["value_is_sensitive"]
            if not (isinstance(flag, bool) or (isinstance(flag, str) and flag.lower() in ("true", "false"))):
                wrong_type(field=at(item, "value_is_sensitive"), expected="true or false", value=flag)


def _params_check(params: list[Any]) -> None:
    seen: dict[str, str] = {}
    for index, param in enumerate(params):
        item = at("params", index)
        param = as_object(param, field=item)
        name = check_name(
            required(param, "name", prefix=item),
            field=at(item, "name"),
            what="parameter name",
            extra=PARAM_NAME_EXTRA,
            max_length=MAX_PARAM_NAME,
        )
        check_unique(name, seen=seen, field=at(item, "name"), what="parameter", code="schema.duplicate_name")
        if "value" in param:
            check_length(
                as_str(param["value"], field=at(item, "value")),
                field=at(item, "value"),
                max_chars=MAX_PARAM_VALUE,
            )
        if "type" in param:
            check_enum(param["type"], field=at(item, "type"), allowed=PARAM_TYPES)
        if "masked" in param and not isinstance(param["masked"], bool):
            wrong_type(field=at(item, "masked"), expected="true or false", value=param["masked"])


def _cycle_check(nodes: list[dict[str, Any]]) -> None:
    """Refuse a job whose edges loop; name the loop so that the user can find it on the canvas."""
    upstream: dict[str, list[str]] = {node["name"]: list(node.get("preNodeName") or []) for node in nodes}
    cycle = find_cycle(upstream)
    if cycle:
        fail(code="schema.cycle", field="nodes", message="the nodes form a cycle: " + " -> ".join(cycle))


def find_cycle(upstream: dict[str, list[str]]) -> list[str] | None:
    """A cycle as node names from upstream to downstream, first and last equal; ``None`` if acyclic.

    Iterative depth-first search, so a 1000-node chain cannot hit Python's recursion limit.
    """
    state: dict[str, int] = dict.fromkeys(upstream, 0)  # 0 unseen, 1 on the current path, 2 done
    for start, first_upstream in upstream.items():
        if state[start]:
            continue
        path = [start]
        stack = [iter(first_upstream)]
        state[start] = 1
        while stack:
            following = next(stack[-1], None)
            if following is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(following) == 1:
                return list(reversed(path[path.index(following) :] + [following]))
            elif state.get(following) == 0:
                state[following] = 1
                path.append(following)
                stack.append(iter(upstream[following]))
    return None


__all__ = ["find_cycle", "job_document_validate", "job_node_names"]
