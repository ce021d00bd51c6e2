"""The change-set of a job whose document carries secret values: compared by value in the worker, with
the job's stored secrets (decrypted there, never shown), so that a package imported again with the same
secrets writes nothing, and one whose secret changed is ``changed`` with a diff that names the secret
and never its value. The preview, the apply's ``skipUnchanged`` and the CLI's ``--dry-run`` agree."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from factory.crypto import secrets_decrypt
from factory.development.models import Job, JobVersion
from factory.transfer.imports import import_report
from factory.transfer.models import TaskStatus
from tests.builders import client_for, dataarts_batch_package, node, package_dws_job, package_script
from tests.transfer.importing import start
from tests.transfer.test_import_changes import DWS2, changes_of, imported, preview

pytestmark = pytest.mark.django_db
SECRET_ONE = "Pa55-one-7731"
SECRET_TWO = "Pa55-two-9054"


def package(*, password: str, token_url: str = "") -> bytes:
    job = package_dws_job("doc1", connection="doctest", script="dws_script")
    job["params"] = [{"name": "db_password", "value": password}, {"name": "region", "value": "eu"}]
    if token_url:
        job["nodes"][0].setdefault("properties", []).append({"name": "endpoint", "value": token_url})
    # As DataArts itself may write it: the secret values in the document (our export would empty them).
    return dataarts_batch_package([job], {"doc1": [package_script("dws_script", "doctest")]})


def stored_secrets() -> dict:
    job = Job.objects.get(name="doc1")
    return secrets_decrypt(ciphertext=job.secrets_encrypted)


def test_the_same_secret_imported_again_is_unchanged_and_not_written(target, media):
    imported(target, package(password=SECRET_ONE))
    assert stored_secrets() == {"param:db_password": SECRET_ONE}
    versions = JobVersion.objects.count()

    task = preview(
        start(target.workspace, target.dev, package(password=SECRET_ONE)), target.dev, mapping=DWS2
    )
    assert changes_of(task)[("job", "doc1")].change == "unchanged"
    assert task.result["changes"]["summary"]["changed"] == 0

    second = imported(target, package(password=SECRET_ONE))
    assert second.status == TaskStatus.SUCCESSFUL
    assert {row["name"]: row["outcome"] for row in import_report(second)["objects"]}["doc1"] == "unchanged"
    assert JobVersion.objects.count() == versions
    assert stored_secrets() == {"param:db_password": SECRET_ONE}


def test_a_secret_in_a_text_imported_again_is_unchanged(target, media):
    url = "https://loader:Url-Secret-41@example.com/api"
    imported(target, package(password=SECRET_ONE, token_url=url))
    versions = JobVersion.objects.count()
    second = imported(target, package(password=SECRET_ONE, token_url=url))
    assert {row["name"]: row["outcome"] for row in import_report(second)["objects"]}["doc1"] == "unchanged"
    assert JobVersion.objects.count() == versions
    changed = url.replace("Url-Secret-41", "Url-Secret-42")
    task = preview(
        start(target.workspace, target.dev, package(password=SECRET_ONE, token_url=changed)),
        target.dev,
        mapping=DWS2,
    )
    row = changes_of(task)[("job", "doc1")]
    assert row.change == "changed"
    assert "Url-Secret-4" not in json.dumps([row.diff, row.before, row.after])


def test_a_changed_secret_is_changed_and_its_diff_names_it_without_the_value(target, media):
    imported(target, package(password=SECRET_ONE))
    task = start(target.workspace, target.dev, package(password=SECRET_TWO))
    client = client_for(target.dev)
    base = f"/api/workspaces/{target.workspace.pk}/imports/{task.public_id}/"
    task = preview(task, target.dev, mapping=DWS2)

    row = changes_of(task)[("job", "doc1")]
    assert row.change == "changed"
    page = client.get(base + "changes/", {"change": "changed"}).json()
    assert [r["name"] for r in page["results"]] == ["doc1"]
    response = client.get(base + f"changes/{page['results'][0]['id']}/")
    assert response.status_code == 200
    opened = response.json()
    assert opened["diff"]["params"] == [
        {"path": "params.db_password.value", "kind": "changed", "old": True, "new": True, "secret": True}
    ]
    text = response.content.decode()
    assert SECRET_ONE not in text and SECRET_TWO not in text

    second = imported(target, package(password=SECRET_TWO))
    assert {row["name"]: row["outcome"] for row in import_report(second)["objects"]}["doc1"] == "overwritten"
    assert stored_secrets() == {"param:db_password": SECRET_TWO}


def test_an_emptied_secret_keeps_the_stored_one_and_is_unchanged(target, media):
    """An empty value keeps the stored secret (the save path's rule), as a redacted export carries it."""
    imported(target, package(password=SECRET_ONE))
    versions = JobVersion.objects.count()
    second = imported(target, package(password=""))
    assert {row["name"]: row["outcome"] for row in import_report(second)["objects"]}["doc1"] == "unchanged"
    assert JobVersion.objects.count() == versions


def dry_run(target, path) -> str:
    out = StringIO()
    call_command(
        "import_jobs",
        str(path),
        "--workspace",
        target.workspace.name,
        "--map",
        "connection:doctest=dws2",
        "--dry-run",
        stdout=out,
    )
    return out.getvalue()


def test_the_dry_run_compares_secrets_the_same_way(target, media, tmp_path):
    imported(target, package(password=SECRET_ONE))
    path = tmp_path / "jobs.zip"
    path.write_bytes(package(password=SECRET_ONE))
    assert "job doc1: exists, locked by dev; import: unchanged" in dry_run(target, path)
    path.write_bytes(package(password=SECRET_TWO))
    text = dry_run(target, path)
    assert "job doc1: exists, locked by dev; import: changed" in text
    assert SECRET_ONE not in text and SECRET_TWO not in text


def test_a_new_secret_parameter_and_a_node_secret_show_as_set_never_as_values(target, media):
    job = package_dws_job("doc1", connection="doctest", script="dws_script")
    job["nodes"].append(node("call", "Dummy", {"password": SECRET_ONE}))
    scripts = {"doc1": [package_script("dws_script", "doctest")]}
    imported(target, dataarts_batch_package([job], scripts))

    job["nodes"][-1]["properties"][0]["value"] = SECRET_TWO
    job["params"] = [{"name": "api_key", "value": SECRET_TWO}]
    task = preview(
        start(target.workspace, target.dev, dataarts_batch_package([job], scripts)), target.dev, mapping=DWS2
    )

    row = changes_of(task)[("job", "doc1")]
    assert row.change == "changed"
    value = next(c for c in row.diff["params"] if c["path"] == "params.api_key.value")
    assert value == {
        "path": "params.api_key.value",
        "kind": "added",
        "old": None,
        "new": True,
        "secret": True,
    }
    call = next(n for n in row.diff["nodes"] if n["name"] == "call")
    assert call["status"] == "modified"
    assert call["changes"] == [
        {"path": "properties.password.value", "kind": "changed", "old": True, "new": True, "secret": True}
    ]
    assert SECRET_ONE not in json.dumps([row.diff, row.before, row.after])
    assert SECRET_TWO not in json.dumps([row.diff, row.before, row.after])
