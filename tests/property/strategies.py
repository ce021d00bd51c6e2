"""Hypothesis strategies for the property tests: random valid workspaces of jobs (random node types from
the registry, acyclic edges, conditions, properties with unicode and unknown keys at every level,
schedules, parameters) with the scripts, connections, external objects, resources and environment
variables they refer to; and secrets.

Text never holds U+0000 or a lone surrogate (PostgreSQL's jsonb cannot store them; see
``tests/hostile/generate.py``, cases ``nul_character_*``), nor ``$`` outside the placeholders drawn on
purpose (``${x}`` in a node's text is a reference to environment variable ``x``).
"""

from __future__ import annotations

import functools
import string
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from factory.connections.models import ConnectionType
from factory.development.nodes import (
    CONNECTION,
    DIS_STREAM,
    EXTERNAL_KINDS,
    JOB,
    NODE_TYPES,
    RESOURCE,
    SCRIPT,
)
from factory.packages import SCRIPT_TYPES
from factory.packages.secrets import secret_name_like

# Every field name the registry, the package schema and the writers know: an "unknown" key is none of these.
KNOWN_KEYS = frozenset(
    {
        "name", "type", "processType", "directory", "nodes", "schedule", "params", "maskedParams",
        "basicConfig", "owner", "priority", "location", "x", "y", "preNodeName", "conditions", "expression",
        "properties", "value", "value_is_sensitive", "masked", "pollingInterval", "maxExecutionTime",
        "retryTimes", "retryInterval", "failPolicy", "cron", "dependJobs", "jobs", "event", "eventType",
        "channel", "eventTrigger", "content", "connectionName", "database", "queueName", "configuration",
        "description", "templateVersion", "dependFiles", "desc", "config", "secretFields", "secret_fields",
    }
    | {f.name for node_type in NODE_TYPES.values() for f in node_type.fields}
)  # fmt: skip
SENSITIVE_PROPERTY_NAMES = frozenset(f.name for t in NODE_TYPES.values() for f in t.fields if f.sensitive)

# --- text -------------------------------------------------------------------------------------------

# Letters and digits of any script (Chinese, Cyrillic, ...), as DataArts' names allow them.
_LETTERS = st.characters(categories=("Lu", "Ll", "Lo", "Nd"), codec="utf-8")


def _name(extra: str, *, max_size: int, ascii_only: bool = False) -> st.SearchStrategy[str]:
    letters = st.sampled_from(string.ascii_letters + string.digits) if ascii_only else _LETTERS
    return st.text(alphabet=letters | st.sampled_from(extra), min_size=1, max_size=max_size).filter(
        lambda s: set(s) != {"."}
    )


job_names = _name("-_.", max_size=24)
node_names = _name("-_./<>", max_size=16)
param_names = _name("-_", max_size=16)
resource_names = _name("-_", max_size=20)
env_names = _name("-_", max_size=16, ascii_only=True)  # ${x} placeholders match ASCII names only
object_names = _name("-_", max_size=16)

# Any text a user may type, unicode included; no U+0000, no lone surrogate, no "$".
free_text = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00$"), max_size=24)
unknown_keys = free_text.filter(lambda s: s not in KNOWN_KEYS)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | free_text
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(free_text, inner, max_size=3),
    max_leaves=6,
)
unknowns = st.dictionaries(unknown_keys, json_values, max_size=2)
"""Keys no document lists, with any JSON value: they must survive every round trip untouched."""

_PRINTABLE = st.characters(
    codec="utf-8", exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"), exclude_characters="/"
) | st.just(" ")  # str.isprintable: no "Other" nor separator but the ASCII space
_DIRECTORY_SEGMENT = st.text(
    alphabet=_PRINTABLE,
    min_size=1,
    max_size=12,
).filter(lambda s: s.strip() and s not in (".", ".."))
directories = st.lists(_DIRECTORY_SEGMENT, max_size=3).map(lambda parts: "/" + "/".join(parts))
"""Canonical directory paths (as the console stores them): ``/`` or ``/a/b``."""

# --- the world a job lives in ------------------------------------------------------------------------

# A script's type decides which connection type its connectionName needs (the node type of that name).
_SCRIPT_CONNECTION_TYPES = {
    code: next((f.connection_type for f in node_type.fields if f.refers_to == CONNECTION), None)
    for code, node_type in NODE_TYPES.items()
}


def script_connection_type(script_type: str) -> str | None:
    lowered = {code.lower(): ctype for code, ctype in _SCRIPT_CONNECTION_TYPES.items()}
    return lowered.get(script_type.lower())


@dataclass
class World:
    """What workspace A holds: the referable objects by kind, scripts, and the jobs' documents."""

    connections: dict[str, list[str]]  # connection type -> names
    externals: dict[str, list[str]]  # external kind -> names
    resources: list[str]
    environment: dict[str, str]
    scripts: list[dict[str, Any]]
    jobs: list[dict[str, Any]] = field(default_factory=list)

    def names(self, kind: str, connection_type: str | None = None) -> list[str]:
        if kind == CONNECTION:
            return self.connections.get(connection_type or "", [])
        if kind == SCRIPT:
            return [s["name"] for s in self.scripts]
        if kind == RESOURCE:
            return self.resources
        return self.externals.get(kind, [])


_NAME_LISTS = {
    (id(base), count): st.lists(base, max_size=count, unique=True)
    for base in (object_names, resource_names, job_names)
    for count in (2, 3)
}


def _unique_names(draw: st.DrawFn, base: st.SearchStrategy[str], count: int, taken: set[str]) -> list[str]:
    """Up to ``count`` distinct names, none of them in ``taken`` (which learns them)."""
    names = [n for n in draw(_NAME_LISTS[(id(base), count)]) if n not in taken]
    taken.update(names)
    return names


_CONNECTION_TYPES = sorted({t for t in _SCRIPT_CONNECTION_TYPES.values() if t})
assert set(_CONNECTION_TYPES) <= set(ConnectionType.values)
_CONNECTION_TYPE_LISTS = st.lists(st.sampled_from(_CONNECTION_TYPES), max_size=4, unique=True)
_EXTERNAL_KIND_LISTS = st.lists(st.sampled_from(EXTERNAL_KINDS), max_size=3, unique=True)
_ENVIRONMENTS = st.dictionaries(env_names, free_text, max_size=2)
# Not named like a secret either: those are emptied on export whatever their flags say (test_secrets.py).
_PROPERTY_NAMES = free_text.filter(
    lambda s: s not in KNOWN_KEYS and s not in SENSITIVE_PROPERTY_NAMES and not secret_name_like(s)
)
_SCALAR_MAPS = st.dictionaries(free_text, json_scalars, max_size=2)


@st.composite
def world_objects(draw: st.DrawFn) -> World:
    """The referable objects of workspace A (without jobs)."""
    taken: set[str] = set()
    connections = {}
    for ctype in draw(_CONNECTION_TYPE_LISTS):
        connections[ctype] = [f"{ctype}_{n}" for n in _unique_names(draw, object_names, 2, taken)]
    externals = {kind: _unique_names(draw, object_names, 2, set()) for kind in draw(_EXTERNAL_KIND_LISTS)}
    resources = _unique_names(draw, resource_names, 2, set())
    environment = draw(_ENVIRONMENTS)
    scripts = []
    for name in _unique_names(draw, job_names, 3, set()):
        usable = [t for t in SCRIPT_TYPES if script_connection_type(t) in connections]
        script_type = draw(st.sampled_from(usable if usable and draw(st.booleans()) else SCRIPT_TYPES))
        doc: dict[str, Any] = {
            "name": name,
            "type": script_type,
            "content": draw(free_text),
            "directory": draw(directories),
            "configuration": draw(_SCALAR_MAPS),
        }
        ctype = script_connection_type(script_type)
        if ctype and connections.get(ctype) and draw(st.booleans()):
            doc["connectionName"] = draw(st.sampled_from(connections[ctype]))
            doc["database"] = draw(free_text)
        doc.update(draw(unknowns))
        scripts.append(doc)
    return World(connections, externals, resources, environment, scripts)


_NODE_TYPE_CODES = st.sampled_from([*sorted(NODE_TYPES), "CustomNodeOfAnotherVersion"])
_NUMBERS = st.integers(-5000, 5000) | st.floats(-1e6, 1e6, allow_nan=False)
_COORDINATES = _NUMBERS | _NUMBERS.map(str)


@functools.cache
def _ranged(low: int, high: int) -> st.SearchStrategy[Any]:
    return st.integers(low, high) | st.integers(low, high).map(str)


@st.composite
def _node(draw: st.DrawFn, *, name: str, pre: list[str], world: World, callable_jobs: list[str]) -> dict:
    code = draw(_NODE_TYPE_CODES)
    if callable_jobs and draw(st.integers(0, 3)) == 0:
        code = draw(st.sampled_from(["SubJob", "ForEach"]))  # calls are rare among 30 types: draw more
    node_type = NODE_TYPES.get(code)
    properties: list[dict[str, Any]] = []
    for f in node_type.fields if node_type else ():
        if f.sensitive or not (f.required or draw(st.booleans())):
            continue
        if f.refers_to == JOB:
            candidates = callable_jobs
        elif f.refers_to:
            candidates = world.names(f.refers_to, f.connection_type)
        else:
            candidates = []
        if f.refers_to and not candidates:
            continue
        value = draw(st.sampled_from(candidates)) if f.refers_to else draw(json_scalars)
        properties.append({"name": f.name, "value": value})
    if world.environment and draw(st.booleans()):
        variable = draw(st.sampled_from(sorted(world.environment)))
        how = draw(st.sampled_from(["${%s}", '#{Env.get("%s")}']))
        properties.append({"name": "note", "value": draw(free_text) + how % variable})
    for _ in range(draw(st.integers(0, 2))):
        prop: dict[str, Any] = {"name": draw(_PROPERTY_NAMES), "value": draw(json_scalars)}
        if draw(st.booleans()):
            prop["value_is_sensitive"] = draw(st.sampled_from([False, "false", "False"]))
        prop.update(draw(unknowns))
        properties.append(prop)
    node: dict[str, Any] = {"name": name, "type": code, "preNodeName": pre, "properties": properties}
    if draw(st.booleans()):
        node["location"] = {"x": draw(_COORDINATES), "y": draw(_COORDINATES), **draw(unknowns)}
    if pre and draw(st.booleans()):
        node["conditions"] = [
            {"preNodeName": p, "expression": draw(free_text), **draw(unknowns)}
            for p in draw(st.lists(st.sampled_from(pre), min_size=1, max_size=2, unique=True))
        ]
    for key, (low, high) in (("pollingInterval", (1, 60)), ("maxExecutionTime", (5, 1440)),
                             ("retryTimes", (0, 5)), ("retryInterval", (5, 120))):  # fmt: skip
        if draw(st.booleans()):
            node[key] = draw(_ranged(low, high))
    if draw(st.booleans()):
        node["failPolicy"] = draw(st.sampled_from(["FAIL", "IGNORE", "SUSPEND", "FAIL_CHILD"]))
    streams = world.externals.get(DIS_STREAM, [])
    if streams and draw(st.booleans()):
        node["eventTrigger"] = {
            "eventType": "DIS",
            "channel": draw(st.sampled_from(streams)),
            **draw(unknowns),
        }
    node.update(draw(unknowns))
    return node


@st.composite
def _nodes(draw: st.DrawFn, *, world: World, callable_jobs: list[str]) -> list[dict[str, Any]]:
    """1-6 nodes; each lists some earlier ones as predecessors (so no cycle), then shuffled."""
    names = draw(st.lists(node_names, min_size=1, max_size=6, unique=True))
    nodes = []
    for index, name in enumerate(names):
        pre = draw(st.lists(st.sampled_from(names[:index]), max_size=3, unique=True)) if index else []
        nodes.append(draw(_node(name=name, pre=pre, world=world, callable_jobs=callable_jobs)))
    return draw(st.permutations(nodes))


@st.composite
def _schedule(draw: st.DrawFn, *, world: World, other_jobs: list[str]) -> dict[str, Any]:
    kind = draw(st.sampled_from(["EXECUTE_ONCE", "CRON", "EVENT"]))
    schedule: dict[str, Any] = {"type": kind}
    if kind == "CRON":
        cron: dict[str, Any] = {
            "startTime": "2026-01-01T00:00:00+08",
            "expression": draw(st.sampled_from(["0 0 2 * * ?", "0 */5 * * * ?"])),
            "expressionTimeZone": draw(st.sampled_from(["GMT+8", "GMT+01:00"])),
        }
        if other_jobs and draw(st.booleans()):
            cron["dependJobs"] = {
                "jobs": draw(st.lists(st.sampled_from(other_jobs), min_size=1, max_size=2, unique=True)),
                "dependPeriod": "SAME_PERIOD",
                **draw(unknowns),
            }
        cron.update(draw(unknowns))
        schedule["cron"] = cron
    elif kind == "EVENT":
        streams = world.externals.get(DIS_STREAM, [])
        if streams:
            schedule["event"] = {
                "eventType": "DIS",
                "channel": draw(st.sampled_from(streams)),
                **draw(unknowns),
            }
        else:
            schedule["event"] = {"eventType": "KAFKA", "channel": draw(free_text), **draw(unknowns)}
    schedule.update(draw(unknowns))
    return schedule


@st.composite
def _params(draw: st.DrawFn) -> list[dict[str, Any]]:
    params = []
    for name in draw(
        st.lists(param_names.filter(lambda s: not secret_name_like(s)), max_size=3, unique=True)
    ):
        param: dict[str, Any] = {"name": name, "value": draw(free_text)}
        if draw(st.booleans()):
            param["type"] = draw(st.sampled_from(["variable", "constants"]))
        param.update(draw(unknowns))
        params.append(param)
    return params


@st.composite
def job_document(
    draw: st.DrawFn, *, name: str, world: World, callable_jobs: list[str], other_jobs: list[str]
) -> dict:
    document: dict[str, Any] = {
        "name": name,
        "processType": draw(st.sampled_from(["BATCH", "REAL_TIME"])),
        "directory": draw(directories),
        "nodes": draw(_nodes(world=world, callable_jobs=callable_jobs)),
    }
    if draw(st.booleans()):
        document["schedule"] = draw(_schedule(world=world, other_jobs=other_jobs))
    if draw(st.booleans()):
        document["params"] = draw(_params())
    if draw(st.booleans()):
        document["basicConfig"] = {
            "owner": draw(free_text),
            "priority": draw(st.integers(0, 2)),
            **draw(unknowns),
        }
    document.update(draw(unknowns))
    return document


@st.composite
def worlds(draw: st.DrawFn) -> World:
    """Workspace A: its referable objects and 1-3 jobs. A job calls (SubJob, For Each) only jobs before
    it, so the calls form no cycle; schedule dependencies may point anywhere among the jobs."""
    world = draw(world_objects())
    names = draw(st.lists(job_names, min_size=1, max_size=3, unique=True))
    for index, name in enumerate(names):
        others = [n for n in names if n != name]
        world.jobs.append(
            draw(job_document(name=name, world=world, callable_jobs=names[:index], other_jobs=others))
        )
    return world


# --- secrets ------------------------------------------------------------------------------------------

secrets_text = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=12, max_size=40
).map(lambda s: "Zq" + s)
"""Printable secrets of at least 12 characters. They start with a marker no fixed text of the app holds,
so that finding one is a leak and not a coincidence."""
