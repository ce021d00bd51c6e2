"""A profile's masked parameter override, promoted to a workspace of this console: the job keeps the
value encrypted, and the change-set compares it by value (in the worker, never shown), so that promoting
again without changes writes nothing and a changed masked value is ``changed`` without its value."""

from __future__ import annotations

import json

import pytest

from factory.api.promotion.profiles import ProfileInputSerializer, spec_from_input
from factory.crypto import secrets_decrypt
from factory.development.models import Job, JobVersion, ScriptVersion
from factory.promotion.models import PromotionState
from factory.promotion.promote import PromotionSelection, promotion_apply, promotion_start
from factory.promotion.services import profile_update
from factory.transfer.models import ImportChange
from tests.builders import profile_body, profile_make
from tests.promotion.promoting import media_root, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return media_root(settings, tmp_path)


def _changes(promotion) -> dict[tuple[str, str], ImportChange]:
    return {(c.object_type, c.name): c for c in ImportChange.objects.filter(task=promotion.import_task)}


def test_a_masked_parameter_promoted_again_unchanged_writes_nothing():
    world = world_build()
    profile = profile_make(
        workspace=world.dev,
        user=world.ada,
        name="masked_param",
        target={"kind": "workspace", "workspaceId": world.prod.pk},
        rewriteRules=[],
        publicParams=[{"name": "region", "value": "Hidden-Region-77", "masked": True}],
    )
    start = {"workspace": world.dev, "user": world.dan, "profile": profile, "enqueue": False}
    selection = PromotionSelection(job_ids=(world.job.pk,))
    first = promotion_start(**start, selection=selection)
    assert promotion_apply(promotion=first, user=world.dan, enqueue=False).state == PromotionState.SUCCEEDED
    versions = JobVersion.objects.count() + ScriptVersion.objects.count()

    again = promotion_start(**start, selection=selection)

    assert _changes(again)[("job", "daily_load")].change == "unchanged"
    assert not again.changes.get("changed") and not again.changes.get("new")
    applied = promotion_apply(promotion=again, user=world.dan, enqueue=False)
    assert applied.state == PromotionState.SUCCEEDED, applied.message
    assert applied.counts["unchanged"] >= 1 and not applied.counts.get("overwritten")
    assert JobVersion.objects.count() + ScriptVersion.objects.count() == versions
    job = Job.objects.get(workspace=world.prod, name="daily_load")
    assert secrets_decrypt(ciphertext=job.secrets_encrypted)["param:region"] == "Hidden-Region-77"

    # The masked value changed in the profile: changed, the diff naming the parameter, not its values.
    body = profile_body(
        "masked_param",
        target={"kind": "workspace", "workspaceId": world.prod.pk},
        rewriteRules=[],
        publicParams=[{"name": "region", "value": "Hidden-Region-88", "masked": True}],
    )
    data = ProfileInputSerializer(data=body)
    data.is_valid(raise_exception=True)
    profile_update(profile=profile, user=world.ada, spec=spec_from_input(data.validated_data))
    third = promotion_start(**start, selection=selection)
    row = _changes(third)[("job", "daily_load")]
    assert row.change == "changed"
    assert [c["path"] for c in row.diff["params"]] == ["params.region.value"]
    assert row.diff["params"][0]["secret"] is True
    shown = json.dumps([row.diff, row.before, row.after, third.message])
    assert "Hidden-Region-77" not in shown and "Hidden-Region-88" not in shown
    assert promotion_apply(promotion=third, user=world.dan, enqueue=False).state == PromotionState.SUCCEEDED
    job.refresh_from_db()
    assert secrets_decrypt(ciphertext=job.secrets_encrypted)["param:region"] == "Hidden-Region-88"
