"""Secrets never leave: sensitive node properties and masked parameters are emptied, flags kept."""

from __future__ import annotations

import copy

from hypothesis import given
from hypothesis import strategies as st

from factory.packages import environment_redact, job_document_redact

from .helpers import job_document


def test_sensitive_property_and_masked_params_are_emptied_with_flags_kept() -> None:
    original = job_document()
    redacted = job_document_redact(document=original)

    properties = redacted["nodes"][0]["properties"]
    assert properties[2] == {"name": "dbPassword", "value": "", "value_is_sensitive": True}
    assert properties[0]["value"] == "load_trips"  # not sensitive: untouched
    params = {param["name"]: param for param in redacted["params"]}
    assert params["apiKey"]["value"] == ""  # listed in maskedParams
    assert params["token"] == {"name": "token", "value": "", "masked": True}
    assert params["bizdate"]["value"] == "${yyyyMMdd}"
    assert redacted["maskedParams"] == ["apiKey"]


def test_input_is_not_mutated_and_only_what_changes_is_copied() -> None:
    original = job_document()
    before = copy.deepcopy(original)
    redacted = job_document_redact(document=original)
    assert original == before
    assert redacted is not original
    # The node holding a sensitive value and the masked parameters are new objects ...
    changed = [i for i, node in enumerate(original["nodes"]) if node is not redacted["nodes"][i]]
    assert changed, "the node with a sensitive value was copied"
    for i in changed:
        assert redacted["nodes"][i]["properties"] is not original["nodes"][i]["properties"]
    assert redacted["params"] is not original["params"]
    # ... what holds no secret is shared, so that redacting a large document costs next to nothing.
    untouched = [i for i in range(len(original["nodes"])) if i not in changed]
    assert untouched and all(redacted["nodes"][i] is original["nodes"][i] for i in untouched)


def test_a_document_without_secrets_is_returned_as_a_shallow_copy() -> None:
    original = {
        "name": "j",
        "nodes": [{"name": "n", "properties": [{"name": "p", "value": "v"}]}],
        "params": [],
    }
    redacted = job_document_redact(document=original)
    assert redacted == original and redacted is not original
    assert redacted["nodes"] is original["nodes"]


def test_string_flags_as_seen_in_real_exports_count() -> None:
    document = {
        "nodes": [{"properties": [{"name": "p", "value": "s", "value_is_sensitive": "true"}]}],
        "params": [{"name": "x", "value": "v", "masked": "TRUE"}],
    }
    redacted = job_document_redact(document=document)
    assert redacted["nodes"][0]["properties"][0]["value"] == ""
    assert redacted["params"][0]["value"] == ""


def test_redaction_tolerates_any_shape() -> None:
    for document in (
        {},
        {"nodes": "x"},
        {"nodes": [1, {"properties": [None]}]},
        {"params": [[], {"name": []}]},
    ):
        assert job_document_redact(document=document) == document


secret = st.text(min_size=1).filter(lambda text: text.strip())


@given(values=st.lists(secret, min_size=1, max_size=5), param_value=secret)
def test_no_sensitive_value_survives(values: list[str], param_value: str) -> None:
    document = job_document(
        nodes=[
            {
                "name": "n",
                "type": "Shell",
                "properties": [
                    {"name": f"p{i}", "value": v, "value_is_sensitive": True} for i, v in enumerate(values)
                ],
            }
        ],
        params=[{"name": "apiKey", "value": param_value}],
    )
    redacted = job_document_redact(document=document)
    assert all(prop["value"] == "" for prop in redacted["nodes"][0]["properties"])
    assert redacted["params"][0]["value"] == ""


# --- secrets nothing flags (the review's finding): names and parts of values -------------------------


def _node(node_type: str, **properties: str) -> dict:
    return {
        "name": "n",
        "type": node_type,
        "properties": [{"name": k, "value": v} for k, v in properties.items()],
    }


def test_only_the_secret_part_of_a_value_is_emptied_the_rest_survives() -> None:
    headers = (
        "Content-Type: application/json\nAuthorization: Bearer eyJ.sig\nX-Api-Key: k-42\nCookie: sid=s-9"
    )
    document = job_document(
        nodes=[
            _node(
                "RESTAPI",
                url="https://svc:Url-pw-1@api.example/v1?token=Tok-2&page=3",
                headers=headers,
                body='{"user": "etl", "password": "Body-pw-3"}',
            ),
            {
                **_node("Shell", arguments="--user etl --password Arg-pw-4 --verbose --token=Arg-tok-5"),
                "name": "s",
            },
        ]
    )
    redacted = job_document_redact(document=document)

    rest = {p["name"]: p["value"] for p in redacted["nodes"][0]["properties"]}
    assert rest["url"] == "https://svc:@api.example/v1?token=&page=3"
    assert rest["headers"] == "Content-Type: application/json\nAuthorization: \nX-Api-Key: \nCookie: "
    assert rest["body"] == '{"user": "etl", "password": ""}'
    shell = redacted["nodes"][1]["properties"][0]["value"]
    assert shell == '--user etl --password "" --verbose --token='


def test_properties_and_parameters_named_like_secrets_are_emptied_unflagged() -> None:
    document = job_document(
        nodes=[_node("Dummy", apiKey="k-1", keytab="BQIA", note="keep me")],
        params=[{"name": "db_password", "value": "p-2"}, {"name": "day", "value": "1"}],
    )
    document.pop("maskedParams")
    redacted = job_document_redact(document=document)

    props = {p["name"]: p["value"] for p in redacted["nodes"][0]["properties"]}
    assert props == {"apiKey": "", "keytab": "", "note": "keep me"}
    assert [p["value"] for p in redacted["params"]] == ["", "1"]


def test_a_document_without_such_secrets_is_returned_as_it_is() -> None:
    """Packages of jobs holding none of the newly flagged fields stay byte-identical: nothing is copied."""
    document = job_document(
        nodes=[_node("Shell", arguments="--date ${yyyyMMdd} a=b", interactiveArgs="")],
        params=[{"name": "url", "value": "https://api.example/v1"}],
    )
    document["maskedParams"] = []
    redacted = job_document_redact(document=document)
    assert redacted["nodes"] is document["nodes"] and redacted["params"] is document["params"]


def test_environment_variables_named_like_secrets_are_emptied() -> None:
    variables = [
        {"name": "DB_PASSWORD", "value": "p-1"},
        {"name": "SRC_URL", "value": "jdbc:mysql://etl:p-2@h:3306/x"},
        {"name": "REGION", "value": "cn-north-4"},
    ]
    assert environment_redact(variables=variables) == [
        {"name": "DB_PASSWORD", "value": ""},
        {"name": "SRC_URL", "value": "jdbc:mysql://etl:@h:3306/x"},
        {"name": "REGION", "value": "cn-north-4"},
    ]
    plain = [{"name": "REGION", "value": "cn-north-4"}]
    assert environment_redact(variables=plain) is plain
