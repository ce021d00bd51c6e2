"""The demo workspace's content, as plain data: what ``manage.py seed_demo`` creates.

A small data warehouse in DataArts style: ODS ingestion (CDM, DIS, REST), DWD cleaning on DLI, Hive,
Spark and DWS, DWS aggregates (MRS Spark, GES, RDS), ADS reports and an ops folder of pipelines that call
the others (SubJob, For Each). Documents are DataArts' own shapes (reference 1.6, 4.3-4.6), including the
unknown keys real exports carry, so that exports of the demo look like exports of a real workspace.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ADMIN = "admin"
DEVELOPER = "developer"
WORKSPACE = "default"
# The demo workspace may use only the bucket `make run` creates for it (its OBS allow-list).
DEMO_OBS_BUCKETS = ("dlf-demo",)


@dataclass(frozen=True)
class DemoConnection:
    name: str
    type: str
    config: dict[str, Any]
    description: str
    secret_names: tuple[str, ...] = ("password",)


CONNECTIONS = (
    DemoConnection(
        "doctest",
        "DWS",
        {"host": "dws-demo.internal", "port": 8000, "userName": "dbadmin", "sslEnable": False},
        "DWS cluster of the DataArts documentation's example job doc1",
    ),
    DemoConnection(
        "dws_backup",
        "DWS",
        {"host": "dws-backup.internal", "port": 8000, "userName": "dbadmin", "sslEnable": True},
        "Standby DWS cluster",
    ),
    DemoConnection("dli_demo", "DLI", {"region": "ap-southeast-1"}, "DLI (serverless Spark SQL)", ()),
    DemoConnection(
        "mrs_hive",
        "HIVE",
        {
            "clusterName": "mrs_analytics",
            "userName": "hive_etl",
            "connectionMode": "agent",
            "agentName": "cdm-demo",
        },
        "Hive on the MRS analytics cluster",
    ),
    DemoConnection(
        "mrs_spark",
        "SparkSQL",
        {
            "clusterName": "mrs_analytics",
            "userName": "spark_etl",
            "connectionMode": "agent",
            "agentName": "cdm-demo",
        },
        "Spark SQL on the MRS analytics cluster",
    ),
    DemoConnection(
        "etl_host",
        "HOST",
        {"ip": "10.0.1.20", "port": 22, "userName": "etl", "agentName": "cdm-demo"},
        "ECS host that runs the Shell and Python nodes",
    ),
    DemoConnection(
        "rds_orders",
        "RDS",
        {
            "host": "rds-orders.internal",
            "port": 3306,
            "userName": "orders_ro",
            "driverName": "com.mysql.cj.jdbc.Driver",
            "driverPath": "obs://dlf-demo/drivers/mysql-connector-j-8.0.33.jar",
        },
        "Orders OLTP database (read replica)",
    ),
)

# (kind, name, description, config)
EXTERNAL_OBJECTS = (
    ("dli_queue", "dli_default", "Shared DLI SQL queue", {"cu": 16, "queueType": "sql"}),
    ("dli_queue", "dli_etl", "Dedicated DLI queue for ETL", {"cu": 64, "queueType": "general"}),
    ("ges_graph", "social_graph", "Customer relationship graph", {"graphSize": "small"}),
    ("dis_stream", "dis_clickstream", "Web click events", {"partitions": 4, "retentionHours": 24}),
    ("cdm_cluster", "cdm-demo", "CDM cluster for migrations and agents", {"flavor": "cdm.large"}),
    ("mrs_cluster", "mrs_analytics", "MRS analytics cluster (Hive, Spark)", {"version": "MRS 3.1.0"}),
)

RESOURCES = (
    {
        "name": "spark_sessionize",
        "type": "jar",
        "location": "obs://dlf-demo/resources/spark-sessionize-1.4.2.jar",
        "dependFiles": ["obs://dlf-demo/resources/libs/commons-lang3-3.12.0.jar"],
        "desc": "Sessionizes click events (DLI Spark)",
        "directory": "/spark",
    },
    {
        "name": "mrs_user_profile",
        "type": "jar",
        "location": "obs://dlf-demo/resources/mrs-user-profile-2.0.1.jar",
        "dependFiles": [],
        "desc": "Builds user profiles (MRS Spark)",
        "directory": "/spark",
    },
    {
        "name": "clean_utils",
        "type": "pyFile",
        "location": "obs://dlf-demo/resources/python/clean_utils.py",
        "dependFiles": [],
        "desc": "Cleaning helpers shared by the Python nodes",
        "directory": "/python",
    },
    {
        "name": "geo_dict",
        "type": "file",
        "location": "obs://dlf-demo/resources/dict/geo_regions.csv",
        "dependFiles": [],
        "desc": "Region dictionary",
        "directory": "/dict",
    },
)

# (name, value, description)
ENVIRONMENT_VARIABLES = (
    ("obs_bucket", "dlf-demo", "OBS bucket of the demo data lake"),
    ("dws_schema", "dws_sales", "Schema of the DWS aggregates"),
    ("api_host", "partners.example.com", "Partner API host"),
    ("alert_topic", "dlf_alerts", "SMN topic for alerts"),
    ("retention_days", "30", "Days of temporary files to keep"),
)

TABLES = ("orders", "customers", "products", "inventory", "payments", "shipments")

# How each DWD table is cleaned: node type, connection, database, script type, DLI queue.
DWD_ENGINES: dict[str, tuple[str, str, str, str | None]] = {
    "orders": ("DLISQL", "dli_demo", "demo_dwd", "dli_etl"),
    "customers": ("HiveSQL", "mrs_hive", "dwd", None),
    "products": ("SparkSQL", "mrs_spark", "dwd", None),
    "inventory": ("DWSSQL", "doctest", "postgres", None),
    "payments": ("DLISQL", "dli_demo", "demo_dwd", "dli_default"),
}

BIZDATE = {
    "name": "bizdate",
    "value": '#{DateUtil.format(DateUtil.addDays(Job.planTime,-1),"yyyyMMdd")}',
    "type": "variable",
}


@dataclass
class DemoJob:
    """A job to create: its document, who creates it, and what happens to it afterwards."""

    document: dict[str, Any]
    creator: str = ADMIN
    submit: bool = True
    later_change: bool = False  # saved again after submitting: unsubmitted changes
    schedule: bool = False  # scheduling started
    keep_lock: bool = False  # left locked by its creator, as if being edited


@dataclass
class DemoContent:
    scripts: list[dict[str, Any]] = field(default_factory=list)
    jobs: list[DemoJob] = field(default_factory=list)


def _node(
    name: str,
    type: str,
    x: float,
    y: float,
    properties: dict[str, Any],
    *,
    pre: tuple[str, ...] = (),
    conditions: tuple[tuple[str, str], ...] = (),
    sensitive: tuple[str, ...] = (),
    **extra: Any,
) -> dict[str, Any]:
    props = []
    for key, value in properties.items():
        prop: dict[str, Any] = {"name": key, "value": value}
        if sensitive:
            prop["value_is_sensitive"] = key in sensitive
        props.append(prop)
    node = {
        "name": name,
        "type": type,
        "location": {"x": x, "y": y},
        "preNodeName": list(pre),
        "conditions": [{"preNodeName": p, "expression": e} for p, e in conditions],
        "properties": props,
        "pollingInterval": 20,
        "maxExecutionTime": 360,
        "retryTimes": 1 if type in ("CDMJob", "RESTAPI") else 0,
        "retryInterval": 120,
        "failPolicy": "FAIL_CHILD",
        "execTimeOutRetry": "false",
        "lineageInfo": '[{"outputs":[],"inputs":[]}]',
    }
    node.update(extra)
    return node


def _cron(expression: str, *, depend: tuple[str, ...] = ()) -> dict[str, Any]:
    cron: dict[str, Any] = {
        "startTime": "2025-01-01T00:00:00+08",
        "endTime": "2099-12-31T23:59:59+08",
        "expression": expression,
        "expressionTimeZone": "GMT+08:00",
        "dependPrePeriod": False,
        "intervalType": "days",
        "concurrent": 1,
    }
    if depend:
        cron["dependJobs"] = {"jobs": list(depend), "dependPeriod": "SAME_PERIOD", "dependFailPolicy": "FAIL"}
    return {"type": "CRON", "cron": cron, "requireManualConfirmBeforeExecute": False}


def _event(channel: str) -> dict[str, Any]:
    return {
        "type": "EVENT",
        "event": {
            "eventType": "DIS",
            "channel": channel,
            "failPolicy": "SUSPEND",
            "concurrent": 1,
            "readPolicy": "LAST",
        },
    }


ONCE = {"type": "EXECUTE_ONCE"}


def _job(
    name: str,
    directory: str,
    nodes: list[dict[str, Any]],
    schedule: dict[str, Any],
    *,
    owner: str = ADMIN,
    params: tuple[dict[str, Any], ...] = (BIZDATE,),
    description: str = "",
    process_type: str = "BATCH",
    **extra: Any,
) -> dict[str, Any]:
    doc = {
        "name": name,
        "processType": process_type,
        "directory": directory,
        "logPath": "obs://dlf-demo/logs",
        "description": description,
        "basicConfig": {
            "owner": owner,
            "priority": 0,
            "executeUser": "",
            "instanceTimeout": 0,
            "customFields": {},
            "agency": "",
            "tags": [],
        },
        "params": list(params),
        "schedule": schedule,
        "nodes": nodes,
        # Keys console exports carry that no document lists: they must survive every round trip.
        "cleanOverdueDays": 60,
        "cleanWaitingJob": "cleanup",
        "emptyRunningJob": "0",
        "singleNodeJobFlag": False,
        "version": "2",
    }
    doc.update(extra)
    return doc


def _script(
    content: DemoContent,
    name: str,
    type: str,
    body: str,
    *,
    connection: str,
    directory: str,
    database: str = "",
    queue: str | None = None,
    description: str = "",
) -> str:
    doc: dict[str, Any] = {
        "name": name,
        "type": type,
        "content": body,
        "connectionName": connection,
        "database": database,
        "directory": directory,
        "configuration": {},
        "description": description,
        "templateVersion": "1.0",
    }
    if queue:
        doc["queueName"] = queue
    content.scripts.append(doc)
    return name


def _sql_props(script: str, connection: str, database: str, queue: str | None = None) -> dict[str, Any]:
    props = {"scriptName": script, "connectionName": connection, "database": database}
    if queue:
        props["queueName"] = queue
    return props


def _status_ok(node: str) -> str:
    return f'#{{Job.getNodeStatus("{node}") == "success" ? "true" : "false"}}'


def demo_content() -> DemoContent:
    """Every script and job of the demo, in creation order (sub-jobs before the jobs that call them)."""
    c = DemoContent()

    # The reference's example: job doc1 with one DWS SQL node on connection doctest.
    _script(
        c,
        "doc1_script",
        "DWSSQL",
        "SELECT current_date AS today, count(*) AS tables FROM pg_catalog.pg_tables;",
        connection="doctest",
        database="postgres",
        directory="/",
        description="Example script of the DataArts documentation",
    )
    c.jobs.append(
        DemoJob(
            _job(
                "doc1",
                "/",
                [
                    _node(
                        "DWS_SQL_1", "DWSSQL", -45.5, -134.5, _sql_props("doc1_script", "doctest", "postgres")
                    )
                ],
                _cron("0 0 1 * * ?"),
                description="The DataArts documentation's example job",
            )
        )
    )

    # ODS: land each table from the orders database into DWS.
    for index, table in enumerate(TABLES):
        script = _script(
            c,
            f"ods_{table}_load",
            "DWSSQL",
            f"INSERT INTO ods.{table}\nSELECT * FROM ods_ext.{table}_${{bizdate}};\nANALYZE ods.{table};",
            connection="doctest",
            database="postgres",
            directory="/ods",
        )
        nodes = [
            _node(
                "migrate",
                "CDMJob",
                100,
                100,
                {
                    "clusterName": "cdm-demo",
                    "jobName": f"rds_to_obs_{table}",
                    "jobType": "existsJob",
                    "emptyRunningJob": "0",
                },
            ),
            _node("load", "DWSSQL", 300, 100, _sql_props(script, "doctest", "postgres"), pre=("migrate",)),
        ]
        c.jobs.append(
            DemoJob(
                _job(f"ods_{table}_ingest", "/ods", nodes, _cron(f"0 {index * 5} 1 * * ?")),
                schedule=table in ("orders", "payments"),
            )
        )

    c.jobs.append(
        DemoJob(
            _job(
                "ods_clickstream_dump",
                "/ods",
                [
                    _node(
                        "dump_clicks",
                        "DISTransferTask",
                        100,
                        100,
                        {"streamName": "dis_clickstream", "destinationType": "OBS"},
                    )
                ],
                _event("dis_clickstream"),
                params=(),
                description="Dumps click events to OBS as they arrive",
            ),
            schedule=True,
        )
    )

    partner_load = _script(
        c,
        "ods_partner_load",
        "DWSSQL",
        "COPY ods.partner_orders FROM 'obs://${obs_bucket}/partners/${bizdate}/' WITH (format 'csv');",
        connection="doctest",
        database="postgres",
        directory="/ods",
    )
    c.jobs.append(
        DemoJob(
            _job(
                "ods_partner_api",
                "/ods",
                [
                    _node(
                        "fetch_partners",
                        "RESTAPI",
                        100,
                        100,
                        {
                            "url": "https://${api_host}/v2/orders/export?date=${bizdate}",
                            "method": "GET",
                            "headers": "Accept: application/json",
                            "agentName": "cdm-demo",
                            "authToken": "demo-partner-token-not-real",
                        },
                        sensitive=("authToken",),
                    ),
                    _node(
                        "load_partners",
                        "DWSSQL",
                        300,
                        100,
                        _sql_props(partner_load, "doctest", "postgres"),
                        pre=("fetch_partners",),
                        conditions=(("fetch_partners", _status_ok("fetch_partners")),),
                    ),
                ],
                _cron("0 30 1 * * ?"),
                params=(BIZDATE, {"name": "api_key", "value": "demo-api-key-not-real", "type": "variable"}),
                maskedParams=["api_key"],
                description="Pulls partner orders from their REST API",
            )
        )
    )

    # DWD: clean each table on the engine it lives on, then check quality on the ETL host.
    dq = _script(
        c,
        "dq_check",
        "PYTHON",
        "import sys\nfrom clean_utils import row_count\n\ntable, bizdate = sys.argv[1], sys.argv[2]\n"
        "if row_count(table, bizdate) == 0:\n    sys.exit(f'{table} is empty for {bizdate}')\n",
        connection="etl_host",
        directory="/dwd",
        description="Fails when a table is empty",
    )
    for table, (node_type, connection, database, queue) in DWD_ENGINES.items():
        script = _script(
            c,
            f"dwd_{table}_clean",
            node_type,
            f"INSERT OVERWRITE TABLE dwd.{table}_di PARTITION (dt='${{bizdate}}')\n"
            f"SELECT DISTINCT * FROM ods.{table} WHERE dt = '${{bizdate}}' AND id IS NOT NULL;",
            connection=connection,
            database=database,
            queue=queue,
            directory="/dwd/daily",
        )
        nodes = [
            _node("clean", node_type, 100, 100, _sql_props(script, connection, database, queue)),
            _node(
                "quality",
                "Python",
                320,
                100,
                {
                    "scriptName": dq,
                    "connectionName": "etl_host",
                    "arguments": f"dwd.{table}_di ${{bizdate}}",
                    "pythonVersion": "Python 3",
                },
                pre=("clean",),
                conditions=(("clean", _status_ok("clean")),),
            ),
        ]
        c.jobs.append(
            DemoJob(
                _job(
                    f"dwd_{table}_daily",
                    "/dwd/daily",
                    nodes,
                    _cron("0 0 2 * * ?", depend=(f"ods_{table}_ingest",)),
                    owner=DEVELOPER,
                ),
                creator=DEVELOPER,
                later_change=table == "customers",
                keep_lock=table == "customers",
                schedule=table == "orders",
            )
        )
    c.jobs.append(
        DemoJob(
            _job(
                "dwd_sessionize_daily",
                "/dwd/daily",
                [
                    _node(
                        "sessionize",
                        "DLISpark",
                        100,
                        100,
                        {
                            "clusterName": "dli_etl",
                            "jobName": "sessionize_${bizdate}",
                            "jobClass": "com.example.dlf.Sessionize",
                            "resourceName": "spark_sessionize",
                            "jarArgs": "--date ${bizdate} --input obs://${obs_bucket}/clicks/",
                            "sparkConfig": "spark.sql.shuffle.partitions=64",
                        },
                    )
                ],
                _cron("0 15 2 * * ?", depend=("ods_clickstream_dump",)),
                owner=DEVELOPER,
            ),
            creator=DEVELOPER,
        )
    )

    # DWS: aggregates.
    sales_scripts = [
        _script(
            c,
            f"dws_sales_{step}",
            "DWSSQL",
            f"INSERT INTO ${{dws_schema}}.sales_{step} SELECT dt, region, sum(amount) FROM dwd.{step}_di "
            "WHERE dt = '${bizdate}' GROUP BY dt, region;",
            connection="doctest",
            database="postgres",
            directory="/dws",
        )
        for step in ("orders", "payments", "merge")
    ]
    c.jobs.append(
        DemoJob(
            _job(
                "dws_sales_daily",
                "/dws",
                [
                    _node("start", "Dummy", 0, 100, {}),
                    _node(
                        "agg_orders",
                        "DWSSQL",
                        200,
                        40,
                        _sql_props(sales_scripts[0], "doctest", "postgres"),
                        pre=("start",),
                    ),
                    _node(
                        "agg_payments",
                        "DWSSQL",
                        200,
                        160,
                        _sql_props(sales_scripts[1], "doctest", "postgres"),
                        pre=("start",),
                    ),
                    _node(
                        "merge_sales",
                        "DWSSQL",
                        400,
                        100,
                        _sql_props(sales_scripts[2], "doctest", "postgres"),
                        pre=("agg_orders", "agg_payments"),
                    ),
                ],
                _cron("0 0 3 * * ?", depend=("dwd_orders_daily", "dwd_payments_daily")),
                owner=DEVELOPER,
            ),
            creator=DEVELOPER,
            schedule=True,
        )
    )
    profile_sql = _script(
        c,
        "dws_user_profile_publish",
        "HiveSQL",
        "INSERT OVERWRITE TABLE dws.user_profile\n"
        "SELECT * FROM dws.user_profile_stage WHERE dt = '${bizdate}';",
        connection="mrs_hive",
        database="dws",
        directory="/dws",
    )
    c.jobs.append(
        DemoJob(
            _job(
                "dws_user_profile",
                "/dws",
                [
                    _node(
                        "build_profiles",
                        "MRSSpark",
                        100,
                        100,
                        {
                            "clusterName": "mrs_analytics",
                            "jobName": "user_profile_${bizdate}",
                            "resourceName": "mrs_user_profile",
                            "jarArgs": "--date ${bizdate}",
                        },
                    ),
                    _node(
                        "publish",
                        "HiveSQL",
                        320,
                        100,
                        _sql_props(profile_sql, "mrs_hive", "dws"),
                        pre=("build_profiles",),
                    ),
                ],
                _cron("0 30 3 * * ?", depend=("dwd_customers_daily",)),
                owner=DEVELOPER,
            ),
            creator=DEVELOPER,
        )
    )
    c.jobs.append(
        DemoJob(
            _job(
                "dws_social_graph",
                "/dws",
                [
                    _node(
                        "import_graph",
                        "ImportGES",
                        100,
                        100,
                        {
                            "graphName": "social_graph",
                            "schemaPath": "obs://${obs_bucket}/ges/schema.xml",
                            "edgePath": "obs://${obs_bucket}/ges/edges/${bizdate}/",
                            "vertexPath": "obs://${obs_bucket}/ges/vertices/${bizdate}/",
                        },
                    )
                ],
                _cron("0 0 4 * * ?"),
                owner=DEVELOPER,
            ),
            creator=DEVELOPER,
        )
    )
    snapshot_rds = _script(
        c,
        "dws_inventory_extract",
        "RDSSQL",
        "SELECT sku, warehouse, qty FROM inventory WHERE updated_at >= '${bizdate}';",
        connection="rds_orders",
        database="orders",
        directory="/dws",
    )
    snapshot_dws = _script(
        c,
        "dws_inventory_backup",
        "DWSSQL",
        "INSERT INTO backup.inventory_snapshot SELECT * FROM dws_sales.inventory WHERE dt = '${bizdate}';",
        connection="dws_backup",
        database="postgres",
        directory="/dws",
    )
    c.jobs.append(
        DemoJob(
            _job(
                "dws_inventory_snapshot",
                "/dws",
                [
                    _node("extract", "RDSSQL", 100, 100, _sql_props(snapshot_rds, "rds_orders", "orders")),
                    _node(
                        "backup",
                        "DWSSQL",
                        320,
                        100,
                        _sql_props(snapshot_dws, "dws_backup", "postgres"),
                        pre=("extract",),
                    ),
                ],
                _cron("0 0 5 * * ?", depend=("dwd_inventory_daily",)),
                owner=DEVELOPER,
            ),
            creator=DEVELOPER,
        )
    )
    c360 = _script(
        c,
        "dws_customer_360",
        "SparkSQL",
        "INSERT OVERWRITE TABLE dws.customer_360\n"
        "SELECT c.id, c.region, count(o.id) orders FROM dwd.customers_di c\n"
        "LEFT JOIN dwd.orders_di o ON o.customer_id = c.id\n"
        "WHERE c.dt = '${bizdate}' GROUP BY c.id, c.region;",
        connection="mrs_spark",
        database="dws",
        directory="/dws",
    )
    c.jobs.append(
        DemoJob(
            _job(
                "dws_customer_360",
                "/dws",
                [
                    _node(
                        "customer_360",
                        "SparkSQL",
                        100,
                        100,
                        {**_sql_props(c360, "mrs_spark", "dws"), "scriptArgs": "bizdate=${bizdate}"},
                    )
                ],
                _cron("0 45 3 * * ?", depend=("dwd_customers_daily", "dwd_orders_daily")),
                owner=DEVELOPER,
            ),
            creator=DEVELOPER,
        )
    )

    # ADS: reports.
    report_sql = _script(
        c,
        "ads_sales_report",
        "DWSSQL",
        "SELECT region, sum(amount) AS revenue FROM ${dws_schema}.sales_merge\n"
        "WHERE dt = '${bizdate}' GROUP BY region;",
        connection="doctest",
        database="postgres",
        directory="/ads/reports",
    )
    c.jobs.append(
        DemoJob(
            _job(
                "ads_sales_report",
                "/ads/reports",
                [
                    _node("report", "DWSSQL", 100, 100, _sql_props(report_sql, "doctest", "postgres")),
                    _node(
                        "notify",
                        "SMN",
                        320,
                        100,
                        {"topic": "${alert_topic}", "message": "Sales report for ${bizdate} is ready."},
                        pre=("report",),
                    ),
                ],
                _cron("0 0 6 * * ?", depend=("dws_sales_daily",)),
                owner=DEVELOPER,
            ),
            creator=DEVELOPER,
        )
    )
    kpi_sql = _script(
        c,
        "ads_kpi_dashboard",
        "DLISQL",
        "SELECT dt, count(DISTINCT customer_id) AS active_customers FROM dwd.orders_di\n"
        "WHERE dt = '${bizdate}' GROUP BY dt;",
        connection="dli_demo",
        database="demo_ads",
        queue="dli_default",
        directory="/ads/reports",
    )
    c.jobs.append(
        DemoJob(
            _job(
                "ads_kpi_dashboard",
                "/ads/reports",
                [
                    _node(
                        "kpis", "DLISQL", 100, 100, _sql_props(kpi_sql, "dli_demo", "demo_ads", "dli_default")
                    )
                ],
                _cron("0 15 6 * * ?", depend=("dwd_orders_daily",)),
                owner=DEVELOPER,
            ),
            creator=DEVELOPER,
            later_change=True,
        )
    )
    churn_py = _script(
        c,
        "ads_churn_scoring",
        "PYTHON",
        "import sys\n\nprint('scoring churn for', sys.argv[1])\n",
        connection="etl_host",
        directory="/ads/reports",
    )
    c.jobs.append(
        DemoJob(
            _job(
                "ads_churn_scoring",
                "/ads/reports",
                [
                    _node(
                        "score",
                        "Python",
                        100,
                        100,
                        {
                            "scriptName": churn_py,
                            "connectionName": "etl_host",
                            "arguments": "${bizdate}",
                            "pythonVersion": "Python 3",
                        },
                    )
                ],
                ONCE,
                owner=DEVELOPER,
                description="Work in progress: never submitted",
            ),
            creator=DEVELOPER,
            submit=False,
            keep_lock=True,
        )
    )
    c.jobs.append(
        DemoJob(
            _job(
                "ads_weekly_summary",
                "/ads/reports",
                [
                    _node(
                        "sales",
                        "SubJob",
                        100,
                        40,
                        {"subJobName": "ads_sales_report", "subJobParams": "bizdate=${bizdate}"},
                    ),
                    _node(
                        "kpis",
                        "SubJob",
                        100,
                        160,
                        {"subJobName": "ads_kpi_dashboard", "subJobParams": "bizdate=${bizdate}"},
                    ),
                    _node(
                        "notify",
                        "SMN",
                        320,
                        100,
                        {"topic": "${alert_topic}", "message": "Weekly summary ready."},
                        pre=("sales", "kpis"),
                    ),
                ],
                _cron("0 0 7 ? * MON"),
                owner=DEVELOPER,
            ),
            creator=DEVELOPER,
        )
    )

    # Ops: pipelines that call the others, and housekeeping.
    c.jobs.append(
        DemoJob(
            _job(
                "ops_daily_pipeline",
                "/ops",
                [
                    _node("start", "Dummy", 0, 100, {}),
                    _node("ingest", "SubJob", 180, 100, {"subJobName": "ods_orders_ingest"}, pre=("start",)),
                    _node("clean", "SubJob", 360, 100, {"subJobName": "dwd_orders_daily"}, pre=("ingest",)),
                    _node("aggregate", "SubJob", 540, 100, {"subJobName": "dws_sales_daily"}, pre=("clean",)),
                    _node(
                        "notify",
                        "SMN",
                        720,
                        100,
                        {"topic": "${alert_topic}", "message": "Daily pipeline finished for ${bizdate}."},
                        pre=("aggregate",),
                        conditions=(("aggregate", _status_ok("aggregate")),),
                    ),
                ],
                _cron("0 30 0 * * ?"),
            ),
            schedule=True,
        )
    )
    c.jobs.append(
        DemoJob(
            _job(
                "ops_backfill_orders",
                "/ops",
                [
                    _node(
                        "backfill",
                        "ForEach",
                        100,
                        100,
                        {
                            "subJobName": "dwd_orders_daily",
                            "dataset": '[["20250101"],["20250102"],["20250103"]]',
                            "concurrency": 2,
                            "jobSuffix": "backfill",
                        },
                    )
                ],
                ONCE,
                description="Re-runs dwd_orders_daily for a list of dates",
            )
        )
    )
    cleanup = _script(
        c,
        "ops_cleanup_tmp",
        "Shell",
        "#!/bin/bash\nset -euo pipefail\n"
        'find /data/tmp -type f -mtime +"$1" -delete\necho "cleaned files older than $1 days"\n',
        connection="etl_host",
        directory="/ops",
    )
    c.jobs.append(
        DemoJob(
            _job(
                "ops_cleanup_tmp",
                "/ops",
                [
                    _node(
                        "cleanup",
                        "Shell",
                        100,
                        100,
                        {
                            "scriptName": cleanup,
                            "connectionName": "etl_host",
                            "arguments": "${retention_days}",
                        },
                    )
                ],
                _cron("0 0 23 * * ?"),
                params=(),
            ),
            later_change=True,
        )
    )
    health = _script(
        c,
        "ops_healthcheck_report",
        "Shell",
        '#!/bin/bash\necho "partner API is up: $1"\n',
        connection="etl_host",
        directory="/ops",
    )
    c.jobs.append(
        DemoJob(
            _job(
                "ops_healthcheck",
                "/ops",
                [
                    _node(
                        "ping_api",
                        "RESTAPI",
                        100,
                        100,
                        {"url": "https://${api_host}/health", "method": "GET"},
                    ),
                    _node(
                        "report",
                        "Shell",
                        320,
                        100,
                        {"scriptName": health, "connectionName": "etl_host", "arguments": "${api_host}"},
                        pre=("ping_api",),
                    ),
                ],
                ONCE,
                params=(),
            ),
            submit=False,
        )
    )
    c.jobs.append(
        DemoJob(
            _job(
                "ops_notify_failures",
                "/ops",
                [
                    _node("collect", "Dummy", 100, 100, {}),
                    _node(
                        "notify",
                        "SMN",
                        320,
                        100,
                        {
                            "topic": "${alert_topic}",
                            "message": "Some jobs failed on ${bizdate}; see the monitor.",
                        },
                        pre=("collect",),
                    ),
                ],
                _cron("0 0 8 * * ?"),
            )
        )
    )
    c.jobs.append(
        DemoJob(
            _job(
                "ops_realtime_clicks",
                "/ops",
                [
                    _node(
                        "dump_clicks",
                        "DISTransferTask",
                        100,
                        100,
                        {"streamName": "dis_clickstream", "destinationType": "OBS"},
                        eventTrigger={
                            "eventType": "DIS",
                            "channel": "dis_clickstream",
                            "failPolicy": "SUSPEND",
                            "concurrent": 1,
                            "readPolicy": "LAST",
                        },
                    ),
                    _node(
                        "hourly_rollup",
                        "DLISQL",
                        320,
                        100,
                        _sql_props("ads_kpi_dashboard", "dli_demo", "demo_ads", "dli_default"),
                        cronTrigger={
                            "startTime": "2025-01-01T00:00:00+08",
                            "expression": "0 0 * * * ?",
                            "period": "1 hours",
                            "concurrent": 1,
                        },
                    ),
                ],
                ONCE,
                params=(),
                process_type="REAL_TIME",
                description="Real-time processing: each node has its own trigger",
            )
        )
    )
    return c
