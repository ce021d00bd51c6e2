"""``manage.py export_jobs``: writes the package where it is told and says what it wrote; bad input exits
non-zero with the reason on stderr and leaves no file."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.transfer.exporting import manifest_of, submit_all, zip_entries

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("export_jobs", *args, stdout=out)
    return out.getvalue()


def test_jobs_to_a_folder(export_world, tmp_path):
    printed = run("--workspace", "exp", "--jobs", "doc1,daily_load", "--out", str(tmp_path))

    target = tmp_path / "jobs.zip"
    assert printed.strip() == f"wrote {target}: 2 jobs, {target.stat().st_size} bytes"
    assert set(zip_entries(target.read_bytes())) == {
        "jobs/doc1/doc1.job",
        "jobs/daily_load/daily_load.job",
        "manifest.json",
    }
    assert manifest_of(target.read_bytes())["exportedBy"] == "ada"  # the workspace's first admin
    assert [p.name for p in tmp_path.iterdir()] == ["jobs.zip"]  # no temporary file left


def test_a_directory_with_dependencies_submitted_as_a_named_user(export_world, tmp_path):
    submit_all(export_world)
    target = tmp_path / "etl.zip"
    printed = run(
        "--workspace", "exp", "--directory", "/etl", "--with-dependencies", "--status", "submit",
        "--user", "dev", "--out", str(target),
    )  # fmt: skip

    assert printed.startswith(f"wrote {target}: 2 jobs, 2 scripts, ")
    manifest = manifest_of(target.read_bytes())
    assert (manifest["scope"], manifest["jobStatus"], manifest["exportedBy"]) == (
        "with_dependencies",
        "submit",
        "dev",
    )


def test_the_whole_workspace_changed_since(export_world, tmp_path):
    printed = run(
        "--workspace", "exp", "--all", "--changed-since", "2000-01-01T00:00:00", "--out", str(tmp_path)
    )
    assert "6 jobs" in printed
    with pytest.raises(CommandError, match="no job in the workspace changed since"):
        run("--workspace", "exp", "--all", "--changed-since", "2999-01-01T00:00:00Z", "--out", str(tmp_path))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--workspace", "nope", "--all"), "Workspace nope not found"),
        (("--workspace", "exp", "--jobs", "doc1,ghost,phantom"), "ghost, phantom"),
        (("--workspace", "exp", "--jobs", "foreign"), "not found"),
        (("--workspace", "exp"), "Nothing to export"),
        (("--workspace", "exp", "--directory", "/nowhere"), "/nowhere"),
        (("--workspace", "exp", "--all", "--status", "submit"), "never been submitted"),
        (("--workspace", "exp", "--all", "--obs-path", "http://x/y"), "not an OBS path"),
        (("--workspace", "exp", "--all", "--changed-since", "yesterday"), "not an ISO 8601 time"),
        (("--workspace", "exp", "--all", "--user", "vic"), "viewer"),
        (("--workspace", "exp", "--all", "--out", "/no/such/folder/x.zip"), "does not exist"),
    ],
)
def test_bad_input_fails_with_the_reason(export_world, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert list(tmp_path.iterdir()) == []
