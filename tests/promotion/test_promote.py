"""Promotion to another workspace of this console, through the services: the job lands in prod with the
profile's connection and parameter; promoting again without changes writes nothing; approval is enforced."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from factory.crypto import secrets_decrypt
from factory.development.models import Job, JobVersion, Script, ScriptVersion
from factory.errors import Conflict, PermissionDenied
from factory.promotion import local
from factory.promotion.local import local_apply_run, local_preview_run
from factory.promotion.models import Promotion, PromotionState
from factory.promotion.promote import (
    PromotionSelection,
    promotion_apply,
    promotion_approve,
    promotion_dry_run,
    promotion_reject,
    promotion_start,
)
from factory.transfer.models import ImportChange, SystemTask, TaskStatus, TaskStep
from factory.workspaces.models import Membership, Role
from tests.builders import profile_make
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
        enqueue=False,
    )


def test_a_job_lands_in_prod_with_the_profiles_connection_and_parameter():
    world = world_build()
    promotion = _promote(world, world.dan)
    assert promotion.state == PromotionState.PREVIEWING, promotion.message
    assert promotion.changes["new"] == 2  # the job and its script
    assert len(promotion.package_sha256) == 64
    assert not Job.objects.filter(workspace=world.prod).exists()  # the change-set writes nothing

    applied = promotion_apply(promotion=promotion, user=world.dan, enqueue=False)

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
    promotion_apply(promotion=_promote(world, world.dan), user=world.dan, enqueue=False)
    versions = JobVersion.objects.count() + ScriptVersion.objects.count()

    again = _promote(world, world.dan)
    assert (
        again.changes["unchanged"] == 2 and not again.changes.get("new") and not again.changes.get("changed")
    )
    applied = promotion_apply(promotion=again, user=world.dan, enqueue=False)

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
        promotion_apply(promotion=promotion, user=world.ada, enqueue=False)
    assert not Job.objects.filter(workspace=world.prod).exists()

    approved = promotion_approve(promotion=promotion, user=world.bob)
    assert approved.state == PromotionState.APPROVED and approved.approved_by == world.bob
    applied = promotion_apply(promotion=approved, user=world.ada, enqueue=False)
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
        promotion_apply(promotion=rejected, user=world.ada, enqueue=False)
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
    assert promotion_apply(promotion=approved, user=deployer, enqueue=False).state == PromotionState.SUCCEEDED


# --- what is applied is what was shown and approved -----------------------------------------------------


def _changes(promotion) -> dict[tuple[str, str], ImportChange]:
    return {(c.object_type, c.name): c for c in ImportChange.objects.filter(task=promotion.import_task)}


def test_a_profile_edited_after_approval_does_not_change_what_is_applied():
    world = world_build(requires_approval=True)
    promotion = promotion_approve(promotion=_promote(world, world.ada), user=world.bob)
    # ada (an admin of dev, who may edit the profile) edits it once it is approved, then applies.
    world.profile.public_params = [{"name": "region", "masked": False, "value": "NOT-APPROVED"}]
    world.profile.rewrite_rules = [{"find": "dev_stage", "replace": "evil_stage", "regex": False}]
    world.profile.save()

    applied = promotion_apply(promotion=promotion, user=world.ada, enqueue=False)

    assert applied.state == PromotionState.SUCCEEDED, applied.message
    assert params_of(Job.objects.get(workspace=world.prod, name="daily_load").document)["region"] == "prod"
    script = Script.objects.get(workspace=world.prod, name="load_sql")
    assert script.document["content"] == "INSERT INTO prod_dw.orders SELECT * FROM dev_stage.orders;"


def test_a_requester_no_longer_a_developer_of_the_target_is_not_written_for():
    world = world_build(requires_approval=True)
    promotion = _promote(world, world.dan)  # dan: developer of dev and of prod
    Membership.objects.filter(workspace=world.prod, user=world.dan).update(role=Role.VIEWER)
    approved = promotion_approve(promotion=promotion, user=world.bob)  # bob: no member of prod

    with pytest.raises(PermissionDenied) as refused:
        promotion_apply(promotion=approved, user=world.bob, enqueue=False)

    assert refused.value.code == "role_required" and "dan" in refused.value.message
    assert not Job.objects.filter(workspace=world.prod).exists()
    approved.refresh_from_db()
    assert approved.state == PromotionState.APPROVED  # applied once dan may write in prod again
    Membership.objects.filter(workspace=world.prod, user=world.dan).update(role=Role.DEVELOPER)
    assert (
        promotion_apply(promotion=approved, user=world.bob, enqueue=False).state == PromotionState.SUCCEEDED
    )


def test_an_import_running_in_the_target_leaves_an_approved_promotion_to_apply_later():
    world = world_build(requires_approval=True)
    approved = promotion_approve(promotion=_promote(world, world.dan), user=world.bob)
    other = _promote(world, world.ada)  # another import of prod (its change-set), now applying
    SystemTask.objects.filter(pk=other.import_task_id).update(
        status=TaskStatus.RUNNING, updated_at=timezone.now()
    )

    with pytest.raises(Conflict) as busy:
        promotion_apply(promotion=approved, user=world.dan, enqueue=False)

    assert busy.value.code == "import_running"
    approved.refresh_from_db()
    assert approved.state == PromotionState.APPROVED and approved.message == "Approved by bob."
    task = SystemTask.objects.get(pk=approved.import_task_id)
    assert task.status == TaskStatus.WAITING and task.step == TaskStep.PREVIEWED
    SystemTask.objects.filter(pk=other.import_task_id).update(status=TaskStatus.FAILED)
    assert (
        promotion_apply(promotion=approved, user=world.dan, enqueue=False).state == PromotionState.SUCCEEDED
    )


def test_since_last_promotes_what_changed_while_the_last_one_waited():
    world = world_build()
    first = promotion_start(
        workspace=world.dev,
        user=world.dan,
        profile=world.profile,
        selection=PromotionSelection(since_last=True),
        enqueue=False,
    )
    world.job.document = {**world.job.document, "description": "edited while waiting"}
    world.job.save()  # after the package was built, before the apply
    assert promotion_apply(promotion=first, user=world.dan, enqueue=False).state == PromotionState.SUCCEEDED
    prod = Job.objects.get(workspace=world.prod, name="daily_load")
    assert prod.document.get("description") != "edited while waiting"  # not in that package

    again = promotion_start(
        workspace=world.dev,
        user=world.dan,
        profile=world.profile,
        selection=PromotionSelection(since_last=True),
        enqueue=False,
    )

    assert _changes(again)[("job", "daily_load")].change == "changed"
    assert promotion_apply(promotion=again, user=world.dan, enqueue=False).state == PromotionState.SUCCEEDED
    prod.refresh_from_db()
    assert prod.document["description"] == "edited while waiting"


def test_a_masked_profile_parameter_is_masked_in_the_change_set_and_the_target():
    world = world_build()
    profile = profile_make(
        workspace=world.dev,
        user=world.ada,
        name="masked_param",
        target={"kind": "workspace", "workspaceId": world.prod.pk},
        rewriteRules=[],
        publicParams=[{"name": "region", "value": "Hidden-Region-77", "masked": True}],
    )
    start = {"workspace": world.dev, "user": world.dan, "profile": profile}
    promotion = promotion_start(**start, selection=PromotionSelection(job_ids=(world.job.pk,)), enqueue=False)

    row = _changes(promotion)[("job", "daily_load")]
    assert row.change == "new" and "region" in row.after["maskedParams"]
    assert "Hidden-Region-77" not in json.dumps([row.after, row.diff, row.before])
    assert "Hidden-Region-77" not in json.dumps(promotion.import_task.params)
    assert (
        promotion_apply(promotion=promotion, user=world.dan, enqueue=False).state == PromotionState.SUCCEEDED
    )
    job = Job.objects.get(workspace=world.prod, name="daily_load")
    assert job.document["maskedParams"] == ["region"] and params_of(job.document)["region"] == ""
    assert secrets_decrypt(ciphertext=job.secrets_encrypted)["param:region"] == "Hidden-Region-77"
    # Promoted again: the masked value is compared by value with the job's stored one, so unchanged;
    # still masked.
    again = _changes(
        promotion_start(**start, selection=PromotionSelection(job_ids=(world.job.pk,)), enqueue=False)
    )
    assert again[("job", "daily_load")].change == "unchanged"
    assert "Hidden-Region-77" not in json.dumps([again[("job", "daily_load")].after])


def test_since_last_promotes_a_job_whose_script_alone_changed():
    world = world_build()
    since_last = PromotionSelection(since_last=True)
    start = {"workspace": world.dev, "user": world.dan, "profile": world.profile, "selection": since_last}
    assert (
        promotion_apply(
            promotion=promotion_start(**start, enqueue=False), enqueue=False, user=world.dan
        ).state
        == "succeeded"
    )
    script = Script.objects.get(workspace=world.dev, name="load_sql")
    script.document = {**script.document, "content": "INSERT INTO dev_dw.orders SELECT 2;"}
    script.save()  # the job itself is not edited

    again = promotion_start(**start, enqueue=False)

    changes = _changes(again)
    assert changes[("script", "load_sql")].change == "changed", again.message
    assert changes[("job", "daily_load")].change == "unchanged"
    assert promotion_apply(promotion=again, user=world.dan, enqueue=False).state == PromotionState.SUCCEEDED
    prod = Script.objects.get(workspace=world.prod, name="load_sql")
    assert prod.document["content"] == "INSERT INTO prod_dw.orders SELECT 2;"


# --- the background steps, delivered again ----------------------------------------------------------------


def test_a_change_set_delivered_again_follows_the_import_it_made():
    """A worker lost after the import was made: the step run again takes the same import, makes no other;
    run once more with the row moved on, it does nothing."""
    world = world_build()
    promotion = _promote(world, world.dan)
    assert promotion.state == PromotionState.PREVIEWING, promotion.message
    imports = SystemTask.objects.count()
    Promotion.objects.filter(pk=promotion.pk).update(state=PromotionState.PREPARING, changes={})

    local_preview_run(promotion_id=promotion.pk)

    promotion.refresh_from_db()
    assert promotion.state == PromotionState.PREVIEWING and promotion.changes["new"] == 2
    assert SystemTask.objects.count() == imports
    local_preview_run(promotion_id=promotion.pk)  # previewing now: nothing to do
    assert SystemTask.objects.count() == imports
    promotion.refresh_from_db()
    assert promotion.state == PromotionState.PREVIEWING


def test_an_apply_delivered_again_writes_nothing_more():
    """A worker lost after the import applied (before the promotion said so): the step run again finds
    the import done and records its outcome; no object is written twice."""
    world = world_build()
    applied = promotion_apply(promotion=_promote(world, world.dan), user=world.dan, enqueue=False)
    assert applied.state == PromotionState.SUCCEEDED, applied.message
    versions = JobVersion.objects.count() + ScriptVersion.objects.count()
    Promotion.objects.filter(pk=applied.pk).update(state=PromotionState.APPLYING, counts={})

    local_apply_run(promotion_id=applied.pk)

    applied.refresh_from_db()
    assert applied.state == PromotionState.SUCCEEDED and applied.counts["created"] == 2
    assert JobVersion.objects.count() + ScriptVersion.objects.count() == versions
    local_apply_run(promotion_id=applied.pk)  # succeeded: nothing to do
    applied.refresh_from_db()
    assert applied.state == PromotionState.SUCCEEDED


def test_a_promotion_failed_as_stale_is_not_revived_by_its_change_set(monkeypatch):
    """The change-set that ends after the row was failed (its worker thought lost) leaves it failed and
    cancels the import it made."""
    world = world_build()
    promotion = _promote(world, world.dan)
    task = SystemTask.objects.get(pk=promotion.import_task_id)
    SystemTask.objects.filter(pk=task.pk).update(step=TaskStep.PREVIEW, status=TaskStatus.PENDING)
    Promotion.objects.filter(pk=promotion.pk).update(state=PromotionState.PREPARING)
    # The preview runs again (its step pending); the row is failed as stale while it runs.
    real = local.import_preview

    def preview_then_stale(*, task_id: int) -> None:
        real(task_id=task_id)
        Promotion.objects.filter(pk=promotion.pk).update(state=PromotionState.FAILED, message="stale")

    monkeypatch.setattr(local, "import_preview", preview_then_stale)
    local_preview_run(promotion_id=promotion.pk)

    promotion.refresh_from_db()
    task.refresh_from_db()
    assert promotion.state == PromotionState.FAILED and promotion.message == "stale"
    assert task.status == TaskStatus.FAILED
