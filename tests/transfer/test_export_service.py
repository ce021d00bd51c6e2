"""Export services: what each scope, status and layout puts in the package, checked by opening the zip.

Layouts (docs/package-format.md, reference 1.5): a single job gives ``DLF_<job>.zip`` with flat
``jobs/<job>.job``, ``scripts/<s>.script``, ``resources/<r>.resource``; several give ``jobs.zip`` with
``jobs/<job>/<job>.job`` and the job's scripts beside it. Both add ``connections/<c>.conn``,
``environment/variables.json`` (with dependencies) and our ``manifest.json``.
"""

from __future__ import annotations

import io
import json

import pytest

from factory.development.models import Job, JobVersion
from factory.development.services import job_rename, job_save
from factory.errors import NotFound, ValidationError
from factory.packages import package_read
from factory.transfer.exports import (
    JOBS_ONLY,
    WITH_DEPENDENCIES,
)
from tests.transfer.exporting import (
    CONN_PASSWORD,
    WORLD_SECRETS,
    assert_manifest_matches,
    assert_no_secret,
    export,
    manifest_of,
    submit_all,
    zip_entries,
    zip_json,
)

pytestmark = pytest.mark.django_db


def without(document: dict, *keys: str) -> dict:
    return {k: v for k, v in document.items() if k not in keys}


# --- single job --------------------------------------------------------------------------------------


def test_single_job_jobs_only_is_the_document_without_schedule_and_params(export_world):
    name, data = export(export_world, job_names=("doc1",))

    assert name == "DLF_doc1.zip"
    entries = zip_json(data)
    assert set(entries) == {"jobs/doc1.job", "manifest.json"}
    stored = Job.objects.get(pk=export_world.jobs["doc1"].pk).document
    assert entries["jobs/doc1.job"] == without(stored, "schedule", "params")
    assert entries["jobs/doc1.job"]["customUnknownKey"] == {"kept": ["as", "is"]}
    assert entries["jobs/doc1.job"]["cleanOverdueDays"] == 60


def test_single_job_manifest_names_scope_status_and_typed_references(export_world):
    _, data = export(export_world, job_names=("doc1",))

    manifest = assert_manifest_matches(data)
    assert manifest["scope"] == JOBS_ONLY
    assert manifest["jobStatus"] == "develop"
    assert manifest["workspace"] == "exp"
    assert manifest["exportedBy"] == "dev"
    assert manifest["layout"] == "single"
    assert manifest["references"] == [
        {"type": "connection", "name": "doctest", "connectionType": "DWS"},
        {"type": "environment_variable", "name": "ENV_A"},
        {"type": "script", "name": "dws_script"},
    ]  # the schedule's dependency on daily_load left with the schedule


def test_single_job_with_dependencies_carries_scripts_connections_environment(export_world):
    name, data = export(export_world, job_names=("doc1",), scope=WITH_DEPENDENCIES)

    assert name == "DLF_doc1.zip"
    entries = zip_json(data)
    assert set(entries) == {
        "jobs/doc1.job",
        "scripts/dws_script.script",
        "connections/doctest.conn",
        "environment/variables.json",
        "manifest.json",
    }
    assert entries["jobs/doc1.job"] == Job.objects.get(pk=export_world.jobs["doc1"].pk).document
    assert entries["scripts/dws_script.script"] == export_world.scripts["dws_script"].document
    assert entries["connections/doctest.conn"] == {
        "name": "doctest",
        "type": "DWS",
        "config": {"host": "10.0.0.1", "port": 8000, "userName": "dbadmin"},
        "description": "the reference's DWS",
    }
    assert entries["environment/variables.json"] == [
        {"name": "ENV_A", "value": "alpha", "description": "used by doc1"}
    ]
    refs = entries["manifest.json"]["references"]
    assert {"type": "job", "name": "daily_load"} in refs  # the schedule's dependency now travels
    assert_no_secret(data, [CONN_PASSWORD])


def test_resources_and_external_objects(export_world):
    name, data = export(export_world, job_names=("daily_load",), scope=WITH_DEPENDENCIES)

    assert name == "DLF_daily_load.zip"
    entries = zip_json(data)
    assert entries["resources/udf_jar.resource"]["location"] == "obs://dlf-demo/udf.jar"
    assert "scripts/hive_script.script" in entries
    assert "connections/hive_conn.conn" in entries
    assert "environment/variables.json" not in entries  # ${p9} is a job parameter, not a variable
    refs = entries["manifest.json"]["references"]
    assert {"type": "dli_queue", "name": "dli_q"} in refs
    assert {"type": "resource", "name": "udf_jar"} in refs
    assert {"type": "connection", "name": "hive_conn", "connectionType": "HIVE"} in refs
    assert not any(r["type"] == "environment_variable" for r in refs)


# --- batch -------------------------------------------------------------------------------------------


def test_batch_jobs_only_puts_each_job_in_its_folder(export_world):
    name, data = export(export_world, job_ids=export_world.job_ids("doc1", "daily_load"))

    assert name == "jobs.zip"
    entries = zip_entries(data)
    assert set(entries) == {"jobs/doc1/doc1.job", "jobs/daily_load/daily_load.job", "manifest.json"}
    assert manifest_of(data)["layout"] == "batch"
    assert_manifest_matches(data)


def test_batch_with_dependencies_places_scripts_beside_their_jobs(export_world):
    name, data = export(
        export_world,
        job_ids=export_world.job_ids("doc1", "daily_load", "secret_job"),
        scope=WITH_DEPENDENCIES,
    )

    assert name == "jobs.zip"
    entries = zip_json(data)
    assert {
        "jobs/doc1/doc1.job",
        "jobs/doc1/dws_script.script",
        "jobs/daily_load/daily_load.job",
        "jobs/daily_load/hive_script.script",
        "jobs/secret_job/secret_job.job",
        "jobs/secret_job/dws_script.script",
        "resources/udf_jar.resource",
        "connections/doctest.conn",
        "connections/hive_conn.conn",
        "environment/variables.json",
        "manifest.json",
    } == set(entries)
    assert entries["jobs/doc1/doc1.job"]["schedule"]["type"] == "CRON"
    assert_manifest_matches(data)


def test_exported_packages_read_back_with_the_package_reader(export_world):
    for request in (
        {"job_names": ("doc1",)},
        {"job_names": ("doc1",), "scope": WITH_DEPENDENCIES},
        {"job_names": ("doc1", "daily_load", "parent"), "scope": WITH_DEPENDENCIES},
        {"everything": True},
    ):
        _, data = export(export_world, **request)
        package = package_read(source=io.BytesIO(data))
        assert package.manifest is not None
        assert [j.name for j in package.jobs] == sorted(j.name for j in package.jobs)


# --- called jobs -------------------------------------------------------------------------------------


def test_with_dependencies_follows_subjob_and_foreach_through_a_cycle(export_world):
    name, data = export(export_world, job_names=("parent",), scope=WITH_DEPENDENCIES)

    assert name == "DLF_parent.zip"
    entries = zip_entries(data)
    assert {"jobs/parent.job", "jobs/child.job", "jobs/grandchild.job"} <= set(entries)
    refs = manifest_of(data)["references"]
    assert {"type": "job", "name": "ghost"} in refs  # missing: the import will ask for it
    assert {"type": "job", "name": "child"} in refs


def test_jobs_only_does_not_follow_called_jobs(export_world):
    _, data = export(export_world, job_names=("parent",))

    assert set(zip_entries(data)) == {"jobs/parent.job", "manifest.json"}
    assert manifest_of(data)["references"] == [{"type": "job", "name": "child"}]


# --- where: directories, workspace, changed since ----------------------------------------------------


def test_directories_are_exported_recursively(export_world):
    _, data = export(export_world, directory_paths=("/etl",))
    assert set(zip_entries(data)) == {"jobs/doc1/doc1.job", "jobs/daily_load/daily_load.job", "manifest.json"}

    etl = export_world.jobs["doc1"].directory
    _, by_id = export(export_world, directory_ids=(etl.pk,))
    assert set(zip_entries(by_id)) == set(zip_entries(data))


def test_the_whole_workspace_and_changed_since(export_world):
    _, data = export(export_world, everything=True)
    jobs = {p for p in zip_entries(data) if p.endswith(".job")}
    assert len(jobs) == 6 and "jobs/foreign/foreign.job" not in jobs

    marker = Job.objects.get(pk=export_world.jobs["secret_job"].pk).updated_at
    Job.objects.filter(pk=export_world.jobs["doc1"].pk).update(
        updated_at=marker.replace(year=marker.year + 1)
    )
    _, recent = export(export_world, everything=True, changed_since=marker)
    assert set(zip_entries(recent)) == {"jobs/doc1.job", "manifest.json"}


# --- job status --------------------------------------------------------------------------------------


def test_submit_exports_the_latest_submitted_version_not_the_development_state(export_world):
    submit_all(export_world)
    job = Job.objects.get(pk=export_world.jobs["doc1"].pk)
    submitted = JobVersion.objects.filter(job=job, kind="submitted").latest("number").document
    changed = dict(job.document, description="edited after submitting")
    job_save(job=job, user=export_world.dev, document=changed)

    _, develop = export(export_world, job_names=("doc1",), scope=WITH_DEPENDENCIES)
    _, submit = export(export_world, job_names=("doc1",), scope=WITH_DEPENDENCIES, status="submit")

    assert zip_json(develop)["jobs/doc1.job"]["description"] == "edited after submitting"
    assert zip_json(submit)["jobs/doc1.job"] == submitted
    assert manifest_of(submit)["jobStatus"] == "submit"


def test_submit_names_the_jobs_never_submitted(export_world):
    with pytest.raises(ValidationError) as caught:
        export(export_world, job_names=("doc1", "parent"), status="submit")
    assert caught.value.code == "never_submitted"
    assert "doc1, parent" in caught.value.message


def test_submit_names_called_jobs_and_scripts_never_submitted(export_world):
    from factory.development.services import job_submit

    job_submit(job=export_world.jobs["parent"], user=export_world.dev)
    with pytest.raises(ValidationError) as caught:
        export(export_world, job_names=("parent",), scope=WITH_DEPENDENCIES, status="submit")
    assert "child" in caught.value.message and "SubJob" in caught.value.message

    job_submit(job=export_world.jobs["doc1"], user=export_world.dev)
    with pytest.raises(ValidationError) as caught:
        export(export_world, job_names=("doc1",), scope=WITH_DEPENDENCIES, status="submit")
    assert "scripts" in caught.value.message and "dws_script" in caught.value.message


def test_a_job_renamed_after_submitting_is_exported_under_its_current_name(export_world):
    submit_all(export_world)
    job_rename(job=export_world.jobs["doc1"], user=export_world.dev, name="doc1_renamed")

    name, data = export(export_world, job_names=("doc1_renamed",), status="submit")
    assert name == "DLF_doc1_renamed.zip"
    assert zip_json(data)["jobs/doc1_renamed.job"]["name"] == "doc1_renamed"


# --- secrets -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", [JOBS_ONLY, WITH_DEPENDENCIES])
@pytest.mark.parametrize("status", ["develop", "submit"])
def test_no_secret_leaves_in_any_layout(export_world, scope, status):
    submit_all(export_world)
    for request in ({"job_names": ("secret_job",)}, {"everything": True}):
        _, data = export(export_world, scope=scope, status=status, **request)
        assert_no_secret(data, WORLD_SECRETS)


def test_sensitive_values_are_emptied_and_their_flags_kept(export_world):
    _, data = export(export_world, job_names=("secret_job",), scope=WITH_DEPENDENCIES)
    job = zip_json(data)["jobs/secret_job.job"]

    rest, sql = job["nodes"]
    rest_props = {p["name"]: p for p in rest["properties"]}
    assert rest_props["authPassword"] == {"name": "authPassword", "value": "", "value_is_sensitive": True}
    sql_props = {p["name"]: p for p in sql["properties"]}
    assert sql_props["dbPassword"]["value"] == "" and sql_props["dbPassword"]["value_is_sensitive"] is True
    assert sql_props["connectionName"]["value"] == "doctest"
    params = {p["name"]: p for p in job["params"]}
    assert params["apiKey"]["value"] == "" and params["tok"] == {"name": "tok", "value": "", "masked": True}
    assert params["plain"]["value"] == "visible"
    assert job["maskedParams"] == ["apiKey"]


def test_connection_secrets_are_never_even_read(export_world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        _, data = export(export_world, everything=True, scope=WITH_DEPENDENCIES)
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "connections_dataconnection" in sql
    assert "secrets_encrypted" not in sql
    assert_no_secret(data, [CONN_PASSWORD])


# --- determinism -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_",
    [{"job_names": ("doc1",)}, {"everything": True, "scope": WITH_DEPENDENCIES}],
    ids=["single", "batch"],
)
def test_the_same_content_gives_the_same_bytes_but_the_export_time(export_world, request_):
    _, first = export(export_world, **request_)
    _, second = export(export_world, **request_)

    a, b = zip_entries(first), zip_entries(second)
    assert list(a) == list(b)
    for path in a:
        if path != "manifest.json":
            assert a[path] == b[path], path
    ma, mb = json.loads(a["manifest.json"]), json.loads(b["manifest.json"])
    ma.pop("exportedAt"), mb.pop("exportedAt")
    assert ma == mb


# --- bad input ---------------------------------------------------------------------------------------


def test_unknown_names_are_all_named(export_world):
    with pytest.raises(NotFound) as caught:
        export(export_world, job_names=("doc1", "nope", "nada"))
    assert caught.value.code == "job_not_found"
    assert "nada, nope" in caught.value.message


def test_another_workspaces_job_is_as_unknown_as_a_missing_one(export_world):
    with pytest.raises(NotFound) as foreign:
        export(export_world, job_ids=(export_world.jobs["foreign"].pk,))
    with pytest.raises(NotFound) as missing:
        export(export_world, job_ids=(999_999,))
    assert foreign.value.code == missing.value.code == "job_not_found"
    assert foreign.value.message.replace(
        str(export_world.jobs["foreign"].pk), "N"
    ) == missing.value.message.replace("999999", "N")
    with pytest.raises(NotFound):
        export(export_world, job_names=("foreign",))


def test_an_empty_selection_is_refused(export_world):
    with pytest.raises(ValidationError) as nothing:
        export(export_world)
    assert nothing.value.code == "export_empty"

    from factory.development.services import directory_create

    empty = directory_create(
        workspace=export_world.workspace, user=export_world.dev, category="job", path="/empty"
    )
    with pytest.raises(ValidationError) as no_jobs:
        export(export_world, directory_ids=(empty.pk,))
    assert no_jobs.value.code == "export_empty" and "selected directories" in no_jobs.value.message


def test_unknown_directories_are_named(export_world):
    with pytest.raises(NotFound) as caught:
        export(export_world, directory_paths=("/etl", "/nowhere"))
    assert caught.value.code == "directory_not_found" and "/nowhere" in caught.value.message


@pytest.mark.parametrize("path", ["s3://bucket/x/", "obs://B/x/", "obs://bucket/../x", "bucket/x"])
def test_bad_obs_paths_are_refused(export_world, path):
    from factory.obs import ObsError

    with pytest.raises(ObsError) as caught:
        export(export_world, job_names=("doc1",), obs_path=path)
    assert caught.value.code == "obs_path_invalid"


def test_bad_scope_and_status(export_world):
    with pytest.raises(ValidationError):
        export(export_world, job_names=("doc1",), scope="everything")
    with pytest.raises(ValidationError):
        export(export_world, job_names=("doc1",), status="production")


def test_at_most_ten_thousand_jobs(export_world, monkeypatch):
    from factory.transfer.exports import selection as export_module

    monkeypatch.setattr(export_module, "EXPORT_MAX_OBJECTS", 5)
    with pytest.raises(ValidationError) as caught:
        export(export_world, everything=True)
    assert caught.value.code == "export_too_large" and "6 jobs; at most 5" in caught.value.message

    monkeypatch.setattr(export_module, "EXPORT_MAX_OBJECTS", 2)
    with pytest.raises(ValidationError) as closure:
        export(export_world, job_names=("parent",), scope=WITH_DEPENDENCIES)
    assert closure.value.code == "export_too_large" and "jobs they call" in closure.value.message
