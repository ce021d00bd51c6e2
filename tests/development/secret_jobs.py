"""A job with a secret in every place one may be, and those secrets: for the tests of job secrets and of
the bulk writes that keep them."""

from __future__ import annotations

from tests.builders import job_document

REST_PASSWORD = "Zq-rest-password-1"
NODE_SECRET = "Zq-flagged-node-secret-2"
MASKED = "Zq-masked-param-3"
LISTED = "Zq-listed-param-4"
ALL = (REST_PASSWORD, NODE_SECRET, MASKED, LISTED)


def secret_job(
    name: str,
    *,
    rest_password: str = REST_PASSWORD,
    node_secret: str | None = NODE_SECRET,
    masked: str = MASKED,
    listed: str = LISTED,
) -> dict:
    """A job with a secret in every place one may be: a property the node registry calls sensitive, one
    the document flags, a parameter flagged masked and one named in maskedParams."""
    return job_document(
        name,
        nodes=[
            {
                "name": "call",
                "type": "RESTAPI",
                "location": {"x": 0, "y": 0},
                "preNodeName": [],
                "properties": [
                    {"name": "url", "value": "https://example.test"},
                    {"name": "authPassword", "value": rest_password},
                ],
            },
            {
                "name": "sql",
                "type": "DWSSQL",
                "location": {"x": 100, "y": 0},
                "preNodeName": ["call"],
                "properties": [
                    {"name": "scriptName", "value": "s"},
                    {"name": "connectionName", "value": "c"},
                    {"name": "dbPassword", "value": node_secret, "value_is_sensitive": "true"},
                ],
            },
        ],
        params=[
            {"name": "tok", "value": masked, "masked": True},
            {"name": "apiKey", "value": listed},
            {"name": "plain", "value": "visible"},
        ],
        maskedParams=["apiKey"],
    )
