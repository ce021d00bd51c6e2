"""``manage.py promote``: the dry run shows the change-set and writes nothing; a promotion applies at once
unless the profile needs approval; promoting again writes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from factory.development.models import Job, JobVersion
from factory.promotion.models import Promotion
from tests.promotion.promoting import media_root, node_properties, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return media_root(settings, tmp_path)


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(
        "promote", "--workspace", "dev", "--profile", "to_prod", *args, stdout=out, stderr=io.StringIO()
    )
    return out.getvalue()


def test_dry_run_then_promote_then_promote_again():
    world_build()
    dry = _run("--jobs", "daily_load", "--dry-run")
    assert "would write 2 new" in dry and "new        job      daily_load" in dry
    assert not Job.objects.filter(workspace__name="prod").exists() and not Promotion.objects.exists()

    out = _run("--jobs", "daily_load", "--note", "first")
    assert "succeeded: 2 created" in out, out
    job = Job.objects.get(workspace__name="prod", name="daily_load")
    assert node_properties(job.document)["connectionName"] == "prod_dws"
    versions = JobVersion.objects.count()

    again = _run("--changed-since", "2000-01-01T00:00:00Z")
    assert "would write 2 unchanged" in again and "succeeded: 2 unchanged" in again, again
    assert JobVersion.objects.count() == versions


def test_a_profile_needing_approval_leaves_the_promotion_waiting():
    world_build(requires_approval=True)
    out = _run("--directory", "/")
    assert "waiting for approval" in out
    assert Promotion.objects.get().state == "waiting_approval"
    assert not Job.objects.filter(workspace__name="prod").exists()


def test_an_unknown_job_is_refused():
    world_build()
    with pytest.raises(CommandError):
        _run("--jobs", "no_such_job")
    assert not Promotion.objects.exists()
