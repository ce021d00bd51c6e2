"""Secrets of jobs: the values of sensitive node properties and masked parameters are kept encrypted apart
from the document, never in the document, a version, a console answer or a v1 answer; saving an empty
value keeps the stored secret, a new value replaces it, a removed node, parameter or flag drops it."""

from __future__ import annotations

import importlib
import json

import pytest
from django.test import Client

from factory.crypto import secrets_decrypt
from factory.dataarts.services import v1_job_create, v1_job_update
from factory.development.models import Job, JobVersion
from factory.development.secrets import job_secrets_split
from factory.development.services import (
    job_copy,
    job_create,
    job_rename,
    job_rollback,
    job_save,
    job_submit,
)
from factory.workspaces.services import access_key_create
from tests.builders import job_document
from tests.dataarts.sdk import signed_call
from tests.development.import_writes import job_import_one
from tests.development.secret_jobs import ALL, LISTED, MASKED, NODE_SECRET, REST_PASSWORD, secret_job

pytestmark = pytest.mark.django_db

KEYS = [
    "node:call:authPassword",
    "node:sql:dbPassword",
    "param:apiKey",
    "param:tok",
]


def secrets_of(job: Job) -> dict:
    job.refresh_from_db()
    return secrets_decrypt(ciphertext=job.secrets_encrypted)


def prop(document: dict, node: str, name: str):
    found = next(n for n in document["nodes"] if n["name"] == node)
    return next(p for p in found["properties"] if p["name"] == name)


def param(document: dict, name: str) -> dict:
    return next(p for p in document["params"] if p["name"] == name)


def assert_clean(text: str) -> None:
    for secret in ALL:
        assert secret not in text


# --- the split --------------------------------------------------------------------------------------


def test_split_empties_the_values_keeps_the_flags_and_leaves_its_input_alone():
    document = secret_job("j")
    before = json.dumps(document)

    stored, secrets = job_secrets_split(document=document, stored={})

    assert json.dumps(document) == before
    assert secrets == {
        "node:call:authPassword": REST_PASSWORD,
        "node:sql:dbPassword": NODE_SECRET,
        "param:tok": MASKED,
        "param:apiKey": LISTED,
    }
    assert prop(stored, "call", "authPassword") == {"name": "authPassword", "value": ""}
    assert prop(stored, "sql", "dbPassword")["value_is_sensitive"] == "true"
    assert param(stored, "tok") == {"name": "tok", "value": "", "masked": True}
    assert param(stored, "plain")["value"] == "visible"
    assert stored["maskedParams"] == ["apiKey"]
    assert_clean(json.dumps(stored))


# --- the services -----------------------------------------------------------------------------------


def test_create_keeps_the_secrets_encrypted_and_the_document_without_them(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=secret_job("j"))

    job.refresh_from_db()
    assert_clean(json.dumps(job.document))
    for secret in ALL:
        assert secret not in job.secrets_encrypted
    assert job.secret_fields == sorted(KEYS)
    assert secrets_of(job)["node:sql:dbPassword"] == NODE_SECRET
    assert param(job.document, "plain")["value"] == "visible"


def test_save_with_empty_values_keeps_the_stored_secrets(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=secret_job("j"))
    # What the console sends back: the document as it was answered, secret values empty.
    job = job_save(job=job, user=alice, document=job.document, new_version=True)
    assert secrets_of(job) == dict(
        zip(sorted(KEYS), [REST_PASSWORD, NODE_SECRET, LISTED, MASKED], strict=True)
    )
    # A property without "value" at all keeps its secret too.
    document = job.document
    del prop(document, "call", "authPassword")["value"]
    job = job_save(job=job, user=alice, document=document)
    assert secrets_of(job)["node:call:authPassword"] == REST_PASSWORD


def test_save_with_a_new_value_replaces_the_secret(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=secret_job("j"))
    document = job.document
    prop(document, "call", "authPassword")["value"] = "Zq-new-password"
    param(document, "tok")["value"] = "Zq-new-token"

    job = job_save(job=job, user=alice, document=document)

    secrets = secrets_of(job)
    assert (secrets["node:call:authPassword"], secrets["param:tok"]) == ("Zq-new-password", "Zq-new-token")
    assert secrets["node:sql:dbPassword"] == NODE_SECRET
    assert "Zq-new" not in json.dumps(job.document)


def test_save_drops_the_secrets_of_removed_nodes_params_and_flags(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=secret_job("j"))
    document = job.document
    document["nodes"] = [n for n in document["nodes"] if n["name"] == "sql"]
    document["nodes"][0]["preNodeName"] = []
    document["params"] = [p for p in document["params"] if p["name"] != "tok"]
    # apiKey is no longer masked, but its name says it is a secret: unmasking it does not put its value
    # in clear (before the review's finding it did: the value became an ordinary one, exported as is).
    document["maskedParams"] = []

    job = job_save(job=job, user=alice, document=document)

    assert secrets_of(job) == {"node:sql:dbPassword": NODE_SECRET, "param:apiKey": LISTED}
    assert job.secret_fields == ["node:sql:dbPassword", "param:apiKey"]
    assert param(job.document, "apiKey")["value"] == ""


def test_a_null_property_value_clears_its_secret(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=secret_job("j"))
    document = job.document
    prop(document, "sql", "dbPassword")["value"] = None

    job = job_save(job=job, user=alice, document=document)

    assert "node:sql:dbPassword" not in secrets_of(job)
    assert "node:sql:dbPassword" not in job.secret_fields


def test_renaming_a_node_drops_its_secrets(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=secret_job("j"))
    document = job.document
    document["nodes"][1]["name"] = "sql2"

    job = job_save(job=job, user=alice, document=document)

    assert "node:sql:dbPassword" not in secrets_of(job)
    assert "node:sql2:dbPassword" not in secrets_of(job)  # typed in again, never moved
    assert secrets_of(job)["node:call:authPassword"] == REST_PASSWORD


def test_renaming_the_job_keeps_its_secrets(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=secret_job("j"))
    job = job_rename(job=job, user=alice, name="j2")
    assert len(secrets_of(job)) == 4


def test_versions_never_hold_a_secret(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=secret_job("j"))
    job_save(job=job, user=alice, document=secret_job("j"), new_version=True)
    job_submit(job=job, user=alice, description="first")

    documents = list(JobVersion.objects.filter(job=job).values_list("document", flat=True))
    assert len(documents) == 2
    assert_clean(json.dumps(documents))
    assert all(prop(d, "call", "authPassword")["value"] == "" for d in documents)


def test_rollback_restores_the_version_and_keeps_the_current_secrets(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=secret_job("j", node_secret="Zq-old"))
    job = job_save(job=job, user=alice, document=job.document, new_version=True)
    first = JobVersion.objects.filter(job=job).latest("pk")
    document = job.document
    prop(document, "sql", "dbPassword")["value"] = "Zq-current"
    document["description"] = "changed"
    job = job_save(job=job, user=alice, document=document, new_version=True)

    job = job_rollback(job=job, user=alice, version=first)

    assert "description" not in job.document
    # The version has no secret to restore: the current one stays for the keys the version has.
    assert secrets_of(job)["node:sql:dbPassword"] == "Zq-current"
    assert len(secrets_of(job)) == 4


def test_copy_and_save_as_copies_the_secrets(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=secret_job("j"))

    copy = job_copy(job=job, user=alice, new_name="j_copy")

    assert secrets_of(copy) == secrets_of(job)
    assert copy.secret_fields == sorted(KEYS)
    assert_clean(json.dumps(copy.document))


def test_import_overwrite_keeps_the_targets_secrets_and_takes_given_values(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=secret_job("j"))
    # A package's secret values are empty (the export redacts them), except a masked parameter typed in.
    package = secret_job("j", rest_password="", node_secret="", masked="Zq-typed-at-import", listed="")

    job = job_import_one(
        workspace=workspace, user=alice, document=package, obj=job, version_description="Imported"
    )

    assert secrets_of(job) == {
        "node:call:authPassword": REST_PASSWORD,
        "node:sql:dbPassword": NODE_SECRET,
        "param:apiKey": LISTED,
        "param:tok": "Zq-typed-at-import",
    }
    assert "Zq-typed-at-import" not in json.dumps(list(JobVersion.objects.values_list("document", flat=True)))


def test_import_create_has_no_secret_but_the_values_given(workspace, alice):
    package = secret_job("new", rest_password="", node_secret="", masked="Zq-typed", listed="")
    job = job_import_one(
        workspace=workspace, user=alice, document=package, obj=None, version_description="Imported"
    )
    assert secrets_of(job) == {"param:tok": "Zq-typed"}


def test_v1_create_and_update_keep_secrets_apart(workspace, alice):
    job = v1_job_create(workspace=workspace, user=alice, document=secret_job("v1j"))
    assert len(secrets_of(job)) == 4
    document = secret_job("v1j", rest_password="", node_secret="Zq-v1-new")
    job = v1_job_update(job=job, user=alice, document=document)
    secrets = secrets_of(job)
    assert (secrets["node:call:authPassword"], secrets["node:sql:dbPassword"]) == (REST_PASSWORD, "Zq-v1-new")
    assert "Zq-v1-new" not in json.dumps(job.document)


# --- the answers ------------------------------------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_console_answers_carry_secret_fields_and_no_value(workspace, alice):
    client = _client(alice)
    base = f"/api/workspaces/{workspace.pk}/jobs/"

    created = client.post(base, {"document": secret_job("api_job")}, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["secretFields"] == sorted(KEYS)
    job_id = created.json()["id"]
    document = created.json()["document"]
    assert prop(document, "call", "authPassword")["value"] == ""

    # Saving the answered document back (values empty) keeps every secret.
    saved = client.put(f"{base}{job_id}/", {"document": document}, content_type="application/json")
    assert saved.status_code == 200, saved.content
    assert saved.json()["secretFields"] == sorted(KEYS)
    assert secrets_of(Job.objects.get(pk=job_id))["param:tok"] == MASKED

    submitted = client.post(f"{base}{job_id}/submit/", {}, content_type="application/json")
    assert submitted.status_code == 201
    version_id = JobVersion.objects.filter(job_id=job_id).latest("pk").pk
    answers = [
        created,
        saved,
        client.get(f"{base}{job_id}/"),
        client.get(f"{base}{job_id}/versions/"),
        client.get(f"{base}{job_id}/versions/{version_id}/"),
        client.post(f"{base}{job_id}/copy/", {"name": "api_job_copy"}, content_type="application/json"),
    ]
    for answer in answers:
        assert answer.status_code in (200, 201), answer.content
        assert_clean(answer.content.decode())
    assert client.get(f"{base}{job_id}/").json()["secretFields"] == sorted(KEYS)


def test_v1_show_job_carries_no_secret(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=secret_job("v1_show"))
    job_submit(job=job, user=alice)
    key, secret = access_key_create(user=alice, workspace=workspace)
    path = f"/v1/{workspace.project_id}/jobs/v1_show"

    for query in ([], [("getJobSubmitVersion", "true")]):
        answer = signed_call(
            Client(),
            ak=key.access_key_id,
            sk=secret,
            method="GET",
            path=path,
            query=query,
            headers={"workspace": workspace.public_id},
        )
        assert answer.status_code == 200, answer.content
        assert_clean(answer.content.decode())
        assert prop(answer.json(), "sql", "dbPassword")["value"] == ""


# --- the migration ----------------------------------------------------------------------------------


def test_the_migration_takes_the_secrets_out_of_jobs_stored_before(workspace, alice):
    from django.apps import apps

    migration = importlib.import_module("factory.development.migrations.0002_job_secrets")
    job = job_create(workspace=workspace, user=alice, document=job_document("plain"))
    job_submit(job=job, user=alice)
    # As rows were written before: the secrets in clear, in the document and in its versions.
    Job.objects.filter(pk=job.pk).update(document=secret_job("plain"), secrets_encrypted="", secret_fields=[])
    JobVersion.objects.filter(job=job).update(document=secret_job("plain"))

    migration.secrets_take_out(apps, None)

    job.refresh_from_db()
    assert job.secret_fields == sorted(KEYS)
    assert secrets_of(job)["param:apiKey"] == LISTED
    assert_clean(json.dumps(job.document))
    assert_clean(json.dumps(list(JobVersion.objects.filter(job=job).values_list("document", flat=True))))


# --- secrets nothing flags (the review's finding) ---------------------------------------------------

AUTH = "Zq-bearer-token-5"
ARG_PASSWORD = "Zq-shell-arg-password-6"
URL_PASSWORD = "Zq-url-password-7"
INTERACTIVE = "Zq-interactive-8"
DB_PASSWORD = "Zq-unmasked-db-password-9"
UNFLAGGED = (AUTH, ARG_PASSWORD, URL_PASSWORD, INTERACTIVE, DB_PASSWORD)
HEADERS = f"Content-Type: application/json\nAuthorization: Bearer {AUTH}"


def unflagged_job(name: str) -> dict:
    """Secrets no flag, mask or registry entry marked before: a header line, a URL's password, a Shell
    ``--password`` argument and ``interactiveArgs``, and an unmasked parameter named ``db_password``."""
    return job_document(
        name,
        nodes=[
            {
                "name": "call",
                "type": "RESTAPI",
                "preNodeName": [],
                "properties": [
                    {"name": "url", "value": f"https://svc:{URL_PASSWORD}@api.example/hook"},
                    {"name": "headers", "value": HEADERS},
                ],
            },
            {
                "name": "sh",
                "type": "Shell",
                "preNodeName": ["call"],
                "properties": [
                    {"name": "arguments", "value": f"--user etl --password {ARG_PASSWORD} -v"},
                    {"name": "interactiveArgs", "value": INTERACTIVE},
                ],
            },
        ],
        params=[{"name": "db_password", "value": DB_PASSWORD}, {"name": "day", "value": "1"}],
    )


def test_secrets_nothing_flags_are_kept_apart_and_only_their_part_is_emptied(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=unflagged_job("u"))

    for secret in UNFLAGGED:
        assert secret not in json.dumps(job.document)
    assert prop(job.document, "call", "headers")["value"] == "Content-Type: application/json\nAuthorization: "
    assert prop(job.document, "call", "url")["value"] == "https://svc:@api.example/hook"
    assert prop(job.document, "sh", "arguments")["value"] == '--user etl --password "" -v'
    assert param(job.document, "day")["value"] == "1"
    secrets = secrets_of(job)
    assert secrets["node:sh:interactiveArgs"] == INTERACTIVE
    assert secrets["param:db_password"] == DB_PASSWORD
    assert secrets["node:call:headers"] == [["header:authorization", f"Bearer {AUTH}"]]
    assert job.secret_fields == sorted(
        [
            "node:call:headers",
            "node:call:url",
            "node:sh:arguments",
            "node:sh:interactiveArgs",
            "param:db_password",
        ]
    )

    # Saved back as the console shows it, with another header added: the stored parts are kept.
    document = job.document
    prop(document, "call", "headers")["value"] = "Accept: */*\n" + prop(document, "call", "headers")["value"]
    job = job_save(job=job, user=alice, document=document)
    assert secrets_of(job) == secrets
    assert prop(job.document, "call", "headers")["value"].startswith("Accept: */*\nContent-Type")

    # A new value typed in where the part was emptied replaces it.
    document = job.document
    prop(document, "sh", "arguments")["value"] = "--user etl --password Zq-new-arg -v"
    job = job_save(job=job, user=alice, document=document)
    assert secrets_of(job)["node:sh:arguments"] == [["option:password", "Zq-new-arg"]]


def test_the_widened_migration_takes_out_what_nothing_flagged(workspace, alice):
    from django.apps import apps

    migration = importlib.import_module("factory.development.migrations.0003_job_secrets_widened")
    job = job_create(workspace=workspace, user=alice, document=job_document("old"))
    job_submit(job=job, user=alice)
    document = unflagged_job("old")
    # As rows were written before: the secrets nothing flagged in clear, in the document and its versions.
    Job.objects.filter(pk=job.pk).update(document=document)
    JobVersion.objects.filter(job=job).update(document=document)

    migration.secrets_take_out_widened(apps, None)

    job.refresh_from_db()
    rows = json.dumps([job.document, *JobVersion.objects.filter(job=job).values_list("document", flat=True)])
    for secret in UNFLAGGED:
        assert secret not in rows
    assert secrets_of(job)["param:db_password"] == DB_PASSWORD
    assert "param:db_password" in job.secret_fields
