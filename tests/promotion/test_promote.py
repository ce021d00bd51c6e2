"""Promotion to another workspace of this console, through the services: the job lands in prod with the
profile's connection and parameter; promoting again without changes writes nothing; approval is enforced."""

from __future__ import annotations

import pytest

from factory.development.models import Job, JobVersion, Script, ScriptVersion
from factory.errors import Conflict, PermissionDenied
from factory.promotion.models import PromotionState
from factory.promotion.promote import (
    PromotionSelection,
    promotion_apply,
    promotion_approve,
    promotion_dry_run,
    promotion_reject,
    promotion_start,
)
from factory.transfer.models import TaskStatus
from tests.promotion.promoting import media_root, node_properties, params_of, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return media_root(settings, tmp_path)


def _promote(world, user, **kwargs):
    return promotion_start(
        workspace=world.dev,
        user=user,
        profile=world.profile,
        selection=PromotionSelection(job_ids=(world.job.pk,)),
        note=kwargs.pop("note", "release 1"),
    )


def test_a_job_lands_in_prod_with_the_profiles_connection_and_parameter():
    world = world_build()
    promotion = _promote(world, world.dan)
    assert promotion.state == PromotionState.PREVIEWING, promotion.message
    assert promotion.changes["new"] == 2  # the job and its script
    assert len(promotion.package_sha256) == 64
    assert not Job.objects.filter(workspace=world.prod).exists()  # the change-set writes nothing

    applied = promotion_apply(promotion=promotion, user=world.dan)

    assert applied.state == PromotionState.SUCCEEDED, applied.message
    assert applied.counts["created"] == 2
    job = Job.objects.get(workspace=world.prod, name="daily_load")
    assert node_properties(job.document)["connectionName"] == "prod_dws"
    assert params_of(job.document)["region"] == "prod"
    script = Script.objects.get(workspace=world.prod, name="load_sql")
    assert script.connection_name == "prod_dws"
    # The profile's rewrite rule: the schema renamed, whole words only (dev_stage is left alone).
    assert script.document["content"] == "INSERT INTO prod_dw.orders SELECT * FROM dev_stage.orders;"
    assert applied.import_task.status == TaskStatus.SUCCESSFUL
    # The source is untouched.
    assert node_properties(Job.objects.get(pk=world.job.pk).document)["connectionName"] == "dev_dws"


def test_promoting_again_without_changes_writes_nothing():
    world = world_build()
    promotion_apply(promotion=_promote(world, world.dan), user=world.dan)
    versions = JobVersion.objects.count() + ScriptVersion.objects.count()

    again = _promote(world, world.dan)
    assert (
        again.changes["unchanged"] == 2 and not again.changes.get("new") and not again.changes.get("changed")
    )
    applied = promotion_apply(promotion=again, user=world.dan)

    assert applied.state == PromotionState.SUCCEEDED, applied.message
    assert applied.counts["unchanged"] == 2 and applied.counts["created"] == 0
    assert applied.counts["overwritten"] == 0
    assert JobVersion.objects.count() + ScriptVersion.objects.count() == versions


def test_the_dry_run_shows_the_change_set_and_writes_nothing():
    world = world_build()
    result = promotion_dry_run(
        workspace=world.dev,
        user=world.dan,
        profile=world.profile,
        selection=PromotionSelection(job_ids=(world.job.pk,)),
    )
    assert result.target == "prod" and result.summary["new"] == 2
    assert {(o["type"], o["name"], o["change"]) for o in result.objects} == {
        ("job", "daily_load", "new"),
        ("script", "load_sql", "new"),
    }
    assert not Job.objects.filter(workspace=world.prod).exists()


def test_the_requester_cannot_approve_another_admin_can():
    world = world_build(requires_approval=True)
    promotion = _promote(world, world.ada)
    assert promotion.state == PromotionState.WAITING_APPROVAL

    with pytest.raises(PermissionDenied) as own:
        promotion_approve(promotion=promotion, user=world.ada)
    assert own.value.code == "own_promotion"
    with pytest.raises(PermissionDenied):  # a developer is no approver
        promotion_approve(promotion=promotion, user=world.dan)
    with pytest.raises(Conflict):  # not applied before it is approved
        promotion_apply(promotion=promotion, user=world.ada)
    assert not Job.objects.filter(workspace=world.prod).exists()

    approved = promotion_approve(promotion=promotion, user=world.bob)
    assert approved.state == PromotionState.APPROVED and approved.approved_by == world.bob
    applied = promotion_apply(promotion=approved, user=world.ada)
    assert applied.state == PromotionState.SUCCEEDED, applied.message
    assert Job.objects.filter(workspace=world.prod, name="daily_load").exists()


def test_a_rejected_promotion_never_applies():
    world = world_build(requires_approval=True)
    promotion = _promote(world, world.ada)
    with pytest.raises(PermissionDenied):
        promotion_reject(promotion=promotion, user=world.ada)
    rejected = promotion_reject(promotion=promotion, user=world.bob)
    assert rejected.state == PromotionState.REJECTED
    rejected.import_task.refresh_from_db()
    assert rejected.import_task.status == TaskStatus.FAILED
    with pytest.raises(Conflict):
        promotion_apply(promotion=rejected, user=world.ada)
    with pytest.raises(Conflict):
        promotion_approve(promotion=rejected, user=world.bob)
    assert not Job.objects.filter(workspace=world.prod).exists()


def test_a_deployer_approves_but_not_their_own():
    from factory.workspaces.models import Role
    from tests.builders import member_make

    world = world_build(requires_approval=True)
    deployer = member_make(world.dev, "dee", Role.DEPLOYER)
    member_make(world.prod, "dee", Role.DEVELOPER)  # who promotes writes in the target too
    mine = _promote(world, deployer)
    with pytest.raises(PermissionDenied) as own:
        promotion_approve(promotion=mine, user=deployer)
    assert own.value.code == "own_promotion"
    promotion_reject(promotion=mine, user=world.bob)

    theirs = _promote(world, world.dan)
    approved = promotion_approve(promotion=theirs, user=deployer)
    assert approved.approved_by == deployer
    assert promotion_apply(promotion=approved, user=deployer).state == PromotionState.SUCCEEDED
