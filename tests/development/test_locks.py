"""Lock rules under the soft and hard policies."""

from __future__ import annotations

import pytest

from factory.development.models import Job
from factory.development.services import (
    job_create,
    job_delete,
    job_lock,
    job_rename,
    job_save,
    job_unlock,
    jobs_unlock,
    lock_can_acquire,
    script_create,
    script_lock,
    script_save,
    script_unlock,
    scripts_unlock,
)
from factory.errors import LockError
from tests.builders import job_document, script_document

pytestmark = pytest.mark.django_db


def test_soft_lock_may_be_grabbed_by_anyone(workspace, alice, bob):
    job = job_create(workspace=workspace, user=alice, document=job_document("j"))
    assert lock_can_acquire(obj=job, user=bob) is None

    job_lock(job=job, user=bob)

    job.refresh_from_db()
    assert job.lock_holder == bob
    with pytest.raises(LockError, match="locked by bob"):
        job_save(job=job, user=alice, document=job_document("j"))
    job_save(job=job, user=bob, document=job_document("j"))


def test_soft_lock_may_be_released_by_anyone(workspace, alice, bob):
    job = job_create(workspace=workspace, user=alice, document=job_document("j"))
    job_unlock(job=job, user=bob)
    job.refresh_from_db()
    assert job.lock_holder is None


def test_hard_lock_blocks_other_developers(hard_workspace, alice, bob):
    job = job_create(workspace=hard_workspace, user=alice, document=job_document("j"))
    assert lock_can_acquire(obj=job, user=bob) == "locked by alice"

    with pytest.raises(LockError) as exc:
        job_lock(job=job, user=bob)
    assert exc.value.message == "Job j is locked by alice; it can be locked once alice unlocks it."
    with pytest.raises(LockError, match="only alice or a workspace admin can unlock it"):
        job_unlock(job=job, user=bob)
    with pytest.raises(LockError, match="Job j is locked by alice and cannot be renamed."):
        job_rename(job=job, user=bob, name="k")
    with pytest.raises(LockError, match="cannot be deleted"):
        job_delete(job=job, user=bob)
    job.refresh_from_db()
    assert (job.lock_holder, job.name) == (alice, "j")

    job_unlock(job=job, user=alice)
    job_lock(job=job, user=bob)
    job.refresh_from_db()
    assert job.lock_holder == bob


def test_hard_lock_does_not_stop_a_workspace_admin(hard_workspace, alice, carol_admin):
    job = job_create(workspace=hard_workspace, user=alice, document=job_document("j"))
    assert lock_can_acquire(obj=job, user=carol_admin) is None
    job_lock(job=job, user=carol_admin)
    job.refresh_from_db()
    assert job.lock_holder == carol_admin
    job_unlock(job=job, user=carol_admin)
    job.refresh_from_db()
    assert job.lock_holder is None


def test_locking_twice_is_harmless(workspace, alice):
    job = job_create(workspace=workspace, user=alice, document=job_document("j"))
    assert job_lock(job=job, user=alice).lock_holder == alice


def test_a_lock_taken_meanwhile_is_reported(hard_workspace, alice, bob):
    job = job_create(workspace=hard_workspace, user=alice, document=job_document("j"))
    job_unlock(job=job, user=alice)
    stale = Job.objects.get(pk=job.pk)
    job_lock(job=job, user=alice)  # alice takes it; bob's copy still says unlocked

    with pytest.raises(LockError, match="was just locked by alice"):
        job_lock(job=stale, user=bob)


def test_batch_unlock_releases_what_the_user_may_and_names_the_rest(hard_workspace, alice, bob):
    mine = [
        job_create(workspace=hard_workspace, user=alice, document=job_document(f"a{i}")) for i in range(2)
    ]
    theirs = job_create(workspace=hard_workspace, user=bob, document=job_document("b0"))
    free = job_create(workspace=hard_workspace, user=bob, document=job_document("free"))
    job_unlock(job=free, user=bob)

    result = jobs_unlock(workspace=hard_workspace, user=alice, job_ids=[j.pk for j in (*mine, theirs, free)])

    assert result.unlocked == 2
    assert result.refused == [{"id": theirs.pk, "name": "b0", "reason": "locked by bob"}]
    assert set(Job.objects.filter(lock_holder__isnull=True).values_list("name", flat=True)) == {
        "a0",
        "a1",
        "free",
    }


def test_batch_unlock_by_an_admin_releases_everything(hard_workspace, alice, bob, carol_admin):
    jobs = [
        job_create(workspace=hard_workspace, user=u, document=job_document(u.username)) for u in (alice, bob)
    ]
    result = jobs_unlock(workspace=hard_workspace, user=carol_admin, job_ids=[j.pk for j in jobs])
    assert (result.unlocked, result.refused) == (2, [])


def test_scripts_follow_the_same_rules(hard_workspace, alice, bob):
    script = script_create(workspace=hard_workspace, user=alice, document=script_document("s"))
    assert script.lock_holder == alice
    with pytest.raises(LockError, match="Script s is locked by alice"):
        script_lock(script=script, user=bob)
    with pytest.raises(LockError):
        script_save(script=script, user=bob, document=script_document("s"))
    result = scripts_unlock(workspace=hard_workspace, user=bob, script_ids=[script.pk])
    assert result.unlocked == 0 and result.refused[0]["name"] == "s"
    script_unlock(script=script, user=alice)
    script_lock(script=script, user=bob)
    script.refresh_from_db()
    assert script.lock_holder == bob
