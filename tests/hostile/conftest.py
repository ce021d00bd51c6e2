"""What the hostile-package tests share: the corpus as pytest parameters, the target of each import (a
workspace, its developer, the clients and keys of every entry point), and the proof that nothing was
written: row counts of every model, default storage's ``imports/`` folder, the temporary directory."""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.db import connections
from django.test import Client

from factory.transfer.management.commands.import_jobs import Command as ImportJobsCommand
from factory.workspaces.models import Workspace
from factory.workspaces.services import access_key_create
from tests.builders import client_for, user_make, workspace_make
from tests.harness import bucket_delete
from tests.hostile.generate import CASE_NAMES, SPECS, HostileCase
from tests.transfer.importing import files_under, media_root, temp_root

IMPORTER_TEMP_PREFIX = "factory-import-"  # factory/transfer/services/imports_common.py source_open


def corpus(
    *,
    only: tuple[str, ...] | None = None,
    without_settings: bool = False,
    known_bug: str | None = None,
    reads_message: bool = True,
) -> list[Any]:
    """The corpus as ``pytest.param``s with readable ids. A case with a known bug (its own, or the entry
    point's ``known_bug``) is a strict xfail, so that it flips to a failure once the bug is fixed and
    its marker must go; a test that does not read the message (``reads_message=False``) ignores the bugs
    that only spoil the message. Building a case is deferred to the test: collecting costs nothing."""
    params = []
    for name in only or CASE_NAMES:
        spec = SPECS[name]
        if without_settings and spec.settings:
            continue
        own_bug = spec.known_bug if (reads_message or spec.bug_hides_refusal) else None
        reason = known_bug or own_bug
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(name, id=name, marks=marks))
    return params


def case_settings(settings: Any, case: HostileCase) -> None:
    """Lower the ``PACKAGE_MAX_*`` limits the case needs (in this process only: not in a worker)."""
    for key, value in case.settings.items():
        setattr(settings, key, value)


# --- nothing written ----------------------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    """Rows of every model of the project, Django's own included."""
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def assert_rows_unchanged_but_one_failed_task(before: dict[str, int], *, tasks: int = 1) -> None:
    after = row_counts()
    expected = {**before, "transfer.SystemTask": before["transfer.SystemTask"] + tasks}
    changed = {label: (before[label], after[label]) for label in after if after[label] != expected[label]}
    assert not changed, f"rows changed (before, after): {changed}"


def assert_refusal_names_entry_and_rule(message: str, case: HostileCase) -> None:
    """The user reads which entry broke which rule; a control character never reaches them raw."""
    assert case.message_fragment in message, message
    if case.expected_entry is not None:
        assert case.expected_entry in message, message
    assert "\x00" not in message and "\x1b" not in message


def temp_leftovers(root: str | Path) -> list[str]:
    """The importer's named temporary files in ``root`` (its files are anonymous: there should be none)."""
    return sorted(p.name for p in Path(root).glob(f"{IMPORTER_TEMP_PREFIX}*"))


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """Default storage in a fresh folder: an import leaves nothing under ``imports/`` (nor anywhere)."""
    return media_root(settings, tmp_path)


@pytest.fixture
def temp_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The process's temporary directory, fresh: every temporary file (the importer's, Django's upload
    buffers) shows up in it unless deleted."""
    return temp_root(monkeypatch, tmp_path)


def assert_nothing_left(*, media: Path, temp_dir: Path) -> None:
    assert files_under(media) == [], f"left in default storage: {files_under(media)}"
    assert files_under(temp_dir) == [], f"left in the temporary directory: {files_under(temp_dir)}"


# --- the target of the imports ------------------------------------------------------------------------


@dataclass
class Target:
    """Workspace ``hostile_ws`` (admin ``hadmin``, developer ``hdev``), the developer's console client and
    AK/SK pair for the v1 API."""

    workspace: Workspace
    admin: AbstractBaseUser
    dev: AbstractBaseUser
    client: Client
    ak: str
    sk: str

    @property
    def project_id(self) -> str:
        return self.workspace.project_id

    @property
    def imports_url(self) -> str:
        return f"/api/workspaces/{self.workspace.pk}/imports/"


def target_build() -> Target:
    admin, dev = user_make("hadmin"), user_make("hdev")
    workspace = workspace_make("hostile_ws", admin=admin, developers=(dev,), is_default=True)
    key, sk = access_key_create(user=dev, workspace=workspace)
    return Target(
        workspace=workspace, admin=admin, dev=dev, client=client_for(dev), ak=key.access_key_id, sk=sk
    )


@pytest.fixture
def target(db: None, settings: Any) -> Target:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return target_build()


# --- OBS ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_bucket(s3: Any) -> Iterator[str]:
    """One bucket for a module's packages (a bucket per test would cost more than the tests)."""
    name = f"hostile-{secrets.token_hex(5)}"
    s3.create_bucket(Bucket=name)
    yield name
    bucket_delete(s3, name)


def obs_put(s3: Any, bucket: str, case: HostileCase) -> str:
    key = f"packages/{case.name}-{secrets.token_hex(3)}.zip"
    s3.put_object(Bucket=bucket, Key=key, Body=case.data)
    return f"obs://{bucket}/{key}"


def obs_keys(s3: Any, bucket: str) -> list[str]:
    return sorted(obj["Key"] for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


# --- the command line, in this process ----------------------------------------------------------------


@dataclass
class CliResult:
    status: int
    stdout: str
    stderr: str


def cli_run(monkeypatch: pytest.MonkeyPatch, *argv: str) -> CliResult:
    """``manage.py import_jobs ARGV`` as the shell runs it (``run_from_argv``: CommandError -> stderr and
    the exit status), in this process so that it sees the test's transaction and settings. The command's
    closing of every database connection at exit is skipped: it would end the test's transaction."""
    out, err = io.StringIO(), io.StringIO()
    command = ImportJobsCommand(stdout=out, stderr=err)
    status = 0
    with monkeypatch.context() as patch:
        patch.setattr(connections, "close_all", lambda: None)
        try:
            command.run_from_argv(["manage.py", "import_jobs", *argv])
        except SystemExit as exc:
            status = int(exc.code or 0)
    return CliResult(status=status, stdout=out.getvalue(), stderr=err.getvalue())
