"""Text rewrite rules (``factory.packages.rewrite``): what a promotion profile's ``dev_dw.`` -> ``prod_dw.``
does to jobs and scripts, what it never touches, and the regular expressions it refuses."""

from __future__ import annotations

import copy
import time

import pytest

from factory.packages.rewrite import (
    MAX_REGEX_LINE,
    RuleError,
    TextRule,
    job_rewrite,
    rule_check,
    rules_check,
    script_rewrite,
    text_rewrite,
)
from tests.builders import job_document, node, script_document

SCHEMA = TextRule("dev_dw.", "prod_dw.")


def _regex(find: str, replace: str = "x") -> TextRule:
    return TextRule(find, replace, regex=True)


# --- literal rules -------------------------------------------------------------------------------------


def test_a_literal_rule_replaces_whole_words_only():
    text, changes, _ = text_rewrite("SELECT * FROM dev_dw.orders JOIN olddev_dw.x ON 1=1", [SCHEMA])
    assert text == "SELECT * FROM prod_dw.orders JOIN olddev_dw.x ON 1=1"
    assert [(c.line, c.before, c.after, c.rules) for c in changes] == [
        (
            1,
            "SELECT * FROM dev_dw.orders JOIN olddev_dw.x ON 1=1",
            "SELECT * FROM prod_dw.orders JOIN olddev_dw.x ON 1=1",
            (0,),
        )
    ]
    anywhere = TextRule("dev", "prod", whole_word=False)
    assert text_rewrite("device dev", [anywhere])[0] == "prodice prod"
    assert text_rewrite("device dev", [TextRule("dev", "prod")])[0] == "device prod"


def test_rules_apply_in_order_line_by_line_and_report_each_changed_line():
    content = "-- load\nINSERT INTO dev_dw.a SELECT * FROM dev_stage.b;\nCOMMIT;\r\nSELECT 1 FROM dev_dw.c;"
    rules = [SCHEMA, TextRule("dev_stage", "prod_stage"), TextRule("prod_dw.c", "prod_dw.d")]
    text, changes, _ = text_rewrite(content, rules)
    assert (
        text
        == "-- load\nINSERT INTO prod_dw.a SELECT * FROM prod_stage.b;\nCOMMIT;\r\nSELECT 1 FROM prod_dw.d;"
    )
    assert [(c.line, c.rules) for c in changes] == [(2, (0, 1)), (4, (0, 2))]
    assert changes[1].before == "SELECT 1 FROM dev_dw.c;"


def test_secret_parts_are_never_rewritten_nor_shown():
    line = "jdbc:postgresql://dbadmin:dev_dw.Secret@10.0.0.1/dev_dw password=dev_dw.Pw dev_dw.t"
    text, changes, _ = text_rewrite(line, [SCHEMA])
    assert text == "jdbc:postgresql://dbadmin:dev_dw.Secret@10.0.0.1/dev_dw password=dev_dw.Pw prod_dw.t"
    assert "Secret" not in changes[0].before + changes[0].after
    assert "Pw" not in changes[0].before + changes[0].after
    assert "******" in changes[0].after
    # A secret that spans lines (a JSON value after a line break) leaves its lines alone.
    spanning = '{"password":\n"dev_dw.x"}\ndev_dw.y'
    assert text_rewrite(spanning, [SCHEMA])[0] == '{"password":\n"dev_dw.x"}\nprod_dw.y'


# --- regular expressions -------------------------------------------------------------------------------


def test_an_anchored_expression_rewrites_whole_values_with_its_groups():
    rule = _regex(r"^dev_(\w+)$", r"prod_\1")
    assert text_rewrite("dev_orders", [rule])[0] == "prod_orders"
    assert text_rewrite("my dev_orders", [rule])[0] == "my dev_orders"
    named = _regex(r"^(?P<env>dev|test)_(?P<rest>\w+)$", r"prod_\g<rest>")
    assert text_rewrite("test_sales\ndev_x", [named])[0] == "prod_sales\nprod_x"
    assert text_rewrite("orders_dev", [_regex("_dev$", "_prod")])[0] == "orders_prod"
    assert text_rewrite("a\\b", [_regex("^a", r"c\\")])[0] == "c\\\\b"


@pytest.mark.parametrize(
    "find, problem",
    [
        (r"(a+)+$", "not a group"),  # the classic catastrophic one
        (r"^(\w+\s?)*$", "not a group"),
        (r"(a|aa)*$", "not a group"),
        (r"^(.*)*x", "not a group"),
        (r"^\d+\d+\d+x", "3 variable repetitions"),
        (r"\w+\w+x$", "unless it starts with ^"),
        (r"^(a)\1", "Back-references"),
        (r"^(?=a)b", "Look-arounds"),
        (r"^(?i)dev", "Look-arounds, inline flags"),
        (r"dev_dw\.", "Anchor the expression"),
        (r"^a|b$", "in a group"),
        (r"^a*", "empty text"),
        (r"^\b", "empty text"),
        (r"^a{2,5000}", "m <= n <= 1000"),
        (r"^a**", "cannot follow a quantifier"),
        (r"^x\Z", "use $"),
        (r"^(unclosed", "Missing )"),
        (r"^[abc", "Missing ]"),
        (r"^a$b", "$ may only end"),
        (r"^a^", "^ may only start"),
        ("^" + "a" * 300, "longer than 200"),
    ],
)
def test_expressions_that_could_run_long_or_mean_something_else_are_refused(find, problem):
    with pytest.raises(RuleError) as raised:
        rule_check(_regex(find))
    assert problem in raised.value.message
    assert raised.value.field == "find"


@pytest.mark.parametrize(
    "replace, problem",
    [(r"prod_\2", "has 1"), (r"\g<nope>", "'nope'"), (r"\n", "group reference"), ("a\nb", "line breaks")],
)
def test_a_replacement_naming_what_the_expression_lacks_is_refused(replace, problem):
    with pytest.raises(RuleError) as raised:
        rule_check(_regex(r"^dev_(\w+)$", replace))
    assert raised.value.field == "replace"
    assert problem in raised.value.message


def test_the_first_bad_rule_is_named_by_its_index():
    with pytest.raises(RuleError) as raised:
        rules_check([SCHEMA, TextRule("", "x"), _regex("(a+)+$")])
    assert raised.value.index == 1


def test_an_accepted_expression_is_quick_on_the_worst_line_it_is_given():
    """Two overlapping variable repetitions anchored at ^, on a line of MAX_REGEX_LINE characters that
    makes them backtrack the most: the bound is quadratic, not exponential."""
    rule = _regex(r"^\w*\w*!", "x")
    start = time.perf_counter()
    text, changes, too_long = text_rewrite("a" * MAX_REGEX_LINE, [rule])
    assert time.perf_counter() - start < 2
    assert (changes, too_long) == ([], [])
    # A longer line is not tried at all by expressions, and the result says so; literal rules still apply.
    long_line = "dev_dw.x " + "a" * MAX_REGEX_LINE
    text, changes, too_long = text_rewrite(long_line, [rule, SCHEMA])
    assert text.startswith("prod_dw.x ") and too_long == [1]


# --- documents -----------------------------------------------------------------------------------------


def _job() -> dict:
    return job_document(
        "load_orders",
        nodes=[
            node(
                "sql",
                "DWSSQL",
                {
                    "scriptName": "dev_dw.script",
                    "connectionName": "dev_dw.conn",
                    "database": "dev_dw.db",
                    "statement": "SELECT 1 FROM dev_dw.a;\nSELECT 2 FROM dev_dw.b;",
                    "dbPassword": "dev_dw.secret",
                    "token": "dev_dw.t",
                },
            ),
            node("dev_dw.node", "Dummy", {"note": "dev_dw.x"}),
        ],
    )


def test_a_job_has_its_string_properties_rewritten_and_nothing_else():
    document = _job()
    document["nodes"][0]["properties"].append(
        {"name": "flagged", "value": "dev_dw.f", "value_is_sensitive": "true"}
    )
    document["nodes"][0]["properties"].append({"name": "apiKeyish", "value": "dev_dw.sens"})
    document["nodes"][0]["properties"].append({"name": "retries", "value": 3})
    original = copy.deepcopy(document)
    result = job_rewrite(
        document,
        [SCHEMA],
        sensitive_properties={"DWSSQL": {"apiKeyish"}},
        reference_properties={"DWSSQL": {"scriptName", "connectionName"}},
    )
    assert document == original  # never changed in place
    props = {p["name"]: p["value"] for p in result.document["nodes"][0]["properties"]}
    assert props == {
        "scriptName": "dev_dw.script",  # references are the reference maps' business
        "connectionName": "dev_dw.conn",
        "database": "prod_dw.db",
        "statement": "SELECT 1 FROM prod_dw.a;\nSELECT 2 FROM prod_dw.b;",
        "dbPassword": "dev_dw.secret",  # named like a secret
        "token": "dev_dw.t",
        "flagged": "dev_dw.f",  # flagged sensitive
        "apiKeyish": "dev_dw.sens",  # sensitive for its node type
        "retries": 3,
    }
    assert result.document["nodes"][1]["name"] == "dev_dw.node"  # names are structure
    assert result.document["nodes"][1]["properties"] == [{"name": "note", "value": "prod_dw.x"}]
    assert [(r.object_name, r.node, r.path, r.line, r.before, r.after) for r in result.rewrites] == [
        ("load_orders", "sql", "properties.database.value", 1, "dev_dw.db", "prod_dw.db"),
        (
            "load_orders",
            "sql",
            "properties.statement.value",
            1,
            "SELECT 1 FROM dev_dw.a;",
            "SELECT 1 FROM prod_dw.a;",
        ),
        (
            "load_orders",
            "sql",
            "properties.statement.value",
            2,
            "SELECT 2 FROM dev_dw.b;",
            "SELECT 2 FROM prod_dw.b;",
        ),
        ("load_orders", "dev_dw.node", "properties.note.value", 1, "dev_dw.x", "prod_dw.x"),
    ]
    shown = " ".join(r.before + r.after for r in result.rewrites)
    assert "secret" not in shown and "sens" not in shown and "dev_dw.f" not in shown
    assert result.rewrites[0].to_dict()["objectType"] == "job"


def test_a_job_untouched_by_the_rules_shares_its_nodes():
    document = _job()
    result = job_rewrite(document, [TextRule("nowhere", "x")])
    assert not result.changed
    assert result.document["nodes"] is document["nodes"]


def test_a_script_has_its_content_and_string_values_rewritten():
    document = script_document(
        "dev_dw.report",
        connection="dev_dw.conn",
        content="SELECT * FROM dev_dw.orders;\n-- password=dev_dw.x",
        database="dev_dw",
        directory="/dev_dw.",
        configuration={"spark.sql.schema": "dev_dw.s", "secretKey": "dev_dw.k", "list": ["dev_dw.l"]},
    )
    result = script_rewrite(
        document, [SCHEMA, _regex(r"^dev_dw$", "prod_dw")], reference_keys={"connectionName"}
    )
    doc = result.document
    assert doc["content"] == "SELECT * FROM prod_dw.orders;\n-- password=dev_dw.x"
    assert (doc["name"], doc["directory"], doc["connectionName"]) == (
        "dev_dw.report",
        "/dev_dw.",
        "dev_dw.conn",
    )
    assert doc["database"] == "prod_dw"
    assert doc["configuration"] == {
        "spark.sql.schema": "prod_dw.s",
        "secretKey": "dev_dw.k",
        "list": ["prod_dw.l"],
    }
    assert [(r.object_type, r.path, r.rules) for r in result.rewrites] == [
        ("script", "content", (0,)),
        ("script", "database", (1,)),
        ("script", 'configuration["spark.sql.schema"]', (0,)),
        ("script", "configuration.list[0]", (0,)),
    ]
    assert all("dev_dw.k" not in r.before for r in result.rewrites)
