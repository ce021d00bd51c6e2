"""Bad packages: the import task fails with the reader's message (naming the entry and the rule) and
nothing is written anywhere: no object in the database, no upload left in storage, no temporary file."""

from __future__ import annotations

import pytest

from factory.transfer.imports import import_create
from factory.transfer.imports.common import PackageRefused
from factory.transfer.models import SystemTask, TaskStatus
from tests.hostile.packages import HOSTILE, too_many_entries
from tests.transfer.importing import counts, files_under, start, temp_root

pytestmark = pytest.mark.django_db


@pytest.fixture
def temp_dir(monkeypatch, tmp_path):
    return temp_root(monkeypatch, tmp_path)


def assert_refused_cleanly(task: SystemTask, *, code: str, text: str, before: dict, media, temp_dir) -> None:
    assert task.status == TaskStatus.FAILED
    assert task.message.startswith("The package was refused: ")
    assert text in task.message, task.message
    assert task.result["error"]["code"].startswith(code)
    assert "inspection" not in task.result
    assert counts() == before
    assert files_under(media) == []
    assert files_under(temp_dir) == []


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_package_fails_the_task_and_writes_nothing(
    case, target, media, temp_dir, django_capture_on_commit_callbacks
):
    build, code, text = HOSTILE[case]
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        task = start(target.workspace, target.dev, build())

    assert_refused_cleanly(task, code=code, text=text, before=before, media=media, temp_dir=temp_dir)


def test_malformed_json_names_file_line_and_column(target, media, temp_dir):
    build, _, _ = HOSTILE["malformed_json"]
    task = start(target.workspace, target.dev, build())

    error = task.result["error"]
    assert (error["entry"], error["line"], error["column"]) == ("jobs/broken.job", 3, 13)
    assert "jobs/broken.job: line 3, column 13: malformed JSON" in task.message


def test_too_many_entries_per_the_configured_limit(
    target, media, temp_dir, settings, django_capture_on_commit_callbacks
):
    settings.PACKAGE_MAX_ENTRIES = 20
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        task = start(target.workspace, target.dev, too_many_entries(30))

    assert_refused_cleanly(
        task,
        code="zip.too_many_entries",
        text="at most 20 are allowed",
        before=before,
        media=media,
        temp_dir=temp_dir,
    )


def test_an_upload_over_the_configured_size_is_refused_at_once(target, media, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.PACKAGE_MAX_PACKED_BYTES = 1000
    with pytest.raises(PackageRefused) as caught:
        import_create(
            workspace=target.workspace,
            user=target.dev,
            upload=SimpleUploadedFile("big.zip", b"x" * 1001),
            enqueue=False,
        )
    assert caught.value.code == "package_too_large" and "at most 1000 bytes" in caught.value.message
    assert not SystemTask.objects.exists() and files_under(media) == []


def test_a_second_import_may_start_once_a_refused_one_failed(target, media, temp_dir):
    build, _, _ = HOSTILE["zip_slip"]
    assert start(target.workspace, target.dev, build()).status == TaskStatus.FAILED
    build, _, _ = HOSTILE["cycle"]
    assert start(target.workspace, target.dev, build()).status == TaskStatus.FAILED
