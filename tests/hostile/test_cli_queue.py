"""The command line reads the package in its own process: it must not also hand the import to a worker,
which may run on another machine where the command's local path does not exist (the worker's inspect
would then fail the import the command is running), and which needs a reachable broker."""

from __future__ import annotations

import pytest

from factory.transfer.imports import start as import_services
from tests.hostile.conftest import Target, cli_run
from tests.hostile.generate import hostile_case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry-run"])
def test_the_command_line_queues_no_worker_task(
    dry_run, target: Target, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    package = tmp_path / "DLF_j1.zip"
    package.write_bytes(hostile_case("zip_slip").data)
    argv = [str(package), "--workspace", "hostile_ws", "--user", "hdev"] + (["--dry-run"] if dry_run else [])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = cli_run(monkeypatch, *argv)

    assert result.status == 1, result
    queued = [c for c in callbacks if getattr(c, "func", None) is import_services._enqueue]
    assert queued == [], f"the command queued {[c.args for c in queued]}"
