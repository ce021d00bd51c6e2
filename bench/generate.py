"""Realistic workspaces for the benchmarks, written with ``bulk_create`` (a few seconds per 10,000 jobs).

``world_generate(jobs=N)`` creates, in the current database:

- ``bench_source``: N jobs in nested directories, 3 to 30 nodes each of the registry's node types with their
  reference properties filled in (scripts, data connections, DLI queues, CDM/MRS clusters, GES graphs, DIS
  streams, resources, sub-jobs, environment variables), DAG edges, schedules with job dependencies,
  parameters and a sensitive property; scripts of a few KB (most jobs have their own, a few are shared);
  one submitted version of every job and script, a few jobs locked by another user;
- ``bench_target``: the same data connections and cloud objects, but no jobs, scripts, resources,
  directories or variables: the empty workspace an import goes into;
- ``bench_limit``: empty, for the raw ``bulk_create`` limit of the import;
- ``bench_tree``: 5 N small jobs (50,000 for N = 10,000): N/2 in one folder, N/10 at the root, the rest
  in nested directories, plus one job of 200 nodes at the root for the browser's canvas benchmark.

Everything is deterministic for a given seed. Nothing here goes through the services: what is measured is
the console, not the setup.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from factory.connections.models import DataConnection, ExternalObject
from factory.crypto import secrets_encrypt
from factory.development.models import (
    Category,
    Directory,
    EnvironmentVariable,
    Job,
    JobVersion,
    Resource,
    Script,
    ScriptVersion,
    VersionKind,
)
from factory.workspaces.models import Membership, Role, Workspace

PASSWORD = "bench-password-1"  # the generated users' password; the bench database is thrown away
ADMIN = "bench_admin"
DEVELOPER = "bench_dev"
BROWSER_USER = "bench_ui"
CANVAS_JOB = "a_canvas_200"  # sorts first among the tree workspace's root jobs: visible without scrolling
CANVAS_NODES = 200
BATCH = 500  # rows per INSERT
CHUNK_JOBS = 1000  # jobs built and written at a time, so that generation memory stays flat
TOP_DIRECTORIES = ("ods", "dwd", "dws", "ads", "ops", "ml", "report")
SUBJECTS = (
    "orders", "customers", "products", "inventory", "payments", "shipments", "sessions", "marketing",
    "finance", "risk", "logistics", "stores", "suppliers", "returns", "reviews", "clicks",
)  # fmt: skip
VERBS = ("load", "clean", "merge", "aggregate", "publish", "check", "sync", "snapshot")

# Node types and how often they appear (SQL nodes dominate real workspaces).
NODE_MIX: tuple[tuple[str, int], ...] = (
    ("DWSSQL", 14), ("DLISQL", 14), ("HiveSQL", 10), ("SparkSQL", 8), ("RDSSQL", 4), ("PRESTO", 2),
    ("ClickHouseSQL", 2), ("Shell", 6), ("Python", 4), ("CDMJob", 8), ("RESTAPI", 3), ("DLISpark", 3),
    ("MRSSpark", 2), ("MapReduce", 1), ("MRSFlinkJob", 1), ("DLIFlinkJob", 1), ("SubJob", 2), ("ForEach", 1),
    ("ImportGES", 1), ("DISTransferTask", 1), ("MRSKafka", 1), ("SMN", 2), ("OBSManager", 1), ("Dummy", 4),
)  # fmt: skip
# Node type -> (script type, connection type) for the nodes that run a script.
SCRIPTED: dict[str, tuple[str, str]] = {
    "DWSSQL": ("DWSSQL", "DWS"),
    "DLISQL": ("DLISQL", "DLI"),
    "HiveSQL": ("HiveSQL", "HIVE"),
    "SparkSQL": ("SparkSQL", "SparkSQL"),
    "RDSSQL": ("RDSSQL", "RDS"),
    "PRESTO": ("PRESTO", "PRESTO"),
    "ClickHouseSQL": ("ClickHouseSQL", "CLICKHOUSE"),
    "Shell": ("Shell", "HOST"),
    "Python": ("Python", "HOST"),
}
CONNECTION_TYPES = ("DWS", "DLI", "HIVE", "SparkSQL", "RDS", "HOST", "PRESTO", "CLICKHOUSE", "KAFKA")
EXTERNAL = {
    "dli_queue": ("dli_default", "dli_etl", "dli_adhoc"),
    "cdm_cluster": ("cdm_main", "cdm_agent"),
    "mrs_cluster": ("mrs_analytics", "mrs_stream"),
    "ges_graph": ("social_graph", "supply_graph"),
    "dis_stream": ("dis_clickstream", "dis_orders"),
}
RESOURCES = (
    ("spark_sessionize", "jar"), ("spark_profile", "jar"), ("mrs_dedup", "jar"), ("mrs_rollup", "jar"),
    ("flink_enrich", "jar"), ("flink_alerts", "jar"), ("clean_utils", "pyFile"), ("geo_utils", "pyFile"),
    ("geo_dict", "file"), ("holidays", "file"), ("udf_bundle", "archive"), ("ml_models", "archive"),
)  # fmt: skip
ENVIRONMENT = (
    ("obs_bucket", "dlf-bench"), ("api_host", "partners.example.com"), ("dws_schema", "dws_sales"),
    ("alert_topic", "dlf_alerts"), ("retention_days", "30"), ("region", "ap-southeast-1"),
    ("dli_db", "bench_dli"), ("hive_db", "bench_hive"), ("log_path", "obs://dlf-bench/logs"), ("env", "prod"),
)  # fmt: skip


@dataclass
class Counts:
    jobs: int = 0
    nodes: int = 0
    scripts: int = 0
    directories: int = 0
    resources: int = 0
    connections: int = 0
    script_bytes: int = 0


@dataclass
class World:
    """What was generated: the ids the benchmarks need and how much of everything there is."""

    jobs: int
    password: str
    admin_id: int
    browser_user_id: int
    source_id: int
    target_id: int
    limit_id: int
    tree_id: int
    tree_jobs: int
    tree_root_jobs: int
    folder_id: int
    folder_jobs: int
    canvas_job_id: int
    source: Counts = field(default_factory=Counts)

    @property
    def admin(self) -> Any:
        return get_user_model().objects.get(pk=self.admin_id)

    def workspace(self, pk: int) -> Workspace:
        return Workspace.objects.get(pk=pk)


def _batched(items: list[Any], model: type) -> list[Any]:
    return model.objects.bulk_create(items, batch_size=BATCH)


# --- users, workspaces, the objects jobs refer to -----------------------------------------------------


def _users() -> dict[str, Any]:
    User = get_user_model()
    hashed = make_password(PASSWORD)  # hashed once: the hasher is deliberately slow
    users = {}
    for name in (ADMIN, DEVELOPER, BROWSER_USER):
        users[name], _ = User.objects.update_or_create(
            username=name, defaults={"password": hashed, "email": f"{name}@example.com"}
        )
    return users


def _workspace(name: str, members: dict[Any, str]) -> Workspace:
    ws = Workspace.objects.create(name=name, description=f"benchmark workspace {name}")
    Membership.objects.bulk_create(
        Membership(workspace=ws, user=user, role=role) for user, role in members.items()
    )
    return ws


def _connections(ws: Workspace, user: Any) -> None:
    rows = []
    for type_ in CONNECTION_TYPES:
        for k in (1, 2):
            rows.append(
                DataConnection(
                    workspace=ws,
                    name=f"{type_.lower()}_{k}",
                    type=type_,
                    config={"host": f"{type_.lower()}-{k}.internal", "port": 8000 + k, "userName": "etl"},
                    secrets_encrypted=secrets_encrypt(values={"password": f"secret-{type_}-{k}"}),
                    secret_fields=["password"],
                    description=f"{type_} connection {k}",
                    created_by=user,
                )
            )
    DataConnection.objects.bulk_create(rows)
    ExternalObject.objects.bulk_create(
        ExternalObject(workspace=ws, kind=kind, name=name, config={"size": "medium"})
        for kind, names in EXTERNAL.items()
        for name in names
    )


def _directories(ws: Workspace, category: str, paths: set[str]) -> dict[str, Directory]:
    """Directory rows for every path in ``paths`` and their parents, one INSERT per depth."""
    wanted = set()
    for path in paths:
        parts = [p for p in path.split("/") if p]
        for depth in range(1, len(parts) + 1):
            wanted.add("/" + "/".join(parts[:depth]))
    by_path: dict[str, Directory] = {}
    for depth in sorted({p.count("/") for p in wanted}):
        level = [
            Directory(
                workspace=ws,
                category=category,
                parent=by_path.get(path.rsplit("/", 1)[0]),
                name=path.rsplit("/", 1)[1],
                path=path,
                depth=depth,
            )
            for path in sorted(p for p in wanted if p.count("/") == depth)
        ]
        for directory in _batched(level, Directory):
            by_path[directory.path] = directory
    return by_path


def _directory_paths(rng: random.Random, leaves: int) -> list[str]:
    """About ``leaves`` nested paths under the top-level domains, one to three levels deep."""
    paths = [f"/{top}" for top in TOP_DIRECTORIES]
    for i in range(max(0, leaves - len(paths))):
        top = TOP_DIRECTORIES[i % len(TOP_DIRECTORIES)]
        subject = SUBJECTS[(i // len(TOP_DIRECTORIES)) % len(SUBJECTS)]
        batch = i // (len(TOP_DIRECTORIES) * len(SUBJECTS))
        path = f"/{top}/{subject}"
        if batch:
            path += f"/batch_{batch:03d}"
            if rng.random() < 0.3:
                path += f"/part_{rng.randint(1, 3)}"
        paths.append(path)
    return sorted(set(paths))


# --- documents --------------------------------------------------------------------------------------


class _Text:
    """SQL and shell text of a few KB, assembled from a pool of lines so that scripts differ."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        columns = [
            f"{w}_{i}" for w in ("id", "amount", "price", "qty", "status", "region", "ts") for i in range(8)
        ]
        self.lines = []
        for i in range(600):
            cols = ", ".join(rng.sample(columns, rng.randint(3, 8)))
            table = f"{rng.choice(SUBJECTS)}_{rng.choice(('ods', 'dwd', 'dws'))}_{i % 40}"
            self.lines.append(
                rng.choice(
                    (
                        f"SELECT {cols} FROM {table} WHERE dt = '${{bizdate}}' AND status <> 'deleted';",
                        f"INSERT OVERWRITE TABLE {table}_tmp SELECT {cols} FROM {table} WHERE region = 'r{i}';",
                        f"  LEFT JOIN {table} t{i} ON t{i}.id_0 = base.id_0 AND t{i}.ts_1 >= base.ts_1",
                        f"-- step {i}: keep the latest row per key of {table}, see ticket DLF-{1000 + i}",
                        f"  CASE WHEN amount_{i % 8} > {i * 7} THEN 'high' ELSE 'low' END AS band_{i},",
                        f'echo "$(date +%F) syncing {table} to ${{obs_bucket}}/{table}/" >> /var/log/etl.log',
                    )
                )
            )

    def body(self, size: int) -> str:
        out: list[str] = []
        length = 0
        while length < size:
            line = self.rng.choice(self.lines)
            out.append(line)
            length += len(line) + 1
        return "\n".join(out)


def _property_list(values: dict[str, Any], sensitive: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    props = []
    for name, value in values.items():
        prop: dict[str, Any] = {"name": name, "value": value}
        if name in sensitive:
            prop["value_is_sensitive"] = True
        props.append(prop)
    return props


class _JobFactory:
    """Builds job and script documents for one workspace."""

    def __init__(self, rng: random.Random, *, jobs: int) -> None:
        self.rng = rng
        self.text = _Text(rng)
        types, weights = zip(*NODE_MIX, strict=True)
        self.types = list(types)
        self.weights = list(weights)
        sql = [(t, w) for t, w in NODE_MIX if t in SCRIPTED and t not in ("Shell", "Python")]
        self.sql_types = [t for t, _ in sql]
        self.sql_weights = [w for _, w in sql]
        self.shared: dict[str, list[str]] = {}  # script type -> names of shared scripts
        self.shared_count = max(1, jobs // 50)
        self.resources = [name for name, _ in RESOURCES]

    def connection(self, connection_type: str) -> str:
        return f"{connection_type.lower()}_{self.rng.randint(1, 2)}"

    def script_doc(self, name: str, script_type: str, connection: str, directory: str) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "name": name,
            "type": script_type,
            "content": self.text.body(self.rng.randint(1024, 4 * 1024)),
            "connectionName": connection,
            "database": self.rng.choice(("dwd", "dws", "ads", "${dli_db}")),
            "directory": directory,
            "configuration": {"spark.sql.shuffle.partitions": "200"} if script_type == "SparkSQL" else {},
            "description": f"{script_type} script of {directory}",
            "owner": ADMIN,
            "templateVersion": "1.0",
        }
        if script_type == "DLISQL":
            doc["queueName"] = self.rng.choice(EXTERNAL["dli_queue"])
        return doc

    def node_properties(self, node_type: str, script: str | None, earlier_jobs: list[str]) -> list[dict]:
        rng = self.rng
        if node_type in SCRIPTED:
            script_type, connection_type = SCRIPTED[node_type]
            values: dict[str, Any] = {
                "scriptName": script,
                "connectionName": self.connection(connection_type),
            }
            if node_type in ("Shell", "Python"):
                values["arguments"] = "${bizdate} ${env}"
            else:
                values["database"] = rng.choice(("dwd", "dws", "ads"))
            if node_type == "DLISQL":
                values["queueName"] = rng.choice(EXTERNAL["dli_queue"])
            if node_type in ("HiveSQL", "SparkSQL"):
                values["scriptArgs"] = "dt=${bizdate}"
            return _property_list(values)
        if node_type == "CDMJob":
            values = {
                "clusterName": rng.choice(EXTERNAL["cdm_cluster"]),
                "jobName": f"cdm_{rng.randint(1, 500)}",
            }
            values["jobType"] = "existsJob"
            return _property_list(values)
        if node_type == "RESTAPI":
            values = {
                "url": f"https://${{api_host}}/v1/feeds/{rng.randint(1, 99)}",
                "method": rng.choice(("GET", "POST")),
                "headers": '{"Content-Type": "application/json"}',
                "body": '{"date": "${bizdate}"}',
                "agentName": rng.choice(EXTERNAL["cdm_cluster"]),
                "authToken": f"tok-{rng.getrandbits(64):016x}",
            }
            return _property_list(values, sensitive=("authToken",))
        if node_type in ("DLISpark", "MRSSpark", "MapReduce"):
            cluster = EXTERNAL["dli_queue" if node_type == "DLISpark" else "mrs_cluster"]
            values = {
                "clusterName": rng.choice(cluster),
                "jobName": f"spark_{rng.randint(1, 999)}",
                "resourceName": rng.choice(self.resources),
                "jarArgs": "--date ${bizdate}",
            }
            if node_type == "DLISpark":
                values["jobClass"] = "com.example.etl.Main"
                values["sparkConfig"] = "spark.executor.memory=4g"
            return _property_list(values)
        if node_type in ("MRSFlinkJob", "DLIFlinkJob"):
            key, kind = (
                ("clusterName", "mrs_cluster") if node_type == "MRSFlinkJob" else ("queueName", "dli_queue")
            )
            values = {key: rng.choice(EXTERNAL[kind]), "resourceName": rng.choice(self.resources)}
            values["jobName"] = f"flink_{rng.randint(1, 99)}"
            return _property_list(values)
        if node_type in ("SubJob", "ForEach"):
            if not earlier_jobs:
                return []
            values = {"subJobName": rng.choice(earlier_jobs)}
            if node_type == "SubJob":
                values["subJobParams"] = '[{"name": "bizdate", "value": "${bizdate}"}]'
            else:
                values.update(dataset="#{Loop.dataArray}", concurrency=2, jobSuffix="part")
            return _property_list(values)
        if node_type == "ImportGES":
            values = {
                "graphName": rng.choice(EXTERNAL["ges_graph"]),
                "schemaPath": "obs://dlf-bench/ges/schema.xml",
            }
            values.update(edgePath="obs://dlf-bench/ges/edges/", vertexPath="obs://dlf-bench/ges/vertices/")
            return _property_list(values)
        if node_type == "DISTransferTask":
            return _property_list(
                {"streamName": rng.choice(EXTERNAL["dis_stream"]), "destinationType": "OBS"}
            )
        if node_type == "MRSKafka":
            return _property_list({"connectionName": self.connection("KAFKA"), "topic": "events"})
        if node_type == "SMN":
            return _property_list({"topic": "${alert_topic}", "message": "job ${job_name} finished"})
        if node_type == "OBSManager":
            return _property_list({"action": "delete", "path": "${obs_bucket}/tmp/${bizdate}"})
        return []

    def job(
        self, *, name: str, directory: str, node_count: int, earlier_jobs: list[str], owner: str
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """A job document and the new scripts it brings (its own; shared ones are made once)."""
        rng = self.rng
        own: dict[str, list[str]] = {}  # script type -> this job's scripts
        new_scripts: list[dict[str, Any]] = []
        nodes: list[dict[str, Any]] = []
        # A job's SQL nodes use one or two engines (a DLI pipeline, a DWS one...), as real jobs do.
        engines = sorted(set(rng.choices(self.sql_types, self.sql_weights, k=2)))
        types = [
            rng.choice(engines) if t in self.sql_types else t
            for t in rng.choices(self.types, self.weights, k=node_count)
        ]
        for i, node_type in enumerate(types):
            script = None
            if node_type in SCRIPTED:
                script_type, connection_type = SCRIPTED[node_type]
                mine = own.setdefault(script_type, [])
                if mine and rng.random() < 0.85:
                    script = rng.choice(mine)
                elif rng.random() < 0.06:
                    pool = self.shared.setdefault(script_type, [])
                    if len(pool) < self.shared_count and rng.random() < 0.5 or not pool:
                        script = f"shared_{script_type.lower()}_{len(pool):04d}"
                        pool.append(script)
                        new_scripts.append(
                            self.script_doc(script, script_type, self.connection(connection_type), "/shared")
                        )
                    else:
                        script = rng.choice(pool)
                else:
                    script = f"{name}_{script_type.lower()}_{len(mine) + 1}"
                    mine.append(script)
                    new_scripts.append(
                        self.script_doc(script, script_type, self.connection(connection_type), directory)
                    )
            level, row = divmod(i, 4)
            pre = sorted({nodes[j]["name"] for j in rng.sample(range(i), min(i, rng.choice((1, 1, 1, 2))))})
            node: dict[str, Any] = {
                "name": f"{node_type.lower()}_{i + 1}",
                "type": node_type,
                "location": {"x": 120 + 220 * level, "y": 60 + 90 * row},
                "preNodeName": pre,
                "conditions": [],
                "properties": self.node_properties(node_type, script, earlier_jobs),
                "pollingInterval": 20,
                "maxExecutionTime": 360,
                "retryTimes": 1 if node_type in ("CDMJob", "RESTAPI") else 0,
                "retryInterval": 120,
                "failPolicy": "FAIL_CHILD",
                "execTimeOutRetry": "false",
                "lineageInfo": '[{"outputs":[],"inputs":[]}]',
            }
            if pre and rng.random() < 0.05:
                node["conditions"] = [
                    {"preNodeName": pre[0], "expression": '#{Job.getNodeStatus("x") == "success"}'}
                ]
            nodes.append(node)
        schedule: dict[str, Any] = {"type": "EXECUTE_ONCE"}
        if rng.random() < 0.8:
            cron: dict[str, Any] = {
                "startTime": "2025-01-01T00:00:00+08",
                "endTime": "2099-12-31T23:59:59+08",
                "expression": f"0 {rng.randint(0, 59)} {rng.randint(0, 5)} * * ?",
                "expressionTimeZone": "GMT+08:00",
                "dependPrePeriod": False,
                "intervalType": "days",
                "concurrent": 1,
            }
            if earlier_jobs and rng.random() < 0.3:
                depend = sorted(set(rng.sample(earlier_jobs, min(len(earlier_jobs), rng.randint(1, 2)))))
                cron["dependJobs"] = {
                    "jobs": depend,
                    "dependPeriod": "SAME_PERIOD",
                    "dependFailPolicy": "FAIL",
                }
            schedule = {"type": "CRON", "cron": cron, "requireManualConfirmBeforeExecute": False}
        document = {
            "name": name,
            "processType": "BATCH",
            "directory": directory,
            "logPath": "obs://dlf-bench/logs",
            "description": f"{name}: generated for the benchmarks",
            "basicConfig": {
                "owner": owner,
                "priority": rng.randint(0, 2),
                "executeUser": "",
                "instanceTimeout": 0,
                "customFields": {},
                "agency": "",
                "tags": [],
            },
            "params": [
                {
                    "name": "bizdate",
                    "value": '#{DateUtil.format(DateUtil.addDays(Job.planTime,-1),"yyyyMMdd")}',
                    "type": "variable",
                },
                {"name": "job_name", "value": name, "type": "constants"},
            ],
            "schedule": schedule,
            "nodes": nodes,
            "cleanOverdueDays": 60,
            "cleanWaitingJob": "cleanup",
            "emptyRunningJob": "0",
            "singleNodeJobFlag": False,
            "version": "2",
        }
        return document, new_scripts


# --- the workspaces ---------------------------------------------------------------------------------


def _job_name(rng: random.Random, i: int) -> str:
    return f"{rng.choice(('ods', 'dwd', 'dws', 'ads'))}_{SUBJECTS[i % len(SUBJECTS)]}_{VERBS[i % len(VERBS)]}_{i:05d}"


def _source(ws: Workspace, *, jobs: int, rng: random.Random, users: dict[str, Any]) -> Counts:
    admin, developer = users[ADMIN], users[DEVELOPER]
    counts = Counts()
    _connections(ws, admin)
    counts.connections = len(CONNECTION_TYPES) * 2
    EnvironmentVariable.objects.bulk_create(
        EnvironmentVariable(workspace=ws, name=name, value=value, description=f"{name} of the benchmarks")
        for name, value in ENVIRONMENT
    )
    resource_dirs = _directories(ws, Category.RESOURCE, {"/jars", "/python", "/files"})
    folder = {"jar": "/jars", "pyFile": "/python", "file": "/files", "archive": "/files"}
    Resource.objects.bulk_create(
        Resource(
            workspace=ws,
            name=name,
            directory=resource_dirs[folder[type_]],
            type=type_,
            location=f"obs://dlf-bench/resources/{name}.{'py' if type_ == 'pyFile' else 'jar'}",
            document={
                "name": name,
                "type": type_,
                "location": f"obs://dlf-bench/resources/{name}.{'py' if type_ == 'pyFile' else 'jar'}",
                "dependFiles": [],
                "desc": f"{type_} resource of the benchmarks",
                "directory": folder[type_],
            },
            created_by=admin,
        )
        for name, type_ in RESOURCES
    )
    counts.resources = len(RESOURCES)

    paths = _directory_paths(rng, max(len(TOP_DIRECTORIES), jobs // 50))
    job_dirs = _directories(ws, Category.JOB, set(paths))
    script_dirs = _directories(ws, Category.SCRIPT, {*paths, "/shared"})
    counts.directories = len(job_dirs) + len(script_dirs) + len(resource_dirs)

    factory = _JobFactory(rng, jobs=jobs)
    names: list[str] = []
    now = timezone.now()
    for start in range(0, jobs, CHUNK_JOBS):
        job_rows, script_rows = [], []
        for i in range(start, min(jobs, start + CHUNK_JOBS)):
            name = _job_name(rng, i)
            directory = "/" if rng.random() < 0.05 else rng.choice(paths)
            locked = rng.random() < 0.05
            owner = DEVELOPER if locked or rng.random() < 0.3 else ADMIN
            document, scripts = factory.job(
                name=name,
                directory=directory,
                node_count=rng.randint(3, 30),
                earlier_jobs=names[-2000:],
                owner=owner,
            )
            names.append(name)
            counts.nodes += len(document["nodes"])
            job_rows.append(
                Job(
                    workspace=ws,
                    name=name,
                    directory=job_dirs.get(directory),
                    document=document,
                    owner=owner,
                    process_type="BATCH",
                    node_count=len(document["nodes"]),
                    lock_holder=developer if locked else None,
                    locked_at=now if locked else None,
                    submitted_revision=1,
                    created_by=admin,
                    updated_by=developer if owner == DEVELOPER else admin,
                )
            )
            for doc in scripts:
                counts.script_bytes += len(doc["content"])
                script_rows.append(
                    Script(
                        workspace=ws,
                        name=doc["name"],
                        directory=script_dirs.get(doc["directory"]),
                        document=doc,
                        owner=ADMIN,
                        type=doc["type"],
                        connection_name=doc["connectionName"],
                        submitted_revision=1,
                        created_by=admin,
                        updated_by=admin,
                    )
                )
        with transaction.atomic():
            scripts_saved = _batched(script_rows, Script)
            _batched(
                [
                    ScriptVersion(
                        script=s, kind=VersionKind.SUBMITTED, number=1, document=s.document, created_by=admin
                    )
                    for s in scripts_saved
                ],
                ScriptVersion,
            )
            jobs_saved = _batched(job_rows, Job)
            _batched(
                [
                    JobVersion(
                        job=j, kind=VersionKind.SUBMITTED, number=1, document=j.document, created_by=admin
                    )
                    for j in jobs_saved
                ],
                JobVersion,
            )
        counts.jobs += len(job_rows)
        counts.scripts += len(script_rows)
    return counts


def _small_jobs(
    ws: Workspace, *, names: Iterator[str], directory: Directory | None, count: int, owner: Any
) -> None:
    rows = []
    path = directory.path if directory else "/"
    for _ in range(count):
        name = next(names)
        document = {
            "name": name,
            "processType": "BATCH",
            "directory": path,
            "nodes": [
                {"name": "start", "type": "Dummy", "location": {"x": 100, "y": 100}, "preNodeName": []},
                {"name": "notify", "type": "SMN", "location": {"x": 320, "y": 100}, "preNodeName": ["start"]},
            ],
            "schedule": {"type": "EXECUTE_ONCE"},
            "basicConfig": {"owner": ADMIN},
        }
        rows.append(
            Job(
                workspace=ws,
                name=name,
                directory=directory,
                document=document,
                owner=ADMIN,
                node_count=2,
                created_by=owner,
                updated_by=owner,
            )
        )
        if len(rows) >= 5000:
            _batched(rows, Job)
            rows = []
    _batched(rows, Job)


def _canvas_job(ws: Workspace, *, owner: Any) -> Job:
    """A job of 200 nodes in ten layers of twenty, each node after one or two of the layer before."""
    rng = random.Random(200)
    nodes = []
    width = 20
    for i in range(CANVAS_NODES):
        layer, column = divmod(i, width)
        pre = []
        if layer:
            above = [(layer - 1) * width + c for c in (column, (column + 1) % width)]
            pre = sorted({nodes[j]["name"] for j in above[: rng.randint(1, 2)]})
        node_type = rng.choice(("DWSSQL", "HiveSQL", "CDMJob", "Dummy", "Shell"))
        nodes.append(
            {
                "name": f"n{i + 1:03d}_{node_type.lower()}",
                "type": node_type,
                "location": {"x": 80 + 200 * column, "y": 60 + 120 * layer},
                "preNodeName": pre,
                "properties": [],
            }
        )
    document = {
        "name": CANVAS_JOB,
        "processType": "BATCH",
        "directory": "/",
        "nodes": nodes,
        "schedule": {"type": "EXECUTE_ONCE"},
        "basicConfig": {"owner": ADMIN},
    }
    return Job.objects.create(
        workspace=ws,
        name=CANVAS_JOB,
        document=document,
        owner=ADMIN,
        node_count=CANVAS_NODES,
        created_by=owner,
    )


def _tree(ws: Workspace, *, jobs: int, owner: Any, rng: random.Random) -> tuple[Directory, int, int, Job]:
    """``5 jobs`` small jobs: jobs/2 in /big_folder, jobs/10 at the root, the rest in nested directories."""
    total = 5 * jobs
    in_folder = max(1, jobs // 2)
    at_root = max(1, jobs // 10)
    rest = max(0, total - in_folder - at_root - 1)
    paths = _directory_paths(rng, max(len(TOP_DIRECTORIES), rest // 60))
    dirs = _directories(ws, Category.JOB, {*paths, "/big_folder"})
    names = (f"job_{i:06d}" for i in itertools.count())
    _small_jobs(ws, names=names, directory=dirs["/big_folder"], count=in_folder, owner=owner)
    _small_jobs(ws, names=names, directory=None, count=at_root, owner=owner)
    per_directory, extra = divmod(rest, len(paths))
    for k, path in enumerate(paths):
        _small_jobs(ws, names=names, directory=dirs[path], count=per_directory + (k < extra), owner=owner)
    canvas = _canvas_job(ws, owner=owner)
    return dirs["/big_folder"], in_folder, at_root + 1, canvas


def world_generate(*, jobs: int, seed: int = 20240601) -> World:
    """Create the benchmark workspaces (see the module's docstring) and return what was made."""
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    rng = random.Random(seed)
    users = _users()
    admin = users[ADMIN]
    source = _workspace("bench_source", {admin: Role.ADMIN, users[DEVELOPER]: Role.DEVELOPER})
    target = _workspace("bench_target", {admin: Role.ADMIN})
    limit = _workspace("bench_limit", {admin: Role.ADMIN})
    tree = _workspace("bench_tree", {admin: Role.ADMIN, users[BROWSER_USER]: Role.ADMIN})
    counts = _source(source, jobs=jobs, rng=rng, users=users)
    _connections(target, admin)
    folder, folder_jobs, root_jobs, canvas = _tree(tree, jobs=jobs, owner=admin, rng=rng)
    return World(
        jobs=jobs,
        password=PASSWORD,
        admin_id=admin.pk,
        browser_user_id=users[BROWSER_USER].pk,
        source_id=source.pk,
        target_id=target.pk,
        limit_id=limit.pk,
        tree_id=tree.pk,
        tree_jobs=Job.objects.filter(workspace=tree).count(),
        tree_root_jobs=root_jobs,
        folder_id=folder.pk,
        folder_jobs=folder_jobs,
        canvas_job_id=canvas.pk,
        source=counts,
    )
