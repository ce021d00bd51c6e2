"""A Celery worker killed in the middle of applying a large import: all or nothing, once, and never a task
RUNNING forever.

tests/api/test_imports_live.py kills the whole worker once and backdates the task; here each way of dying
is taken on its own, on a dedicated worker (conftest), with the real redelivery and the real safety net:

- a pool process killed (the OOM killer's favourite): the main process rejects the message
  (``reject_on_worker_lost``), the apply runs again at once from scratch, exactly once;
- the main process killed alone: its pool processes die with it (Celery sets PR_SET_PDEATHSIG), so no
  orphan commits; once a worker is back, the unacknowledged message returns after Redis's visibility
  timeout and the apply runs again from scratch, exactly once;
- the whole worker killed and not back in time: the reads' safety net fails the task, and the message that
  comes back later does not resurrect it.

After each, importing the same package again works.
"""

from __future__ import annotations

from factory.transfer.models import SystemTask
from tests.resilience.conftest import VISIBILITY_TIMEOUT
from tests.resilience.helpers import (
    TERMINAL,
    bulk_package,
    wait_for,
    wait_mid_apply,
    world_build,
)

JOBS = (
    3000  # about two seconds of apply (written in batches): killed when its live progress says under half way
)


def _applying(world, data: bytes) -> str:
    public_id = world.start(data)
    assert world.poll(public_id, ("WAITING", *TERMINAL))["status"] == "WAITING"
    world.apply(public_id)
    return public_id


def _assert_applied_once(world, count: int = JOBS) -> None:
    assert (world.jobs(), world.versions(), world.locked_by_dev()) == (count, count, count)


def _assert_rerun_overwrites_once(world, data: bytes) -> None:
    # The same package again, written again (the console skips unchanged objects by default).
    again = world.import_through(data, name="again.zip", choices={"skipUnchanged": False})
    assert again["status"] == "SUCCESSFUL", again["message"]
    assert again["report"]["summary"]["overwritten"] == JOBS
    assert (world.jobs(), world.versions()) == (JOBS, 2 * JOBS)


def test_a_pool_process_killed_mid_apply_is_retried_at_once_and_applies_exactly_once(rz):
    world = world_build()
    data = bulk_package(JOBS)
    public_id = _applying(world, data)
    (pid,) = wait_for("the pool process running the apply", rz.active_pids)
    wait_mid_apply(world, public_id)

    rz.kill_pool_child(pid)
    assert world.jobs() == 0

    done = world.poll(public_id, TERMINAL, timeout=60)
    assert done["status"] == "SUCCESSFUL", done["message"]
    assert done["report"]["summary"]["created"] == JOBS
    task = SystemTask.objects.get(public_id=public_id)
    assert task.attempts == 2, "the first attempt was not interrupted, or the retry did not happen"
    _assert_applied_once(world)
    assert "WorkerLostError" in rz.log_text()
    _assert_rerun_overwrites_once(world, data)


def test_the_main_process_killed_alone_takes_its_pool_with_it_and_the_message_comes_back(rz):
    world = world_build()
    public_id = _applying(world, bulk_package(JOBS))
    wait_mid_apply(world, public_id)
    since = rz.log_size()

    rz.kill_main()
    # Celery's pool processes die with their parent (PR_SET_PDEATHSIG): no orphan goes on to commit.
    wait_for("the orphaned pool processes to die", lambda: not rz.orphans(), timeout=5)
    task = SystemTask.objects.get(public_id=public_id)
    assert (task.status, world.jobs()) == ("RUNNING", 0)

    rz.start()
    # Nobody acknowledged the message: Redis hands it back after the visibility timeout, and the apply
    # runs again from scratch (the row says RUNNING: a redelivery).
    done = world.poll(public_id, TERMINAL, timeout=VISIBILITY_TIMEOUT + 30)
    assert done["status"] == "SUCCESSFUL", done["message"]
    task = SystemTask.objects.get(public_id=public_id)
    assert task.attempts == 2
    assert rz.task_events("transfer.import_apply", "received", since) == 1
    _assert_applied_once(world)


def test_a_worker_gone_for_good_is_failed_by_the_safety_net_and_its_late_message_is_harmless(rz, settings):
    world = world_build()
    data = bulk_package(JOBS)
    public_id = _applying(world, data)
    wait_mid_apply(world, public_id)
    since = rz.log_size()

    rz.kill_group()
    # No worker and no progress for longer than the time limit: the next read of the task fails it.
    settings.CELERY_TASK_TIME_LIMIT, settings.CELERY_TASK_SOFT_TIME_LIMIT = 2, 1
    body = world.poll(public_id, TERMINAL, timeout=10)
    assert body["status"] == "FAILED"
    assert "The worker stopped while running this import" in body["message"]
    assert "nothing was imported" in body["message"]
    assert body["error"]["code"] == "worker_lost"
    assert world.jobs() == 0

    # The worker comes back; so does the unacknowledged message, which must find nothing to do.
    settings.CELERY_TASK_TIME_LIMIT, settings.CELERY_TASK_SOFT_TIME_LIMIT = 60, 55
    rz.start()
    wait_for(
        "the redelivered apply to be handled",
        lambda: rz.task_events("transfer.import_apply", "succeeded", since),
        timeout=VISIBILITY_TIMEOUT + 20,
    )
    task = SystemTask.objects.get(public_id=public_id)
    assert (task.status, world.jobs(), world.versions()) == ("FAILED", 0, 0)

    # Starting again is not refused (the failed import blocks nobody) and imports everything once.
    again = world.import_through(data, name="again.zip")
    assert again["status"] == "SUCCESSFUL", again["message"]
    assert again["report"]["summary"]["created"] == JOBS
    _assert_applied_once(world)
