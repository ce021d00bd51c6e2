"""The document rules the console applies on every save and the reader on every entry."""

from __future__ import annotations

from typing import Any

import pytest

from factory.packages import (
    Limits,
    PackageError,
    connection_document_validate,
    environment_document_validate,
    job_document_validate,
    job_node_names,
    resource_document_validate,
    script_document_validate,
)

from .helpers import connection_document, job_document, minimal_job, resource_document, script_document


def node(name: str, *pre: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": "Shell", "preNodeName": list(pre), **extra}


def job_error(document: Any, limits: Limits | None = None) -> PackageError:
    with pytest.raises(PackageError) as caught:
        job_document_validate(document=document, limits=limits or Limits())
    return caught.value


def test_a_realistic_job_is_valid() -> None:
    job_document_validate(document=job_document())
    job_document_validate(document=minimal_job())
    job_document_validate(document=minimal_job("作业.v2-final_1"))


def test_node_names_in_order() -> None:
    assert job_node_names(document=job_document()) == ["load_sql", "notify"]
    assert job_node_names(document={"nodes": "broken"}) == []


@pytest.mark.parametrize(
    ("document", "code", "text"),
    [
        ([], "schema.wrong_type", "must be an object, not a list"),
        ({"processType": "BATCH", "nodes": []}, "schema.missing_field", "name: this field is required"),
        (minimal_job(name=7), "schema.wrong_type", "name: must be a string, not a number"),
        (
            minimal_job("a/b"),
            "schema.invalid_name",
            "name: job name 'a/b' contains '/'; only letters, digits and '-', '_', '.' are allowed",
        ),
        (minimal_job(""), "schema.invalid_name", "name: job name '' must not be empty"),
        (minimal_job(".."), "schema.invalid_name", "name: job name '..' cannot be made of dots only"),
        (minimal_job("x" * 129), "schema.invalid_name", "is 129 characters long; at most 128 are allowed"),
        ({"name": "j", "nodes": []}, "schema.missing_field", "processType: this field is required"),
        (minimal_job(processType="DAILY"), "schema.invalid_value", "'DAILY' is not one of BATCH, REAL_TIME"),
        ({"name": "j", "processType": "BATCH"}, "schema.missing_field", "nodes: this field is required"),
        (minimal_job(nodes={"a": 1}), "schema.wrong_type", "nodes: must be a list, not an object"),
        (
            minimal_job(nodes=[node("a"), node("a")]),
            "schema.duplicate_node",
            "nodes[1].name: node name 'a' is",
        ),
        (
            minimal_job(nodes=[{"type": "Shell"}]),
            "schema.missing_field",
            "nodes[0].name: this field is required",
        ),
        (minimal_job(nodes=[{"name": "a"}]), "schema.missing_field", "nodes[0].type: this field is required"),
        (minimal_job(nodes=[node("a", type="  ")]), "schema.invalid_value", "nodes[0].type: the node type"),
        (
            minimal_job(nodes=[node("a"), node("b"), node("c", "a", "x")]),
            "schema.unknown_pre_node",
            "nodes[2].preNodeName[1]: 'x' is not a node of this job",
        ),
        (
            minimal_job(nodes=[node("a", preNodeName="a")]),
            "schema.wrong_type",
            "nodes[0].preNodeName: must be a list",
        ),
        (
            minimal_job(nodes=[node("a"), node("b", conditions=[{"preNodeName": "a", "expression": "x"}])]),
            "schema.unknown_pre_node",
            "nodes[1].conditions[0].preNodeName: 'a' is not a predecessor of this node (its preNodeName lists none)",
        ),
        (
            minimal_job(nodes=[node("a", "c"), node("b", "a"), node("c", "b")]),
            "schema.cycle",
            "nodes: the nodes form a cycle: ",
        ),
        (minimal_job(nodes=[node("a", "a")]), "schema.cycle", "nodes: the nodes form a cycle: a -> a"),
        (
            minimal_job(nodes=[node("a", location={"x": "left", "y": 0})]),
            "schema.wrong_type",
            "nodes[0].location.x: 'left' is not a number",
        ),
        (minimal_job(nodes=[node("a", location={"x": 1})]), "schema.missing_field", "nodes[0].location.y"),
        (
            minimal_job(nodes=[node("a", retryTimes=7)]),
            "schema.out_of_range",
            "nodes[0].retryTimes: 7 is out of range: must be between 0 and 5",
        ),
        (minimal_job(nodes=[node("a", pollingInterval="0")]), "schema.out_of_range", "between 1 and 60"),
        (minimal_job(nodes=[node("a", maxExecutionTime=2000)]), "schema.out_of_range", "between 5 and 1440"),
        (minimal_job(nodes=[node("a", retryInterval="1")]), "schema.out_of_range", "between 5 and 120"),
        (minimal_job(nodes=[node("a", retryTimes="two")]), "schema.wrong_type", "must be a whole number"),
        (minimal_job(nodes=[node("a", failPolicy="RETRY")]), "schema.invalid_value", "nodes[0].failPolicy"),
        (
            minimal_job(nodes=[node("a", properties=[{"value": 1}])]),
            "schema.missing_field",
            "nodes[0].properties[0].name",
        ),
        (
            minimal_job(nodes=[node("a", properties=[{"name": "p", "value": {"x": 1}}])]),
            "schema.wrong_type",
            "nodes[0].properties[0].value: must be a string, number, true/false or null, not an object",
        ),
        (
            minimal_job(schedule={"type": "HOURLY"}),
            "schema.invalid_value",
            "schedule.type: 'HOURLY' is not one of",
        ),
        (minimal_job(schedule={}), "schema.missing_field", "schedule.type: this field is required"),
        (
            minimal_job(params=[{"name": "a b"}]),
            "schema.invalid_name",
            "params[0].name: parameter name 'a b'",
        ),
        (
            minimal_job(params=[{"name": "p", "value": 3}]),
            "schema.wrong_type",
            "params[0].value: must be a string",
        ),
        (minimal_job(params=[{"name": "p", "type": "const"}]), "schema.invalid_value", "params[0].type"),
        (minimal_job(params=[{"name": "p"}, {"name": "p"}]), "schema.duplicate_name", "params[1].name"),
        (
            minimal_job(params=[{"name": "p", "value": "v" * 1_000_001}]),
            "schema.too_large",
            "params[0].value",
        ),
        (minimal_job(directory="etl"), "schema.invalid_directory", "directory: 'etl' must start with '/'"),
        (minimal_job(directory="/a//b"), "schema.invalid_directory", "has an empty level"),
        (minimal_job(directory="/" + "/".join("d" * 11)), "schema.invalid_directory", "11 levels deep"),
        (minimal_job(directory="/" + "d" * 65), "schema.invalid_directory", "longer than 64 characters"),
        (minimal_job(maskedParams="p"), "schema.wrong_type", "maskedParams: must be a list"),
    ],
)
def test_job_rules(document: Any, code: str, text: str) -> None:
    error = job_error(document)
    assert error.code == code
    assert text in str(error)
    assert error.entry is None


def test_job_field_is_machine_readable() -> None:
    error = job_error(minimal_job(nodes=[node("a"), node("b"), node("c", "zz")]))
    assert error.field == "nodes[2].preNodeName[0]"
    assert error.to_dict() == {
        "message": "nodes[2].preNodeName[0]: 'zz' is not a node of this job",
        "code": "schema.unknown_pre_node",
        "entry": None,
        "field": "nodes[2].preNodeName[0]",
        "line": None,
        "column": None,
    }


def test_cycle_message_names_the_loop_in_flow_order() -> None:
    error = job_error(
        minimal_job(nodes=[node("start"), node("a", "start", "c"), node("b", "a"), node("c", "b")])
    )
    assert error.message == "the nodes form a cycle: a -> b -> c -> a"


def test_long_chains_and_wide_jobs_are_fine() -> None:
    chain = [node("n0")] + [node(f"n{i}", f"n{i - 1}") for i in range(1, 1000)]
    job_document_validate(document=minimal_job(nodes=chain))


def test_too_many_nodes() -> None:
    error = job_error(minimal_job(nodes=[node(f"n{i}") for i in range(4)]), Limits(max_nodes_per_job=3))
    assert error.code == "schema.too_many_nodes"
    assert str(error) == "nodes: the job has 4 nodes; at most 3 are allowed"


def test_accepted_variants() -> None:
    """Shapes real exports use: numeric strings, string flags, node names with '/', '<', '>'."""
    job_document_validate(
        document=minimal_job(
            processType="REAL_TIME",
            directory="/",
            nodes=[
                node("a/b<c>", location={"x": "-45.5", "y": 3}, retryTimes="5", pollingInterval=60.0),
                node(
                    "节点",
                    "a/b<c>",
                    properties=[{"name": "p", "value": None, "value_is_sensitive": "false"}],
                    conditions=[{"preNodeName": "a/b<c>", "expression": "#{true}"}],
                ),
            ],
            params=[{"name": "p-1", "value": "", "type": "constants", "masked": False}],
            schedule={"type": "EVENT", "event": {"eventType": "KAFKA"}},
            anythingElse={"kept": True},
        )
    )


def check(validator: Any, document: Any, limits: Limits | None = None) -> PackageError:
    with pytest.raises(PackageError) as caught:
        validator(document=document, limits=limits or Limits())
    return caught.value


def test_script_rules() -> None:
    script_document_validate(document=script_document())
    script_document_validate(document={"name": "s", "type": "Spark Python"})
    assert check(script_document_validate, {"name": "s", "type": "COBOL"}).code == "schema.invalid_value"
    assert check(script_document_validate, {"name": "s/x", "type": "Shell"}).code == "schema.invalid_name"
    error = check(
        script_document_validate, script_document(content="é" * 60), Limits(max_script_content_bytes=100)
    )
    assert error.code == "schema.too_large"
    assert str(error) == "content: the script is 120 bytes long; at most 100 are allowed"
    assert (
        check(script_document_validate, {**script_document(), "configuration": []}).field == "configuration"
    )
    assert check(script_document_validate, {**script_document(), "queueName": 1}).field == "queueName"


def test_resource_rules() -> None:
    resource_document_validate(document=resource_document())
    assert check(resource_document_validate, resource_document("a.b")).code == "schema.invalid_name"
    assert check(resource_document_validate, resource_document("r" * 33)).code == "schema.invalid_name"
    assert (
        check(resource_document_validate, {**resource_document(), "type": "zip"}).code
        == "schema.invalid_value"
    )
    assert (
        check(resource_document_validate, {**resource_document(), "location": "x" * 1024}).code
        == "schema.too_large"
    )
    assert check(resource_document_validate, {"name": "r", "type": "jar"}).field == "location"
    assert (
        check(resource_document_validate, {**resource_document(), "dependFiles": [1]}).field
        == "dependFiles[0]"
    )
    assert (
        check(resource_document_validate, {**resource_document(), "desc": "d" * 256}).code
        == "schema.too_large"
    )


@pytest.mark.parametrize(
    ("directory", "text"),
    [
        ("/etl/../../x", "directory: '/etl/../../x' has a '..' level"),
        ("/..", "has a '..' level"),
        ("/./etl", "directory: '/./etl' has a '.' level"),
        ("/etl/./", "has a '.' level"),
        ("/etl/ /x", "directory: '/etl/ /x' has a level of only whitespace"),
        ("/   ", "has a level of only whitespace"),
        ("/a/\u3000/", "has a level of only whitespace"),
    ],
)
def test_directories_the_console_refuses(directory: str, text: str) -> None:
    for validate, document in (
        (job_document_validate, minimal_job(directory=directory)),
        (script_document_validate, {**script_document(), "directory": directory}),
        (resource_document_validate, {**resource_document(), "directory": directory}),
    ):
        error = check(validate, document)
        assert (error.code, error.field) == ("schema.invalid_directory", "directory")
        assert text in str(error)


@pytest.mark.parametrize("directory", ["/.etl", "/etl../x", "/.../a", "/ etl /x y", "/a.b/", "/ a"])
def test_directories_the_console_accepts(directory: str) -> None:
    """Dots inside a name and spaces around or inside one are names, as the console stores them."""
    job_document_validate(document=minimal_job(directory=directory))


def test_connection_rules_refuse_secrets() -> None:
    connection_document_validate(document=connection_document())
    document = connection_document()
    document["config"]["ldapPassword"] = "s3cret"
    error = check(connection_document_validate, document)
    assert error.code == "schema.secret_present"
    assert error.field == "config.ldapPassword"
    for key in ("sk", "secret_key", "token", "keyPairPassword"):
        assert check(
            connection_document_validate, {"name": "c", "type": "HOST", "config": {key: "x"}}
        ).code == ("schema.secret_present")
    assert check(connection_document_validate, {"name": "c", "type": ""}).code == "schema.invalid_value"


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"host": "h", "auth": {"password": "hunter2"}}, "config.auth.password"),
        ({"hosts": [{"ip": "a"}, {"ip": "b", "ssh_pwd": "x"}]}, "config.hosts[1].ssh_pwd"),
        ({"a": [[{"b": {"SK": "x"}}]]}, "config.a[0][0].b.SK"),
        ({"kafka": {"sasl": {"jaas": {"Client-Secret": {"v": 1}}}}}, "config.kafka.sasl.jaas.Client-Secret"),
        ({"ldap": {"bindPassword": 0}}, "config.ldap.bindPassword"),
        ({"x": {"token": "t"}, "password": "p"}, "config.x.token"),  # the first in document order
    ],
)
def test_connection_secrets_are_refused_at_any_depth(config: dict[str, Any], field: str) -> None:
    error = check(connection_document_validate, {"name": "c", "type": "HOST", "config": config})
    assert (error.code, error.field) == ("schema.secret_present", field)
    assert str(error) == f"{field}: holds a secret; packages never carry connection secrets"


def test_connection_nested_secrets_may_be_present_but_empty() -> None:
    config = {
        "auth": {"password": "", "user": "u", "tokenUrl": "https://x", "keys": [{"sk": None}]},
        "hosts": [{"ip": "a", "sshPassword": ""}, "plain", 1, None],
    }
    connection_document_validate(document={"name": "c", "type": "HOST", "config": config})


def test_connection_config_nested_deeply_is_checked_without_recursion() -> None:
    config: dict[str, Any] = {"password": "p"}
    for _ in range(5000):
        config = {"a": [config]}
    error = check(connection_document_validate, {"name": "c", "type": "HOST", "config": config})
    assert error.code == "schema.secret_present" and error.field.endswith("a[0].password")
    assert (
        check(connection_document_validate, {"name": "c" * 101, "type": "DWS"}).code == "schema.invalid_name"
    )


def test_environment_rules() -> None:
    environment_document_validate(
        document=[{"name": "a", "value": "1"}, {"name": "b", "value": "", "description": ""}]
    )
    assert check(environment_document_validate, {"name": "a"}).code == "schema.wrong_type"
    assert check(environment_document_validate, [{"name": "a"}]).field == "[0].value"
    assert (
        check(environment_document_validate, [{"name": "a", "value": "1"}] * 2).code
        == "schema.duplicate_name"
    )
    assert check(environment_document_validate, [{"name": "a.b", "value": "1"}]).code == "schema.invalid_name"
