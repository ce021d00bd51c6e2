"""The references a job document makes, as the export, the import and the wizard read them."""

from __future__ import annotations

from factory.development.nodes import (
    CONNECTION,
    ENVIRONMENT_VARIABLE,
    JOB,
    SCRIPT,
    job_references,
    job_sensitive_properties_flag,
)


def node(name: str, type_: str, properties: dict, **extra) -> dict:
    return {
        "name": name,
        "type": type_,
        "properties": [{"name": k, "value": v} for k, v in properties.items()],
        **extra,
    }


def refs(document: dict) -> set[tuple[str, str]]:
    return {(r.kind, r.name) for r in job_references(document)}


def test_environment_variables_are_found_in_any_string_of_any_node_but_not_in_parameters() -> None:
    document = {
        "name": "j",
        "params": [{"name": "bizdate", "value": "x"}],
        "nodes": [
            node("a", "DWSSQL", {"scriptName": "s1", "connectionName": "c1", "database": "${DB_NAME}"}),
            node("b", "Dummy", {}, description='#{Env.get("REGION")} and ${bizdate}'),
            node("c", "Dummy", {}, deep={"list": [{"x": ["${DEEP_ONE}"]}]}),
            node("d", "SubJob", {"subJobName": "child"}),
            node("e", "Dummy", {}, note="no variables here: $ {X} and Env.get(X)"),
        ],
    }
    found = refs(document)
    assert {(k, n) for k, n in found if k == ENVIRONMENT_VARIABLE} == {
        (ENVIRONMENT_VARIABLE, "DB_NAME"),
        (ENVIRONMENT_VARIABLE, "REGION"),
        (ENVIRONMENT_VARIABLE, "DEEP_ONE"),
    }
    assert {(SCRIPT, "s1"), (JOB, "child")} <= found
    assert any(k == CONNECTION and n == "c1" for k, n in found)


def test_a_variable_in_a_key_is_not_a_reference() -> None:
    document = {"name": "j", "nodes": [node("a", "Dummy", {}, extra={"${NOT_A_REF}": "plain"})]}
    assert not any(kind == ENVIRONMENT_VARIABLE for kind, _ in refs(document))


def test_values_json_cannot_hold_are_still_searched() -> None:
    document = {"name": "j", "nodes": [node("a", "Dummy", {}, big=2**70, text="${BIG_NEIGHBOUR}")]}
    assert (ENVIRONMENT_VARIABLE, "BIG_NEIGHBOUR") in refs(document)


def test_flagging_sensitive_properties_copies_only_the_nodes_it_flags() -> None:
    rest = node("r", "RESTAPI", {"url": "http://x", "authPassword": "p"})
    plain = node("p", "Dummy", {"x": "y"})
    document = {"name": "j", "nodes": [rest, plain]}
    flagged = job_sensitive_properties_flag(document)
    assert document["nodes"][0]["properties"][1] == {"name": "authPassword", "value": "p"}  # not mutated
    assert flagged["nodes"][0]["properties"][1]["value_is_sensitive"] is True
    assert flagged["nodes"][1] is plain
