"""Version rules: one saved version a minute (unless forced), the latest 100 submitted versions kept."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from factory.development.models import JobVersion
from factory.development.services import (
    job_create,
    job_rollback,
    job_save,
    job_submit,
    script_create,
    script_save,
)
from tests.builders import job_document, script_document

pytestmark = pytest.mark.django_db


def _saved(job) -> list[int]:
    return list(
        JobVersion.objects.filter(job=job, kind="saved").order_by("number").values_list("number", flat=True)
    )


def test_at_most_one_saved_version_a_minute(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=job_document("j"))
    start = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=start):
        job = job_save(job=job, user=alice, document=job_document("j", step=1))
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(seconds=59)):
        job = job_save(job=job, user=alice, document=job_document("j", step=2))
    assert _saved(job) == [1]
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(seconds=61)):
        job = job_save(job=job, user=alice, document=job_document("j", step=3))
    assert _saved(job) == [1, 2]
    assert JobVersion.objects.get(job=job, number=2).document["step"] == 3
    assert job.revision == 4  # every save is a new revision, versions or not


def test_save_new_version_forces_one(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=job_document("j"))
    job = job_save(job=job, user=alice, document=job_document("j"))
    job = job_save(job=job, user=alice, document=job_document("j", step=2), new_version=True)
    assert _saved(job) == [1, 2]


def test_only_the_latest_100_submitted_versions_are_kept(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=job_document("j"))
    for number in range(1, 101):
        JobVersion.objects.create(job=job, kind="submitted", number=number, document={"n": number})

    latest = job_submit(job=job, user=alice, description="the 101st")

    numbers = list(JobVersion.objects.filter(job=job, kind="submitted").values_list("number", flat=True))
    assert len(numbers) == 100
    assert min(numbers) == 2 and max(numbers) == 101 == latest.number


def test_versions_keep_unknown_keys_through_submit_and_rollback(workspace, alice):
    doc = job_document("j", vendorExtension={"a": [1, {"b": None}]}, cleanWaitingJob="cleanup")
    doc["nodes"][0]["execTimeOutRetry"] = "false"
    job = job_create(workspace=workspace, user=alice, document=doc)
    submitted = job_submit(job=job, user=alice)
    job = job_save(job=job, user=alice, document=job_document("j"))
    assert "vendorExtension" not in job.document

    job = job_rollback(job=job, user=alice, version=submitted)

    job.refresh_from_db()
    assert job.document["vendorExtension"] == {"a": [1, {"b": None}]}
    assert job.document["cleanWaitingJob"] == "cleanup"
    assert job.document["nodes"][0]["execTimeOutRetry"] == "false"


def test_a_version_is_a_snapshot_not_a_reference(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=job_document("j", marker="before"))
    version = job_submit(job=job, user=alice)
    job_save(job=job, user=alice, document=job_document("j", marker="after"))
    version.refresh_from_db()
    assert version.document["marker"] == "before"


def test_script_versions_follow_the_same_minute_rule(workspace, alice):
    script = script_create(workspace=workspace, user=alice, document=script_document("s"))
    script = script_save(script=script, user=alice, document=script_document("s", content="SELECT 2;"))
    script = script_save(script=script, user=alice, document=script_document("s", content="SELECT 3;"))
    assert list(script.versions.values_list("kind", "number")) == [("saved", 1)]
    assert script.versions.get().document["content"] == "SELECT 2;"
