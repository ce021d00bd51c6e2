"""The node-type registry: the one place that knows, per DataArts node type, which properties refer to what.

Export closure, import analysis and remapping, and the canvas's property panel all read this module;
nothing else hard-codes property names. A job document is DataArts' job definition (see
``docs/package-format.md``); properties are ``[{"name": ..., "value": ...}]`` lists on each node.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, cast

import orjson

from factory.packages.secrets import secret_name_like

# Kinds of object a job can refer to. Their names are used in manifests, the import wizard and the API.
SCRIPT = "script"
CONNECTION = "connection"
DLI_QUEUE = "dli_queue"
GES_GRAPH = "ges_graph"
DIS_STREAM = "dis_stream"
CDM_CLUSTER = "cdm_cluster"
MRS_CLUSTER = "mrs_cluster"
RESOURCE = "resource"
JOB = "job"
ENVIRONMENT_VARIABLE = "environment_variable"

REFERENCE_KINDS = (
    SCRIPT,
    CONNECTION,
    DLI_QUEUE,
    GES_GRAPH,
    DIS_STREAM,
    CDM_CLUSTER,
    MRS_CLUSTER,
    RESOURCE,
    JOB,
    ENVIRONMENT_VARIABLE,
)
EXTERNAL_KINDS = (DLI_QUEUE, GES_GRAPH, DIS_STREAM, CDM_CLUSTER, MRS_CLUSTER)
# Objects every workspace has without creating them: DLI's built-in queue ``default`` (DataArts offers it
# in every DLI node's queue list), so a reference to it is never missing and may always be chosen.
BUILTIN_OBJECTS = frozenset({(DLI_QUEUE, "default")})
# Missing references the user may leave unresolved at import: DataArts imports such a job and fails it
# when it is scheduled. A data connection, resource or sub-job must be mapped (or created).
UNRESOLVABLE_KINDS = (SCRIPT, *EXTERNAL_KINDS)

# DataArts v1 import API `resources[].type` values and the kinds they stand for.
DATAARTS_RESOURCE_TYPES: dict[str, tuple[str, str | None]] = {
    "DWS_CONNECTION": (CONNECTION, "DWS"),
    "MRS_HIVE_CONNECTION": (CONNECTION, "HIVE"),
    "MRS_SPARK_CONNECTION": (CONNECTION, "SparkSQL"),
    "DLI_CONNECTION": (CONNECTION, "DLI"),
    "RDS_CONNECTION": (CONNECTION, "RDS"),
    "HOST_CONNECTION": (CONNECTION, "HOST"),
    "DLI_QUEUE": (DLI_QUEUE, None),
    "DIS_STREAM": (DIS_STREAM, None),
    "CDM_CLUSTER": (CDM_CLUSTER, None),
    "MRS_CLUSTER": (MRS_CLUSTER, None),
    "GES_GRAPH": (GES_GRAPH, None),
}


@dataclass(frozen=True)
class Field:
    """A node property as the canvas's property panel shows it."""

    name: str
    label: str
    widget: str = "text"  # text | textarea | number | select | reference | boolean
    refers_to: str | None = None  # one of REFERENCE_KINDS when widget == "reference"
    connection_type: str | None = None  # for refers_to == CONNECTION
    # For refers_to == SCRIPT: the script types the node runs (empty: any); a replacement must be one.
    script_types: tuple[str, ...] = ()
    required: bool = False
    options: tuple[str, ...] = ()
    default: Any = None
    sensitive: bool = False  # always exported empty, whatever the document's own flag says


@dataclass(frozen=True)
class NodeType:
    code: str
    label: str
    category: str
    fields: tuple[Field, ...] = field(default_factory=tuple)

    @cached_property
    def reference_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.refers_to)

    @cached_property
    def sensitive_fields(self) -> frozenset[str]:
        """The names of the properties that are always exported empty."""
        return frozenset(f.name for f in self.fields if f.sensitive)


def _script(*script_types: str, required: bool = False) -> Field:
    return Field("scriptName", "Script", "reference", SCRIPT, script_types=script_types, required=required)


def _conn(connection_type: str | None, required: bool = True) -> Field:
    return Field(
        "connectionName", "Data Connection", "reference", CONNECTION, connection_type, required=required
    )


def _text(name: str, label: str, **kwargs: Any) -> Field:
    return Field(name, label, **kwargs)


def _sql_node(
    code: str,
    label: str,
    connection_type: str | None,
    *extra: Field,
    script_types: tuple[str, ...] | None = None,
) -> NodeType:
    """An SQL node: it runs a script of its own type (``script_types`` when DataArts names it otherwise)."""
    types = (code,) if script_types is None else script_types
    return NodeType(
        code,
        label,
        "Data Lake",
        (_script(*types, required=True), _conn(connection_type), _text("database", "Database"), *extra),
    )


def _mrs_cluster(required: bool = True) -> Field:
    return Field("clusterName", "MRS Cluster Name", "reference", MRS_CLUSTER, required=required)


def _plain(code: str, label: str, category: str, *fields: Field) -> NodeType:
    """A node type whose properties refer to nothing this console keeps (its own cloud objects are
    named as text): known, so that an import does not warn about it, and shown with these fields."""
    return NodeType(code, label, category, fields)


_RESOURCE = Field("resourceName", "Resource", "reference", RESOURCE)
_REST_FIELDS = (
    _text("url", "URL Address", required=True),
    _text("method", "HTTP Method", widget="select", options=("GET", "POST", "PUT", "DELETE")),
    _text("headers", "Request Header", widget="textarea"),
    _text("body", "Request Body", widget="textarea"),
    Field("agentName", "Agent (CDM Cluster)", "reference", CDM_CLUSTER),
    _text("authPassword", "Auth Password", sensitive=True),
    _text("authToken", "Auth Token", sensitive=True),
)

NODE_TYPES: dict[str, NodeType] = {
    t.code: t
    for t in (
        _sql_node("DWSSQL", "DWS SQL", "DWS"),
        _sql_node(
            "DLISQL",
            "DLI SQL",
            "DLI",
            Field("queueName", "Queue Name", "reference", DLI_QUEUE, required=True),
        ),
        _sql_node("HiveSQL", "MRS Hive SQL", "HIVE", _text("scriptArgs", "Script Parameter")),
        _sql_node("SparkSQL", "MRS Spark SQL", "SparkSQL", _text("scriptArgs", "Script Parameter")),
        _sql_node("RDSSQL", "RDS SQL", "RDS"),
        _sql_node("PRESTO", "MRS Presto SQL", "PRESTO"),
        _sql_node("ClickHouseSQL", "MRS ClickHouse", "CLICKHOUSE"),
        # DataArts has no DORIS script type: the node runs its statement or any SQL script.
        _sql_node("DORISSQL", "DORIS SQL", "DORIS", script_types=()),
        # Impala and HetuEngine connections are not connection types of this console yet: a data
        # connection of any type is accepted (None), rather than one that could never exist.
        _sql_node("ImpalaSQL", "MRS Impala SQL", None),
        NodeType(
            "MRSHetuEngine",
            "MRS HetuEngine",
            "Data Lake",
            (
                _mrs_cluster(required=False),
                _script("HetuEngineSQL"),
                _conn(None, required=False),
                _text("statementOrScript", "SQL or Script", widget="select", options=("SQL", "SCRIPT")),
                _text("statement", "SQL Statement", widget="textarea"),
                _text("Schema", "Schema"),
                _text("Database", "Database"),
                _text("Queue", "Queue"),
            ),
        ),
        NodeType(
            "Shell",
            "Shell",
            "Compute",
            (
                _script("Shell", required=True),
                _conn("HOST"),
                _text("arguments", "Shell Parameter"),
                # The answers typed into the script's prompts: passwords, as often as not.
                _text("interactiveArgs", "Interactive Input", sensitive=True),
            ),
        ),
        NodeType(
            "Python",
            "Python",
            "Compute",
            (
                _script("PYTHON", "Python", required=True),
                _conn("HOST"),
                _text("arguments", "Parameter"),
                _text("pythonVersion", "Python Version", widget="select", options=("Python 2", "Python 3")),
            ),
        ),
        NodeType(
            "CDMJob",
            "CDM Job",
            "Integration",
            (
                Field("clusterName", "CDM Cluster Name", "reference", CDM_CLUSTER, required=True),
                _text("jobName", "CDM Job Name", required=True),
                _text("jobType", "Job Type", widget="select", options=("existsJob", "newJob")),
            ),
        ),
        NodeType(
            "RESTAPI",
            "Rest Client",
            "Integration",
            _REST_FIELDS,
        ),
        NodeType(
            "DLISpark",
            "DLI Spark",
            "Compute",
            (
                Field("clusterName", "DLI Queue", "reference", DLI_QUEUE, required=True),
                _text("jobName", "Spark Job Name", required=True),
                _text("jobClass", "Main Class"),
                _RESOURCE,
                _text("jarArgs", "Main Class Parameter"),
                _text("sparkConfig", "Spark Parameter", widget="textarea"),
            ),
        ),
        NodeType(
            "MRSSpark",
            "MRS Spark",
            "Compute",
            (
                Field("clusterName", "MRS Cluster Name", "reference", MRS_CLUSTER, required=True),
                _text("jobName", "Job Name", required=True),
                _RESOURCE,
                _text("jarArgs", "Program Parameter"),
            ),
        ),
        NodeType(
            "MapReduce",
            "MRS MapReduce",
            "Compute",
            (
                Field("clusterName", "MRS Cluster Name", "reference", MRS_CLUSTER, required=True),
                _text("jobName", "Job Name", required=True),
                _RESOURCE,
                _text("jarArgs", "Parameter"),
            ),
        ),
        NodeType(
            "MRSFlinkJob",
            "MRS Flink Job",
            "Compute",
            (
                Field("clusterName", "MRS Cluster Name", "reference", MRS_CLUSTER, required=True),
                _script("FlinkSQL"),
                _RESOURCE,
                _text("jobName", "Job Name", required=True),
            ),
        ),
        NodeType(
            "MRSFlink",
            "MRS Flink",
            "Compute",
            (
                _mrs_cluster(),
                _text("jobName", "Job Name", required=True),
                _text("flinkJobType", "Flink Job Type", widget="select", options=("FLink SQL", "Flink JAR")),
                _text("flinkJobProcessType", "Processing Mode"),
                _script("FlinkSQL"),
                _RESOURCE,
                _text("programParameter", "Program Parameter"),
            ),
        ),
        NodeType(
            "MRSSparkPython",
            "MRS Spark Python",
            "Compute",
            (
                _mrs_cluster(),
                _script("SparkPython", "Spark Python", required=True),
                _text("jobName", "Job Name"),
                _text("programParameter", "Program Parameter"),
            ),
        ),
        NodeType(
            "DLIFlinkJob",
            "DLI Flink Job",
            "Compute",
            (
                Field("queueName", "DLI Queue", "reference", DLI_QUEUE, required=True),
                _script("FlinkSQL"),
                _RESOURCE,
                _text("jobName", "Job Name", required=True),
            ),
        ),
        NodeType(
            "SubJob",
            "Subjob",
            "Others",
            (
                Field("subJobName", "Subjob Name", "reference", JOB, required=True),
                _text("subJobParams", "Subjob Parameter", widget="textarea"),
            ),
        ),
        NodeType(
            "ForEach",
            "For Each",
            "Others",
            (
                Field("subJobName", "Subjob in a Loop", "reference", JOB, required=True),
                _text("dataset", "Dataset", required=True),
                _text("concurrency", "Subjob Instances Executed Concurrently", widget="number", default=1),
                _text("jobSuffix", "Subjob Instance Name Suffix"),
            ),
        ),
        NodeType(
            "ImportGES",
            "Import GES",
            "Data Lake",
            (
                Field("graphName", "Graph Name", "reference", GES_GRAPH, required=True),
                _text("schemaPath", "Metadata", required=True),
                _text("edgePath", "Edge Data Set"),
                _text("vertexPath", "Vertex Data Set"),
            ),
        ),
        NodeType(
            "DISTransferTask",
            "DIS Dump",
            "Integration",
            (
                Field("streamName", "Stream Name", "reference", DIS_STREAM, required=True),
                _text("destinationType", "Dump Destination"),
            ),
        ),
        NodeType(
            "DISStream",
            "DIS Stream",
            "Integration",
            (
                Field("streamName", "Stream Name", "reference", DIS_STREAM, required=True),
                _text("action", "Action"),
            ),
        ),
        NodeType(
            "DISClient",
            "DIS Client",
            "Integration",
            (
                Field("streamName", "Stream Name", "reference", DIS_STREAM, required=True),
                _text("content", "Sent Data", widget="textarea"),
            ),
        ),
        NodeType(
            "MRSKafka",
            "MRS Kafka",
            "Integration",
            (_conn("KAFKA"), _text("topic", "Topic Name", required=True)),
        ),
        NodeType(
            "KafkaClient",
            "Kafka Client",
            "Integration",
            (_conn("KAFKA"), _text("topic", "Topic Name", required=True), _text("content", "Text")),
        ),
        _plain(
            "CloudTableManager",
            "CloudTable Manager",
            "Data Lake",
            _text("clusterName", "CloudTable Cluster"),
            _text("action", "Action"),
            _text("tableName", "Table Name"),
        ),
        _plain("ROMAFDIJob", "ROMA FDI Job", "Integration", _text("instanceName", "ROMA Instance")),
        _plain("DataMigration", "Data Migration", "Integration", _text("jobName", "Job Name")),
        _plain("OneclickCDC", "Real-Time Synchronization", "Integration"),
        _plain("ETLJob", "ETL Job", "Integration", _text("jobName", "Job Name")),
        _plain("CSS", "CSS", "Data Lake", _text("clusterName", "CSS Cluster")),
        _plain("ModelArtsTrain", "ModelArts Train", "Compute", _text("jobName", "Training Job")),
        _plain("CreateOBS", "Create OBS", "Others", _text("path", "OBS Path", required=True)),
        _plain("DeleteOBS", "Delete OBS", "Others", _text("path", "OBS Path", required=True)),
        _plain("OpenCloseResource", "Open/Close Resource", "Others", _text("action", "Action")),
        NodeType(
            "SMN",
            "SMN",
            "Others",
            (_text("topic", "Topic Name", required=True), _text("message", "Message", widget="textarea")),
        ),
        # Terraform's name for the Rest Client node (RESTAPI in DataArts' API reference).
        NodeType(
            "RESTClient",
            "Rest Client",
            "Integration",
            _REST_FIELDS,
        ),
        NodeType(
            "OBSManager", "OBS Manager", "Others", (_text("action", "Action"), _text("path", "OBS Path"))
        ),
        NodeType("Dummy", "Dummy", "Others", ()),
    )
}

# Names that are defined by the platform, never workspace environment variables.
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_-]{1,64})\}")
_ENV_GET = re.compile(r"""Env\.get\(\s*["']([A-Za-z0-9_-]{1,64})["']\s*\)""")


@dataclass(frozen=True, order=True)
class Reference:
    """One use of another object by a job: ``kind`` and ``name``, where it was found."""

    kind: str
    name: str
    connection_type: str | None = None
    node: str | None = None
    property: str | None = None
    script_types: tuple[str, ...] = ()  # for a script: the types the node runs (empty: any)


def node_type_get(code: str) -> NodeType | None:
    return NODE_TYPES.get(code)


def node_properties(node: dict[str, Any]) -> dict[str, Any]:
    """A node's properties as a dict (DataArts stores them as a list of {name, value})."""
    result: dict[str, Any] = {}
    for prop in node.get("properties") or ():
        if isinstance(prop, dict) and isinstance(prop.get("name"), str):
            result[prop["name"]] = prop.get("value")
    return result


def _strings(value: Any) -> Iterator[str]:
    """Every string value below ``value`` (keys excluded); iterative, as deep as the parser allows."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _may_use_environment(value: Any) -> bool:
    """Might a string below ``value`` (a node) use an environment variable? ``False`` means certainly not:
    found by serializing it (in C) and looking for either pattern's opening in the text, far cheaper
    than walking every string of a node, and most nodes use none."""
    try:
        text = orjson.dumps(value)
    except (orjson.JSONEncodeError, TypeError):  # values JSON cannot hold: walk them
        return True
    return b"${" in text or b"Env.get" in text


# Script types name the node type that runs them ("DWSSQL", "HiveSQL"; "PYTHON" for the Python node).
_SCRIPT_NODE_TYPES = {code.lower(): node_type for code, node_type in NODE_TYPES.items()}


def script_references(document: dict[str, Any]) -> list[Reference]:
    """A script's references (its data connection, a DLI queue): the reference fields of the node type of
    the script's type, read at the script's top level (a ``DWSSQL`` script has the ``DWSSQL`` node's)."""
    node_type = _SCRIPT_NODE_TYPES.get(str(document.get("type") or "").lower())
    refs = []
    for f in node_type.reference_fields if node_type else ():
        value = document.get(f.name)
        if f.refers_to is not None and f.refers_to != SCRIPT and isinstance(value, str) and value.strip():
            refs.append(Reference(f.refers_to, value.strip(), f.connection_type, None, f.name))
    return refs


def job_references(document: dict[str, Any]) -> list[Reference]:
    """Every reference a job document makes, sorted and without duplicates per (kind, name, node, property).

    Covers node properties per the registry, schedule dependencies (other jobs), event triggers on DIS
    streams, and environment variables used as ``${name}`` or ``#{Env.get("name")}`` that are not job
    parameters.
    """
    refs: set[Reference] = set()
    nodes = document.get("nodes") or []
    for node in nodes if isinstance(nodes, list) else []:
        if not isinstance(node, dict):
            continue
        node_name = node.get("name")
        node_type = NODE_TYPES.get(node.get("type", ""))
        props = node_properties(node)
        if node_type:
            for f in node_type.reference_fields:
                value = props.get(f.name)
                if isinstance(value, str) and value.strip():
                    refs.add(
                        Reference(
                            # a reference field always names what it refers to (reference_fields)
                            cast(str, f.refers_to),
                            value.strip(),
                            f.connection_type,
                            node_name,
                            f.name,
                            f.script_types,
                        )
                    )
        trigger = node.get("eventTrigger")
        if isinstance(trigger, dict) and trigger.get("eventType") == "DIS" and trigger.get("channel"):
            refs.add(Reference(DIS_STREAM, str(trigger["channel"]), None, node_name, "eventTrigger.channel"))
        # A real-time job's node is scheduled on its own, and may wait for other jobs as a batch job does.
        cron_trigger = node.get("cronTrigger")
        if isinstance(cron_trigger, dict):
            for name, where in _depend_jobs(cron_trigger.get("dependJobs"), "cronTrigger.dependJobs"):
                refs.add(Reference(JOB, name, None, node_name, where))
    schedule = document.get("schedule")
    if isinstance(schedule, dict):
        cron = schedule.get("cron") or {}
        depend = cron.get("dependJobs") if isinstance(cron, dict) else None
        for name, where in _depend_jobs(depend, "schedule.cron.dependJobs"):
            refs.add(Reference(JOB, name, None, None, where))
        event = schedule.get("event")
        if isinstance(event, dict) and event.get("eventType") == "DIS" and event.get("channel"):
            refs.add(Reference(DIS_STREAM, str(event["channel"]), None, None, "schedule.event.channel"))
    params = {p.get("name") for p in document.get("params") or [] if isinstance(p, dict)}
    candidates = [node for node in nodes if _may_use_environment(node)] if isinstance(nodes, list) else nodes
    for text in _strings(candidates):
        if "${" not in text and "Env.get" not in text:  # most strings hold neither: skip both patterns
            continue
        for match in _PLACEHOLDER.findall(text) + _ENV_GET.findall(text):
            if match not in params:
                refs.add(Reference(ENVIRONMENT_VARIABLE, match))
    return sorted(refs, key=lambda r: (r.kind, r.name, r.node or "", r.property or ""))


def _depend_jobs(depend: Any, where: str) -> Iterator[tuple[str, str]]:
    """The jobs a ``dependJobs`` object waits for: ``jobs`` (names) and the SDK's
    ``sameWorkSpaceJobs`` ([{jobName}]); ``otherWorkSpaceJobs`` name another workspace's jobs."""
    if not isinstance(depend, dict):
        return
    for name in depend.get("jobs") or []:
        if isinstance(name, str) and name:
            yield name, f"{where}.jobs"
    for item in depend.get("sameWorkSpaceJobs") or []:
        name = item.get("jobName") if isinstance(item, dict) else None
        if isinstance(name, str) and name:
            yield name, f"{where}.sameWorkSpaceJobs"


def _depend_jobs_rewritten(depend: Any, mapping: dict[tuple[str, str], str]) -> Any:
    """``depend`` itself when ``mapping`` renames none of its jobs, else a copy with them renamed."""
    if not isinstance(depend, dict):
        return depend
    result = depend
    jobs = depend.get("jobs")
    if isinstance(jobs, list):
        renamed = [mapping.get((JOB, n), n) if isinstance(n, str) else n for n in jobs]
        if any(new is not old for new, old in zip(renamed, jobs, strict=True)):
            result = {**result, "jobs": renamed}
    same = depend.get("sameWorkSpaceJobs")
    if isinstance(same, list):
        items = [
            {**item, "jobName": mapping[(JOB, item["jobName"])]}
            if isinstance(item, dict)
            and isinstance(item.get("jobName"), str)
            and (JOB, item["jobName"]) in mapping
            else item
            for item in same
        ]
        if any(new is not old for new, old in zip(items, same, strict=True)):
            result = {**result, "sameWorkSpaceJobs": items}
    return result


def job_unknown_nodes(document: Any) -> list[tuple[str, str]]:
    """``(node name, type)`` of every node whose type the registry does not know: its references are
    neither collected nor remapped, so the import says so instead of passing it silently."""
    nodes = document.get("nodes") if isinstance(document, dict) else None
    unknown = []
    for node in nodes if isinstance(nodes, list) else ():
        if isinstance(node, dict) and isinstance(node.get("type"), str) and node["type"] not in NODE_TYPES:
            unknown.append((str(node.get("name")), node["type"]))
    return unknown


def script_type_fits(script_type: Any, allowed: tuple[str, ...] | frozenset[str]) -> bool:
    """Can a node that runs ``allowed`` script types (empty: any) run a script of ``script_type``?
    Compared without case or spaces: DataArts writes both ``PYTHON`` and ``Python``, ``SparkPython``
    and ``Spark Python``."""
    if not allowed:
        return True
    key = str(script_type or "").replace(" ", "").lower()
    return any(key == a.replace(" ", "").lower() for a in allowed)


def job_called_jobs(document: dict[str, Any]) -> set[str]:
    """The jobs this job runs as SubJob / For Each nodes (the export closure follows these)."""
    return {r.name for r in job_references(document) if reference_is_call(r)}


def reference_is_call(ref: Reference) -> bool:
    """Does ``ref`` run another job (a SubJob or For Each node), rather than wait for it (a schedule's
    or a real-time node's ``dependJobs``)? The export closure follows the calls only."""
    return ref.kind == JOB and ref.node is not None and not (ref.property or "").startswith("cronTrigger.")


def reference_key(ref: Reference) -> tuple[str, str]:
    return (ref.kind, ref.name)


def job_references_rewrite(
    document: dict[str, Any], *, mapping: dict[tuple[str, str], str]
) -> dict[str, Any]:
    """``document`` with every reference ``(kind, old name)`` in ``mapping`` renamed.

    Only places the registry knows are touched (node reference properties, schedule dependencies, DIS
    channels); text such as SQL is left alone. Never mutates ``document``: the result is a new top-level
    dict that copies only the nodes, properties and schedule parts it renames and shares the rest, so the
    caller may set top-level keys on it but must copy anything deeper before changing it.
    """
    doc = dict(document)
    if not mapping:
        return doc
    nodes = doc.get("nodes")
    if isinstance(nodes, list):
        new_nodes = [_node_rewritten(node, mapping) for node in nodes]
        if any(new is not old for new, old in zip(new_nodes, nodes, strict=True)):
            doc["nodes"] = new_nodes
    schedule = doc.get("schedule")
    if isinstance(schedule, dict):
        new_schedule = dict(schedule)
        cron = schedule.get("cron")
        if isinstance(cron, dict):
            depend = cron.get("dependJobs")
            new_depend = _depend_jobs_rewritten(depend, mapping)
            if new_depend is not depend:
                new_schedule["cron"] = {**cron, "dependJobs": new_depend}
        event = schedule.get("event")
        if isinstance(event, dict) and event.get("eventType") == "DIS":
            new = mapping.get((DIS_STREAM, str(event.get("channel"))))
            if new is not None:
                new_schedule["event"] = {**event, "channel": new}
        if any(new_schedule[key] is not schedule[key] for key in schedule):
            doc["schedule"] = new_schedule
    return doc


def _node_rewritten(node: Any, mapping: dict[tuple[str, str], str]) -> Any:
    """``node`` itself when ``mapping`` renames none of its references, else a copy with them renamed."""
    if not isinstance(node, dict):
        return node
    result = node
    node_type = NODE_TYPES.get(node.get("type", ""))
    properties = node.get("properties")
    if node_type is not None and node_type.reference_fields and isinstance(properties, list):
        # looked up by whatever the document holds as a property's name, not only strings
        fields_by_name: dict[object, Field] = {f.name: f for f in node_type.reference_fields}
        new_properties = list(properties)
        for index, prop in enumerate(properties):
            f = fields_by_name.get(prop.get("name")) if isinstance(prop, dict) else None
            if f and isinstance(prop.get("value"), str):
                # a reference field always names what it refers to (reference_fields)
                new = mapping.get((cast(str, f.refers_to), prop["value"].strip()))
                if new is not None:
                    new_properties[index] = {**prop, "value": new}
        if any(new is not old for new, old in zip(new_properties, properties, strict=True)):
            result = {**node, "properties": new_properties}
    trigger = node.get("eventTrigger")
    if isinstance(trigger, dict) and trigger.get("eventType") == "DIS":
        new = mapping.get((DIS_STREAM, str(trigger.get("channel"))))
        if new is not None:
            result = {**result, "eventTrigger": {**trigger, "channel": new}}
    cron_trigger = node.get("cronTrigger")
    if isinstance(cron_trigger, dict):
        depend = cron_trigger.get("dependJobs")
        new_depend = _depend_jobs_rewritten(depend, mapping)
        if new_depend is not depend:
            result = {**result, "cronTrigger": {**cron_trigger, "dependJobs": new_depend}}
    return result


def job_sensitive_properties_flag(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` where every property the registry calls sensitive, or named like a secret
    (``factory.packages.secrets``), carries ``value_is_sensitive: true``, so that redaction (which reads
    the flags) empties it too and an import, here or in DataArts, knows to ask for it. Never mutates
    ``document``; copies only the nodes and properties it flags (the rest is shared), so that flagging a
    large job costs next to nothing."""
    nodes = document.get("nodes") if isinstance(document, dict) else None
    if not isinstance(nodes, list):
        return copy.deepcopy(document)
    new_nodes = [_node_flagged(node) for node in nodes]
    if all(new is old for new, old in zip(new_nodes, nodes, strict=True)):
        return dict(document)
    return {**document, "nodes": new_nodes}


def _node_flagged(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    node_type = NODE_TYPES.get(node.get("type", ""))
    sensitive = node_type.sensitive_fields if node_type else frozenset()
    properties = node.get("properties")
    if not isinstance(properties, list):
        return node
    changed = False
    new_properties = []
    for prop in properties:
        if (
            isinstance(prop, dict)
            and (prop.get("name") in sensitive or secret_name_like(prop.get("name")))
            and prop.get("value_is_sensitive") is not True
        ):
            prop = {**prop, "value_is_sensitive": True}
            changed = True
        new_properties.append(prop)
    return {**node, "properties": new_properties} if changed else node


def node_types_describe() -> list[dict[str, Any]]:
    """The registry as plain data for the canvas's palette and property panel."""
    return [
        {
            "code": t.code,
            "label": t.label,
            "category": t.category,
            "fields": [
                {
                    "name": f.name,
                    "label": f.label,
                    "widget": f.widget,
                    "refersTo": f.refers_to,
                    "connectionType": f.connection_type,
                    "scriptTypes": list(f.script_types),
                    "required": f.required,
                    "options": list(f.options),
                    "default": f.default,
                    "sensitive": f.sensitive,
                }
                for f in t.fields
            ],
        }
        for t in NODE_TYPES.values()
    ]
