"""The structural diff: golden mutations of a real-shaped job, each classified as a user would, and the
noise (positions, order, importer defaults, secret values) never a change."""

from __future__ import annotations

import copy
import json
import os
import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factory.development.nodes import NODE_TYPES
from factory.development.secrets import job_secrets_split
from factory.packages.diff import (
    SECRET_MASK,
    Change,
    connection_diff,
    job_diff,
    path_text,
    properties_diff,
    resource_diff,
    script_diff,
)
from factory.transfer.exports.contents import job_document_export
from tests.packages.helpers import connection_document, job_document, resource_document, script_document
from tests.property.strategies import worlds

SENSITIVE = {code: node_type.sensitive_fields for code, node_type in NODE_TYPES.items()}


def base() -> dict[str, Any]:
    """The helpers' two-node job plus a third node after ``notify``: a -> b -> c."""
    doc = job_document("doc1")
    doc["nodes"].append(
        {
            "name": "archive",
            "type": "Shell",
            "location": {"x": 240, "y": 0},
            "preNodeName": ["notify"],
            "properties": [
                {"name": "scriptName", "value": "archive_sh"},
                {"name": "arguments", "value": "--password s3cr3t-value --days 7"},
                {"name": "interactiveArgs", "value": "y"},  # sensitive by the node-type registry
            ],
        }
    )
    doc["schedule"]["cron"]["dependJobs"] = {"jobs": ["up_a", "up_b"], "dependPeriod": "SAME_PERIOD"}
    return doc


def node(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(n for n in doc["nodes"] if n["name"] == name)


def prop(doc: dict[str, Any], node_name: str, prop_name: str) -> dict[str, Any]:
    return next(p for p in node(doc, node_name)["properties"] if p["name"] == prop_name)


def diff(old: dict[str, Any], new: dict[str, Any]):
    return job_diff(old, new, sensitive_properties=SENSITIVE)


def assert_unchanged(old: dict[str, Any], new: dict[str, Any]) -> None:
    result = diff(old, new)
    assert not result.changed, json.dumps(result.to_dict(), indent=1, default=str)
    assert all(n.status == "unchanged" for n in result.nodes)
    assert {e.status for e in result.edges} == {"unchanged"}


# --- golden mutations: real changes ---------------------------------------------------------------------


def test_a_node_added():
    old, new = base(), base()
    new["nodes"].append({"name": "cleanup", "type": "Dummy", "preNodeName": ["archive"]})
    result = diff(old, new)
    assert result.changed
    assert result.nodes_added == ("cleanup",)
    assert result.nodes_removed == () and result.nodes_modified == ()
    assert result.edges_added == (("archive", "cleanup"),)
    assert next(n for n in result.nodes if n.name == "cleanup").type == "Dummy"
    assert result.summary()["nodesAdded"] == 1


def test_a_node_removed_keeps_its_old_type_and_edges():
    old, new = base(), base()
    new["nodes"] = [n for n in new["nodes"] if n["name"] != "archive"]
    result = diff(old, new)
    assert result.nodes_removed == ("archive",)
    assert next(n for n in result.nodes if n.name == "archive").type == "Shell"
    assert result.edges_removed == (("notify", "archive"),)


def test_an_edge_removed():
    old, new = base(), base()
    node(new, "archive")["preNodeName"] = []
    result = diff(old, new)
    assert result.changed
    assert result.edges_removed == (("notify", "archive"),)
    assert result.edges_added == ()
    # the edge is the change; the node itself is the same
    assert result.nodes_modified == ()
    assert {(e.source, e.target): e.status for e in result.edges} == {
        ("load_sql", "notify"): "unchanged",
        ("notify", "archive"): "removed",
    }


def test_a_property_changed():
    old, new = base(), base()
    prop(new, "load_sql", "connectionName")["value"] = "dws_other"
    result = diff(old, new)
    assert result.changed
    (modified,) = result.nodes_modified
    assert modified.name == "load_sql"
    assert modified.changes == (
        Change("properties.connectionName.value", "changed", "dws_main", "dws_other"),
    )
    assert result.edges_added == result.edges_removed == ()


def test_a_node_field_and_a_condition_changed():
    old, new = base(), base()
    node(new, "notify")["retryTimes"] = 3
    node(new, "notify")["conditions"][0]["expression"] = "#{false}"
    (modified,) = diff(old, new).nodes_modified
    assert {c.path: (c.old, c.new) for c in modified.changes} == {
        "retryTimes": (0, 3),  # the documented default when the document leaves it out
        "conditions.load_sql.expression": ("#{true}", "#{false}"),
    }


def test_the_schedule_changed():
    old, new = base(), base()
    new["schedule"]["cron"]["expression"] = "0 30 3 * * ?"
    new["schedule"]["cron"]["dependJobs"]["jobs"].append("up_c")
    result = diff(old, new)
    assert result.changed
    assert {c.path: (c.old, c.new) for c in result.schedule} == {
        "schedule.cron.expression": ("0 0 2 * * ?", "0 30 3 * * ?"),
        "schedule.cron.dependJobs.jobs": (["up_a", "up_b"], ["up_a", "up_b", "up_c"]),
    }
    assert result.nodes_modified == () and result.params == () and result.properties == ()


def test_a_parameter_changed_added_and_removed():
    old, new = base(), base()
    new["params"][0]["value"] = "${yyyyMMdd-1}"
    new["params"].append({"name": "region", "value": "cn-north-4"})
    result = diff(old, new)
    assert result.changed
    assert {(c.path, c.kind): (c.old, c.new) for c in result.params} == {
        ("params.bizdate.value", "changed"): ("${yyyyMMdd}", "${yyyyMMdd-1}"),
        ("params.region.type", "added"): (None, "variable"),
        ("params.region.value", "added"): (None, "cn-north-4"),
    }
    removed = diff(new, old)
    assert {(c.path, c.kind) for c in removed.params} == {
        ("params.bizdate.value", "changed"),
        ("params.region.type", "removed"),
        ("params.region.value", "removed"),
    }


def test_other_job_properties_and_a_node_type():
    old, new = base(), base()
    new["basicConfig"]["owner"] = "bob"
    new["directory"] = "/etl/weekly"
    node(new, "notify")["type"] = "Dummy"
    result = diff(old, new)
    assert {c.path for c in result.properties} == {"basicConfig.owner", "directory"}
    (modified,) = result.nodes_modified
    assert modified.type == "Dummy"
    assert Change("type", "changed", "SMN", "Dummy") in modified.changes


def test_true_is_not_one():
    old, new = base(), base()
    prop(old, "notify", "topic")["value"] = 1
    prop(new, "notify", "topic")["value"] = True
    assert diff(old, new).changed


# --- golden mutations: noise ------------------------------------------------------------------------------


def test_only_positions_changed():
    old, new = base(), base()
    for index, n in enumerate(new["nodes"]):
        n["location"] = {"x": str(index * 1000.5), "y": -index}
    del node(new, "load_sql")["location"]
    new["location"] = {"x": 5, "y": 5}  # the job's own place on a canvas
    assert_unchanged(old, new)


def _keys_reversed(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _keys_reversed(v) for k, v in reversed(list(value.items()))}
    if isinstance(value, list):
        return [_keys_reversed(v) for v in value]
    return value


def _reordered(doc: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A job with every object's keys reversed and the lists whose order means nothing shuffled."""
    out = _keys_reversed(doc)
    lists = [out.get("nodes"), out.get("params"), out.get("maskedParams")]
    for n in out.get("nodes") or ():
        lists += [n.get("properties"), n.get("preNodeName"), n.get("conditions")]
    lists.append((out.get("basicConfig") or {}).get("tags"))
    lists.append((((out.get("schedule") or {}).get("cron") or {}).get("dependJobs") or {}).get("jobs"))
    for items in lists:
        if isinstance(items, list):
            rng.shuffle(items)
    return out


def test_only_key_order_changed():
    old = base()
    node(old, "archive")["preNodeName"] = ["notify", "load_sql"]
    old["basicConfig"]["tags"] = ["a", "b", "c"]
    for seed in range(5):
        new = _reordered(old, random.Random(seed))
        assert list(new) == list(reversed(list(old)))
        assert_unchanged(old, new)


def test_a_list_whose_order_means_something_is_compared_in_order():
    old, new = base(), base()
    old["resouces"] = ["a.jar", "b.jar"]
    new["resouces"] = ["b.jar", "a.jar"]
    assert [c.path for c in diff(old, new).properties] == ["resouces"]


def test_only_importer_defaults_added():
    old = base()
    del old["directory"]
    for n in old["nodes"]:
        for key in ("failPolicy", "maxExecutionTime", "pollingInterval", "retryTimes", "retryInterval"):
            n.pop(key, None)
    new = copy.deepcopy(old)
    new["directory"] = "/"  # what the import writes for a job without one
    for n in new["nodes"]:
        n.update(
            pollingInterval="10", maxExecutionTime=60, retryTimes="0", retryInterval=120.0, failPolicy="FAIL"
        )
        n.setdefault("preNodeName", [])
        n.setdefault("conditions", [])
        for p in n["properties"]:
            p.setdefault("value_is_sensitive", "false" if p["name"] != "dbPassword" else True)
    new["params"][0]["type"] = "variable"
    new["params"][1]["masked"] = True  # named in maskedParams already
    assert_unchanged(old, new)
    # a trailing slash, or none, is the same directory
    assert_unchanged({**old, "directory": "/etl/daily/"}, {**old, "directory": "/etl/daily"})


def test_the_stored_form_and_the_exported_form_are_equal():
    """What the development services store (secrets apart) and what an export writes of it (flags for
    every sensitive property, secrets emptied) compare equal: an unchanged job re-imported is unchanged."""
    stored, _ = job_secrets_split(document=base(), stored={})
    exported = job_document_export(document=stored, scope="with_dependencies")
    assert exported != stored  # the export flags the registry's and the secret-named properties
    assert_unchanged(stored, exported)


def test_a_secret_value_changed_is_not_a_change_but_set_to_unset_is():
    old, new = base(), base()
    prop(new, "load_sql", "dbPassword")["value"] = "another-password"
    new["params"][1]["value"] = "k-999"  # masked (maskedParams)
    new["params"][2]["value"] = "t-999"  # masked (masked: true)
    prop(new, "archive", "arguments")["value"] = "--password 0ther-value --days 7"  # a secret part of a text
    assert_unchanged(old, new)

    prop(new, "load_sql", "dbPassword")["value"] = ""
    new["params"][2]["value"] = ""
    prop(new, "archive", "arguments")["value"] = '--password "" --days 7'
    result = diff(old, new)
    assert result.changed
    by_node = {n.name: n.changes for n in result.nodes_modified}
    assert by_node["load_sql"] == (
        Change("properties.dbPassword.value", "changed", True, False, secret=True),
    )
    (arguments,) = by_node["archive"]
    assert arguments.path == "properties.arguments.value" and not arguments.secret
    assert arguments.old == f"--password {SECRET_MASK} --days 7" and arguments.new == "--password  --days 7"
    assert result.params == (Change("params.token.value", "changed", True, False, secret=True),)
    # no secret value is ever in the result
    text = json.dumps(result.to_dict())
    assert "hunter2" not in text and "s3cr3t" not in text and "t-456" not in text


def test_a_registry_sensitive_property_is_a_secret():
    old = {
        "name": "j",
        "processType": "BATCH",
        "nodes": [
            {"name": "call", "type": "RESTAPI", "properties": [{"name": "authPassword", "value": "x1"}]}
        ],
    }
    new = copy.deepcopy(old)
    new["nodes"][0]["properties"][0]["value"] = "x2"
    assert not diff(old, new).changed


def test_documents_that_are_not_valid_compare_without_failing():
    odd = {
        "nodes": [None, {"name": 3}, {"name": "a", "properties": [{"value": 1}, "x"], "preNodeName": "b"}],
        "params": "p",
    }
    assert not job_diff(odd, copy.deepcopy(odd)).changed
    assert job_diff(odd, {}).changed
    assert not job_diff(None, []).changed


def test_to_dict_is_json():
    old, new = base(), base()
    new["nodes"].pop()
    prop(new, "load_sql", "dbPassword")["value"] = ""
    data = diff(old, new).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["changed"] is True
    assert data["summary"] == {
        "nodesAdded": 0,
        "nodesRemoved": 1,
        "nodesModified": 1,
        "edgesAdded": 0,
        "edgesRemoved": 1,
        "schedule": 0,
        "params": 0,
        "properties": 0,
    }
    assert {n["name"]: n["status"] for n in data["nodes"]} == {
        "archive": "removed",
        "load_sql": "modified",
        "notify": "unchanged",
    }


def test_path_text_quotes_what_is_not_a_word():
    assert path_text(["properties", "a.b", "value"]) == 'properties["a.b"].value'
    assert path_text(["params", "数据", "value"]) == 'params["数据"].value'


# --- scripts, resources, connections ----------------------------------------------------------------------


def test_script_content_line_diff_and_properties():
    old = script_document(content="SELECT 1;\nSELECT 2;\nSELECT 3;\n")
    new = dict(old, content="SELECT 1;\nSELECT 20;\nSELECT 3;\nSELECT 4;\n", database="analytics")
    result = script_diff(old, new)
    assert result.changed and result.content_changed
    assert result.content_diff[:2] == ("--- before", "+++ after")
    assert "-SELECT 2;" in result.content_diff and "+SELECT 20;" in result.content_diff
    assert (result.lines_added, result.lines_removed) == (2, 1)
    assert result.properties == (Change("database", "changed", "postgres", "analytics"),)


def test_script_noise_and_secrets():
    old = script_document()
    new = _keys_reversed(dict(old, directory="/etl/"))
    assert not script_diff(old, new).changed
    assert not script_diff(
        {**old, "directory": "/"}, {k: v for k, v in old.items() if k != "directory"}
    ).changed
    with_secret = dict(old, configuration={"spark.password": "a1"})
    assert not script_diff(with_secret, dict(old, configuration={"spark.password": "b2"})).changed
    unset = script_diff(with_secret, dict(old, configuration={"spark.password": ""}))
    assert unset.properties == (
        Change('configuration["spark.password"]', "removed", True, None, secret=True),
    )


def test_resource_defaults_and_changes():
    old = resource_document()
    new = dict(old, directory="/", desc="UDFs")
    del old["dependFiles"]
    assert not resource_diff(old, new).changed
    assert not resource_diff({**old, "desc": ""}, {k: v for k, v in old.items() if k != "desc"}).changed
    moved = resource_diff(old, dict(new, location="obs://bucket/udf-2.jar", dependFiles=["obs://b/x.jar"]))
    assert {c.path for c in moved.properties} == {"location", "dependFiles"}


def test_connection_secrets_compare_set_or_unset_only():
    old = connection_document()
    assert not connection_diff(old, {k: v for k, v in old.items()} | {"description": ""}).changed
    # an empty password is no password: the export leaves it out, the import drops it
    assert not connection_diff(old, dict(old, config={"ip": "10.0.0.1", "port": "8000"})).changed
    set_ = dict(old, config={**old["config"], "password": "pw-1"})
    assert not connection_diff(set_, dict(old, config={**old["config"], "password": "pw-2"})).changed
    assert connection_diff(old, set_).properties == (
        Change("config.password", "added", None, True, secret=True),
    )
    jdbc = dict(old, config={"url": "jdbc:postgresql://u:pw1@h/db"})
    assert not connection_diff(jdbc, dict(old, config={"url": "jdbc:postgresql://u:pw2@h/db"})).changed
    changed = connection_diff(jdbc, dict(old, config={"url": "jdbc:postgresql://u:pw2@other/db"}))
    assert changed.properties == (
        Change(
            "config.url",
            "changed",
            f"jdbc:postgresql://u:{SECRET_MASK}@h/db",
            f"jdbc:postgresql://u:{SECRET_MASK}@other/db",
        ),
    )


def test_properties_diff_nested_and_defaults():
    old = {"a": {"b": [1, 2], "token": "x"}, "c": None}
    new = {"a": {"b": [1, 2, 3], "token": "y"}}
    result = properties_diff(old, new, defaults={"c": 0})
    assert result.properties == (Change("a.b", "changed", [1, 2], [1, 2, 3]),)
    assert result.to_dict() == {"changed": True, "properties": [result.properties[0].to_dict()]}


# --- property: a document never differs from itself, nor from itself reordered and moved ----------------

PROPERTY = settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES_DIFF", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@PROPERTY
@given(world=worlds(), seed=st.integers(0, 2**16))
def test_a_generated_document_does_not_differ_from_itself(world, seed):
    rng = random.Random(seed)
    for document in world.jobs:
        assert not job_diff(document, document, sensitive_properties=SENSITIVE).changed
        noisy = _reordered(copy.deepcopy(document), rng)
        for n in noisy["nodes"]:
            n["location"] = {"x": rng.uniform(-500, 500), "y": str(rng.randint(-500, 500))}
        result = job_diff(document, noisy, sensitive_properties=SENSITIVE)
        assert not result.changed, json.dumps(result.to_dict(), default=str)
        assert len(result.nodes) == len(document["nodes"])
    for script in world.scripts:
        assert not script_diff(script, _keys_reversed(script)).changed
