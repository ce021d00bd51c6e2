"""``manage.py import_jobs``: the same import without a worker; exit status and output a script can use."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from factory.development.models import Job, JobVersion, VersionKind
from factory.transfer.models import SystemTask, TaskStatus
from factory.workspaces.models import LockPolicy
from tests.builders import package_bytes, package_dws_job, package_job, package_script
from tests.hostile.packages import HOSTILE
from tests.transfer.importing import counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def package(tmp_path):
    def write(data: bytes, name: str = "DLF_doc1.zip") -> str:
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)

    return write


def doc1() -> bytes:
    return package_bytes(
        jobs=[package_dws_job("doc1", script="dws_script", params=[{"name": "env", "value": "dev"}])],
        scripts=[package_script("dws_script")],
    )


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_jobs", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_with_a_mapping_and_a_public_parameter(target, package):
    out, _ = run(
        package(doc1()),
        "--workspace",
        "tgt",
        "--user",
        "dev",
        "--map",
        "connection:doctest=dws2",
        "--param",
        "env=prod",
    )

    assert "created     job doc1 (version 1)" in out and "Import finished" in out
    job_ = Job.objects.get(name="doc1")
    assert job_.document["params"] == [{"name": "env", "value": "prod"}]
    assert job_.lock_holder == target.dev and job_.is_submitted
    version = JobVersion.objects.get(job=job_)
    assert version.description == "Imported from DLF_doc1.zip" and version.kind == VersionKind.SUBMITTED
    assert SystemTask.objects.get().status == TaskStatus.SUCCESSFUL


def test_map_takes_dataarts_own_type_names_as_the_v1_import_does(target, package):
    """``DWS_CONNECTION`` is what the v1 import's ``resources[].type`` takes: the CLI takes it too."""
    out, _ = run(package(doc1()), "--workspace", "tgt", "--map", "DWS_CONNECTION:doctest=dws2")

    assert "created     job doc1 (version 1)" in out
    [node] = Job.objects.get(name="doc1").document["nodes"]
    assert {"name": "connectionName", "value": "dws2"} in node["properties"]
    with pytest.raises(CommandError, match="or a DataArts type") as caught:
        run(package(doc1()), "--workspace", "tgt", "--map", "DWS_CONECTION:doctest=dws2")
    assert caught.value.returncode == 2


def test_saved_and_rename(target, package):
    path = package(doc1())
    run(path, "--workspace", "tgt", "--map", "connection:doctest=dws2")
    out, _ = run(
        path, "--workspace", "tgt", "--map", "connection:doctest=dws2", "--policy", "rename", "--saved"
    )

    assert "renamed     job doc1 -> doc1_copy" in out
    assert not Job.objects.get(name="doc1_copy").is_submitted


def test_dry_run_shows_contents_conflicts_and_missing_references_and_changes_nothing(target, package):
    before = counts()
    out, _ = run(package(doc1()), "--workspace", "tgt", "--dry-run")

    assert "job doc1: new" in out and "script dws_script: new" in out
    assert "DWS data connection doctest, used by job doc1, script dws_script" in out
    assert "candidates: dws2" in out
    assert counts() == before and not SystemTask.objects.exists()


def test_dry_run_as_json(target, package):
    out, _ = run(package(doc1()), "--workspace", "tgt", "--dry-run", "--json")
    inspection = json.loads(out)
    assert inspection["missing"][0]["references"][0]["name"] == "doctest"


def test_a_refused_package_exits_1_with_the_reason(target, package):
    build, _, _ = HOSTILE["zip_slip"]
    with pytest.raises(CommandError) as caught:
        run(package(build()), "--workspace", "tgt")
    assert caught.value.returncode == 1
    assert "The package was refused" in str(caught.value) and "../evil.job" in str(caught.value)
    with pytest.raises(CommandError) as caught:
        run(package(build()), "--workspace", "tgt", "--dry-run")
    assert caught.value.returncode == 1 and "../evil.job" in str(caught.value)


def test_an_unmapped_reference_exits_1_and_leaves_nothing_waiting(target, package):
    with pytest.raises(CommandError) as caught:
        run(package(doc1()), "--workspace", "tgt")
    assert caught.value.returncode == 1 and "doctest is missing" in str(caught.value)
    assert SystemTask.objects.get().status == TaskStatus.FAILED
    assert not Job.objects.exists()


def test_a_failed_import_exits_1_and_continue_on_error_exits_3(target, package):
    from factory.development.services import job_create

    target.workspace.lock_policy = LockPolicy.HARD
    target.workspace.save()
    job_create(workspace=target.workspace, user=target.bob, document=package_job("doc1"))
    path = package(package_bytes(jobs=[package_job("doc1"), package_job("other")]))

    with pytest.raises(CommandError) as caught:
        run(path, "--workspace", "tgt", "--user", "dev")
    assert caught.value.returncode == 1 and "locked by bob" in str(caught.value)
    assert not Job.objects.filter(name="other").exists()

    with pytest.raises(SystemExit) as exited:
        run(path, "--workspace", "tgt", "--user", "dev", "--continue-on-error")
    assert exited.value.code == 3
    assert Job.objects.filter(name="other").exists()


def test_wrong_usage_exits_2(target, package):
    with pytest.raises(CommandError) as caught:
        run(package(doc1()), "--workspace", "tgt", "--map", "bogus:doctest=dws2")
    assert caught.value.returncode == 2


def test_variables_lock_policy_release_locks_and_time_zone(target, package, monkeypatch):
    """The choices an environment profile gives a promotion, from the command line: a variable set (a
    masked one's value read from this process's environment, never the command line), the schedule's time
    zone rewritten, the locks released; then a job locked by someone else is skipped with skip_locked."""
    from factory.crypto import secret_decrypt
    from factory.development.models import EnvironmentVariable

    cron = {"type": "CRON", "cron": {"expression": "0 0 2 * * ?", "expressionTimeZone": "GMT+08:00"}}
    data = package_bytes(
        jobs=[package_dws_job("doc1", script="dws_script", schedule=cron)],
        scripts=[package_script("dws_script")],
    )
    monkeypatch.setenv("DB_PASSWORD", "Pw-Cli-9")
    args = [package(data), "--workspace", "tgt", "--user", "dev", "--map", "connection:doctest=dws2"]
    out, _ = run(
        *args,
        "--variable",
        "DB_HOST=prod-db",
        "--masked-variable",
        "DB_PASSWORD",
        "--time-zone",
        "Europe/Paris",
        "--release-locks",
    )
    assert "Pw-Cli-9" not in out
    variables = {v.name: v for v in EnvironmentVariable.objects.filter(workspace=target.workspace)}
    assert variables["DB_HOST"].value == "prod-db" and not variables["DB_HOST"].masked
    assert variables["DB_PASSWORD"].masked and variables["DB_PASSWORD"].value == ""
    assert secret_decrypt(ciphertext=variables["DB_PASSWORD"].value_encrypted) == "Pw-Cli-9"
    job_ = Job.objects.get(name="doc1")
    assert job_.document["schedule"]["cron"]["expressionTimeZone"] == "Europe/Paris"
    assert job_.lock_holder is None

    # bob locks doc1; dev's import again with skip_locked leaves it alone and names bob.
    job_.lock_holder = target.bob
    job_.save(update_fields=["lock_holder"])
    out, _ = run(
        *args,
        "--variable",
        "DB_HOST=prod-db",
        "--lock-policy",
        "skip_locked",
        "--time-zone",
        "GMT+8",
        "--dry-run",
    )
    assert "environment variable DB_HOST: import: unchanged" in out
    assert "locked by bob" in out
    run(*args, "--time-zone", "GMT+8", "--lock-policy", "skip_locked")
    job_.refresh_from_db()
    assert job_.document["schedule"]["cron"]["expressionTimeZone"] == "Europe/Paris"

    with pytest.raises(CommandError, match="expressionTimeZone") as refused:
        run(*args, "--time-zone", "Mars/Olympus")
    assert refused.value.returncode == 1
    monkeypatch.delenv("DB_PASSWORD")
    with pytest.raises(CommandError, match="environment variable DB_PASSWORD") as missing:
        run(*args, "--masked-variable", "DB_PASSWORD")
    assert missing.value.returncode == 2
