"""The environment profile's remaining settings as a promotion applies them: environment-variable
overrides (new, changed, unchanged in the change-set; masked ones stay encrypted; undone with the import),
the lock policy ``skip_locked`` (a job locked by another user left untouched, its holder named),
``release_locks``, and the schedule's ``expressionTimeZone``; and the import's own checks of those choices."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from factory.connections.environment import environment_variable_create
from factory.connections.services import connection_create
from factory.crypto import secret_decrypt
from factory.development.models import EnvironmentVariable, Job, JobVersion, Script
from factory.errors import ValidationError
from factory.promotion.models import EnvironmentProfile, PromotionState
from factory.promotion.promote import (
    PromotionSelection,
    promotion_apply,
    promotion_dry_run,
    promotion_start,
)
from factory.promotion.services import profile_update
from factory.transfer.imports import ImportChoices, VariableOverride
from factory.transfer.imports.validate import import_choices_validate
from factory.transfer.models import ImportChange, SubTask, SystemTask
from factory.workspaces.models import Role
from tests.builders import member_make, profile_body
from tests.promotion.promoting import media_root, world_build
from tests.transfer.undoing import undo

pytestmark = pytest.mark.django_db

CRON = {
    "type": "CRON",
    "cron": {
        "startTime": "2026-01-01T02:00:00+08",
        "expression": "0 0 2 * * ?",
        "expressionTimeZone": "GMT+08:00",
    },
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return media_root(settings, tmp_path)


def _profile(world, **changes) -> EnvironmentProfile:
    """The world's profile with ``changes`` (profile body keys) saved through the service."""
    from factory.api.promotion.profiles import ProfileInputSerializer, spec_from_input

    body = profile_body(
        "to_prod",
        **{
            "target": {"kind": "workspace", "workspaceId": world.prod.pk},
            "rewriteRules": [{"find": "dev_dw", "replace": "prod_dw"}],
            "publicParams": [{"name": "region", "value": "prod"}],
            **changes,
        },
    )
    data = ProfileInputSerializer(data=body)
    data.is_valid(raise_exception=True)
    return profile_update(profile=world.profile, user=world.ada, spec=spec_from_input(data.validated_data))


def _promote(world, user, profile):
    return promotion_start(
        workspace=world.dev,
        user=user,
        profile=profile,
        selection=PromotionSelection(job_ids=(world.job.pk,)),
        note="release",
        enqueue=False,
    )


def _changes(promotion) -> dict[tuple[str, str], ImportChange]:
    return {(c.object_type, c.name): c for c in ImportChange.objects.filter(task=promotion.import_task)}


def _report(promotion) -> dict[tuple[str, str], SubTask]:
    return {(s.object_type, s.object_name): s for s in SubTask.objects.filter(task=promotion.import_task)}


def test_environment_variables_are_set_shown_in_the_change_set_and_masked_ones_stay_encrypted():
    world = world_build()
    environment_variable_create(workspace=world.prod, name="DB_HOST", value="dev-db.local")
    environment_variable_create(workspace=world.prod, name="REGION_NAME", value="eu")
    profile = _profile(
        world,
        environmentVariables=[
            {"name": "DB_HOST", "value": "prod-db.local"},
            {"name": "REGION_NAME", "value": "eu"},
            {"name": "DB_PASSWORD", "value": "Pw-Prod-9", "masked": True},
        ],
    )

    promotion = _promote(world, world.dan, profile)

    assert promotion.state == PromotionState.PREVIEWING, promotion.message
    rows = _changes(promotion)
    host = rows[("environment_variable", "DB_HOST")]
    assert host.change == "changed" and "'prod-db.local'" in host.message and "'dev-db.local'" in host.message
    assert rows[("environment_variable", "REGION_NAME")].change == "unchanged"
    password = rows[("environment_variable", "DB_PASSWORD")]
    assert password.change == "new" and "masked" in password.message
    assert promotion.changes["new"] == 3 and promotion.changes["changed"] == 1  # job, script, variable
    # The masked value is nowhere in clear: not in the change-set, nor in the import's task row.
    task = SystemTask.objects.get(pk=promotion.import_task_id)
    assert "Pw-Prod-9" not in json.dumps(task.params) + json.dumps(task.result) + password.message
    assert "Pw-Prod-9" not in task.secrets_encrypted
    assert EnvironmentVariable.objects.get(workspace=world.prod, name="DB_HOST").value == "dev-db.local"

    applied = promotion_apply(promotion=promotion, user=world.dan, enqueue=False)

    assert applied.state == PromotionState.SUCCEEDED, applied.message
    variables = {v.name: v for v in EnvironmentVariable.objects.filter(workspace=world.prod)}
    assert variables["DB_HOST"].value == "prod-db.local" and not variables["DB_HOST"].masked
    secret = variables["DB_PASSWORD"]
    assert secret.masked and secret.value == ""
    assert secret_decrypt(ciphertext=secret.value_encrypted) == "Pw-Prod-9"
    report = _report(applied)
    assert report[("environment_variable", "DB_HOST")].outcome == "overwritten"
    assert report[("environment_variable", "DB_PASSWORD")].outcome == "created"
    assert report[("environment_variable", "REGION_NAME")].outcome == "unchanged"
    assert "Pw-Prod-9" not in json.dumps([s.message for s in report.values()])
    assert applied.counts["overwritten"] == 1 and applied.counts["unchanged"] == 1

    # Promoting again: every variable is unchanged, nothing is written.
    again = _promote(world, world.dan, profile)
    assert {c.change for (t, _), c in _changes(again).items() if t == "environment_variable"} == {"unchanged"}

    # Undoing the promotion's import gives the variables back as they were.
    undone = undo(applied.import_task, world.ada)
    assert undone.status == "SUCCESSFUL", undone.message
    variables = {v.name: v for v in EnvironmentVariable.objects.filter(workspace=world.prod)}
    assert variables["DB_HOST"].value == "dev-db.local"
    assert "DB_PASSWORD" not in variables


def test_a_variable_masked_in_the_target_stays_masked():
    world = world_build()
    environment_variable_create(workspace=world.prod, name="API_TOKEN", value="old-token", masked=True)
    profile = _profile(world, environmentVariables=[{"name": "API_TOKEN", "value": "new-token"}])
    promotion = _promote(world, world.dan, profile)
    assert _changes(promotion)[("environment_variable", "API_TOKEN")].change == "changed"
    assert "new-token" not in _changes(promotion)[("environment_variable", "API_TOKEN")].message
    promotion_apply(promotion=promotion, user=world.dan, enqueue=False)
    token = EnvironmentVariable.objects.get(workspace=world.prod, name="API_TOKEN")
    assert token.masked and token.value == ""
    assert secret_decrypt(ciphertext=token.value_encrypted) == "new-token"


def _prod_job_locked_by_pat(world) -> Job:
    """daily_load promoted once, then locked in prod by pat (a developer of prod)."""
    promotion_apply(promotion=_promote(world, world.dan, world.profile), user=world.dan, enqueue=False)
    pat = member_make(world.prod, "pat", Role.DEVELOPER)
    job = Job.objects.get(workspace=world.prod, name="daily_load")
    job.lock_holder, job.locked_at = pat, timezone.now()
    job.save(update_fields=["lock_holder", "locked_at"])
    # The source changes, so that the job would be written.
    world.job.document = {**world.job.document, "description": "release 2"}
    world.job.save(update_fields=["document"])
    return job


def test_skip_locked_leaves_a_job_locked_by_another_user_untouched_and_names_the_holder():
    world = world_build()
    job = _prod_job_locked_by_pat(world)
    versions = JobVersion.objects.filter(job=job).count()
    profile = _profile(world, lockPolicy="skip_locked")

    promotion = _promote(world, world.dan, profile)

    change = _changes(promotion)[("job", "daily_load")]
    assert change.change == "skipped" and "locked by pat" in change.message
    applied = promotion_apply(promotion=promotion, user=world.dan, enqueue=False)
    assert applied.state == PromotionState.SUCCEEDED, applied.message
    row = _report(applied)[("job", "daily_load")]
    assert row.outcome == "skipped" and "locked by pat" in row.message and row.detail["lockHolder"] == "pat"
    job.refresh_from_db()
    assert job.lock_holder.username == "pat"
    assert job.document.get("description") != "release 2"
    assert JobVersion.objects.filter(job=job).count() == versions


def test_take_is_the_import_s_own_lock_rule():
    world = world_build()
    job = _prod_job_locked_by_pat(world)
    applied = promotion_apply(
        promotion=_promote(world, world.dan, world.profile), user=world.dan, enqueue=False
    )
    assert applied.state == PromotionState.SUCCEEDED, applied.message
    job.refresh_from_db()
    assert job.document.get("description") == "release 2" and job.lock_holder == world.dan


def test_release_locks_leaves_what_the_import_wrote_unlocked():
    world = world_build()
    profile = _profile(world, releaseLocks=True)
    applied = promotion_apply(promotion=_promote(world, world.dan, profile), user=world.dan, enqueue=False)
    assert applied.state == PromotionState.SUCCEEDED, applied.message
    job = Job.objects.get(workspace=world.prod, name="daily_load")
    script = Script.objects.get(workspace=world.prod, name="load_sql")
    assert job.lock_holder is None and script.lock_holder is None
    assert _report(applied)[("job", "daily_load")].detail.get("lockReleased") is True
    # Undone, the import finds its objects as it left them (their locks released in its transaction).
    assert undo(applied.import_task, world.ada).status == "SUCCESSFUL"
    assert not Job.objects.filter(workspace=world.prod, name="daily_load").exists()


def test_without_release_locks_the_importer_holds_them():
    world = world_build()
    promotion_apply(promotion=_promote(world, world.dan, world.profile), user=world.dan, enqueue=False)
    assert Job.objects.get(workspace=world.prod, name="daily_load").lock_holder == world.dan


def test_the_time_zone_rewrites_the_schedule_and_shows_in_the_change_set():
    world = world_build()
    world.job.document = {**world.job.document, "schedule": CRON}
    world.job.save(update_fields=["document"])
    promotion_apply(promotion=_promote(world, world.dan, world.profile), user=world.dan, enqueue=False)
    job = Job.objects.get(workspace=world.prod, name="daily_load")
    assert job.document["schedule"]["cron"]["expressionTimeZone"] == "GMT+08:00"

    profile = _profile(world, expressionTimeZone="Europe/Paris")
    promotion = _promote(world, world.dan, profile)
    change = _changes(promotion)[("job", "daily_load")]
    assert change.change == "changed" and change.counts["properties"] >= 1
    assert "Europe/Paris" in json.dumps(change.diff)
    applied = promotion_apply(promotion=promotion, user=world.dan, enqueue=False)
    assert applied.state == PromotionState.SUCCEEDED, applied.message
    job.refresh_from_db()
    assert job.document["schedule"]["cron"]["expressionTimeZone"] == "Europe/Paris"
    assert job.document["schedule"]["cron"]["expression"] == "0 0 2 * * ?"
    # The source keeps its own.
    world.job.refresh_from_db()
    assert world.job.document["schedule"]["cron"]["expressionTimeZone"] == "GMT+08:00"


def test_a_time_zone_alone_shows_the_job_changed_as_it_is_written():
    world = world_build()
    world.job.document = {**world.job.document, "schedule": CRON}
    world.job.save(update_fields=["document"])
    # A profile without parameters, rules or maps: the time zone is the only thing it changes.
    plain = _profile(world, mappings=[], rewriteRules=[], publicParams=[])
    connection_create(workspace=world.prod, user=world.ada, name="dev_dws", type="DWS", config={"host": "h"})
    assert (
        promotion_apply(promotion=_promote(world, world.dan, plain), user=world.dan, enqueue=False).changes[
            "new"
        ]
        == 2
    )
    zoned = _profile(world, mappings=[], rewriteRules=[], publicParams=[], expressionTimeZone="Europe/Paris")

    promotion = _promote(world, world.dan, zoned)

    change = _changes(promotion)[("job", "daily_load")]
    assert change.change == "changed" and "Europe/Paris" in json.dumps(change.diff)
    assert _changes(promotion)[("script", "load_sql")].change == "unchanged"
    applied = promotion_apply(promotion=promotion, user=world.dan, enqueue=False)
    assert applied.counts["overwritten"] == 1 and applied.counts["unchanged"] == 1
    cron = Job.objects.get(workspace=world.prod, name="daily_load").document["schedule"]["cron"]
    assert cron["expressionTimeZone"] == "Europe/Paris"


def test_an_invalid_zone_is_refused_when_the_profile_is_saved():
    world = world_build()
    with pytest.raises(ValidationError) as refused:
        _profile(world, expressionTimeZone="Mars/Olympus")
    assert set(refused.value.fields) == {"expressionTimeZone"}
    assert EnvironmentProfile.objects.get(pk=world.profile.pk).expression_time_zone == ""


def test_the_import_checks_these_choices_by_field():
    world = world_build()
    choices = ImportChoices(
        variables=(
            VariableOverride(name="ok_name", value="x"),
            VariableOverride(name="bad name!", value="x"),
            VariableOverride(name="ok_name", value="y"),
        ),
        lock_policy="grab",
        expression_time_zone="Mars/Olympus",
    )
    with pytest.raises(ValidationError) as refused:
        import_choices_validate(
            workspace=world.prod, inspection={}, choices=choices, default_policy="overwrite"
        )
    assert set(refused.value.fields) == {
        "variables.1.name",
        "variables.2.name",
        "lockPolicy",
        "expressionTimeZone",
    }
    named_like_a_secret, _ = import_choices_validate(
        workspace=world.prod,
        inspection={},
        choices=ImportChoices(variables=(VariableOverride(name="API_SECRET", value="s"),)),
        default_policy="overwrite",
    )
    assert named_like_a_secret.variables[0].masked
    checked, _ = import_choices_validate(
        workspace=world.prod,
        inspection={},
        choices=ImportChoices(
            variables=(VariableOverride(name="ok_name", value="x", masked=True),),
            lock_policy="skip_locked",
            release_locks=True,
            expression_time_zone="GMT+8",
        ),
        default_policy="overwrite",
    )
    assert checked.variables[0].masked and checked.lock_policy == "skip_locked" and checked.release_locks
    params = checked.to_params()
    assert params["variables"] == [{"name": "ok_name", "masked": True}] and "x" not in json.dumps(
        params["variables"]
    )
    assert (params["lockPolicy"], params["releaseLocks"], params["expressionTimeZone"]) == (
        "skip_locked",
        True,
        "GMT+8",
    )


def test_the_dry_run_lists_the_variables_and_a_skipped_locked_job():
    world = world_build()
    _prod_job_locked_by_pat(world)
    environment_variable_create(workspace=world.prod, name="DB_HOST", value="dev-db.local")
    profile = _profile(
        world,
        lockPolicy="skip_locked",
        environmentVariables=[{"name": "DB_HOST", "value": "prod-db.local"}],
    )
    result = promotion_dry_run(
        workspace=world.dev,
        user=world.dan,
        profile=profile,
        selection=PromotionSelection(job_ids=(world.job.pk,)),
    )
    rows = {(o["type"], o["name"]): o for o in result.objects}
    assert rows[("environment_variable", "DB_HOST")]["change"] == "changed"
    assert "'prod-db.local'" in rows[("environment_variable", "DB_HOST")]["message"]
    assert rows[("job", "daily_load")]["change"] == "skipped"
    assert "locked by pat" in rows[("job", "daily_load")]["message"]
    assert EnvironmentVariable.objects.get(workspace=world.prod, name="DB_HOST").value == "dev-db.local"
