"""Redis, the broker, going away: under a running apply, with a message in it, and when a step is
enqueued.

A dedicated Redis (conftest) is killed outright (no persistence: everything it held is gone) and started
again on the same port; the rest of the suite's Redis and worker are untouched.
"""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from factory.transfer.models import SystemTask
from tests.resilience.helpers import (
    JSON,
    TERMINAL,
    bulk_package,
    wait_for,
    wait_mid_apply,
    world_build,
)

JOBS = 3000  # about two seconds of apply (written in batches): Redis goes while it is under half way


def _redis_blip_under_a_running_apply(world, rz_redis, count: int) -> str:
    public_id = world.start(bulk_package(count))
    assert world.poll(public_id, ("WAITING", *TERMINAL))["status"] == "WAITING"
    world.apply(public_id)
    wait_mid_apply(world, public_id)
    rz_redis.kill()
    time.sleep(1.0)
    rz_redis.start()
    return public_id


def test_an_idle_worker_reconnects_after_redis_restarted(rz, rz_redis):
    world = world_build()
    rz_redis.kill()
    time.sleep(1.0)
    rz_redis.start()
    wait_for("the worker to answer again", rz.ping, timeout=20, every=0.5)
    done = world.import_through(bulk_package(3), name="after.zip")
    assert done["status"] == "SUCCESSFUL", done["message"]


@pytest.mark.parametrize("step", ["upload", "apply"])
def test_redis_down_when_a_step_is_enqueued_answers_503_and_blocks_nobody(rz, rz_redis, step):
    world = world_build()
    data = bulk_package(5)
    client = Client(raise_request_exception=False)
    client.force_login(world.target.dev)
    public_id = ""
    if step == "apply":
        public_id = world.start(data)
        assert world.poll(public_id, ("WAITING", *TERMINAL))["status"] == "WAITING"

    rz_redis.kill()
    try:
        if step == "upload":
            response = client.post(f"{world.base}/imports/", {"file": SimpleUploadedFile("b.zip", data)})
        else:
            response = client.post(f"{world.task_url(public_id)}apply/", {}, JSON)
    finally:
        rz_redis.start()
    wait_for("the worker to answer again", rz.ping, timeout=20, every=0.5)

    # A clear answer in the API's envelope, and nothing left that blocks the workspace.
    assert response.status_code == 503, response.content[:200]
    assert response.json()["code"] == "queue_unavailable"
    if step == "upload":
        assert world.import_through(data)["status"] == "SUCCESSFUL"
    else:  # the user presses Next again
        world.apply(public_id)
        assert world.poll(public_id)["status"] == "SUCCESSFUL"
    assert world.jobs() == 5


def test_a_message_lost_with_redis_fails_the_import_by_the_safety_net_and_blocks_nobody(
    rz, rz_redis, settings, monkeypatch
):
    from factory.transfer import tasks
    from factory.transfer.imports import start as imports

    world = world_build()
    data = bulk_package(5)
    public_id = world.start(data)
    assert world.poll(public_id, ("WAITING", *TERMINAL))["status"] == "WAITING"

    def park(name: str, task_id: int) -> None:  # as if no worker had reached the message yet...
        with rz.app.connection_for_write() as connection:
            queue = f"{rz.queue}-parked"
            getattr(tasks, name).apply_async(args=(task_id,), connection=connection, queue=queue)

    with monkeypatch.context() as patch:
        patch.setattr(imports, "_enqueue", park)
        world.apply(public_id)
    rz_redis.kill()  # ...when Redis loses it
    rz_redis.start()
    wait_for("the worker to answer again", rz.ping, timeout=20, every=0.5)
    assert SystemTask.objects.get(public_id=public_id).status == "PENDING"

    # No worker picked it up within the time limit: the next read of the task fails it.
    settings.CELERY_TASK_TIME_LIMIT, settings.CELERY_TASK_SOFT_TIME_LIMIT = 2, 1
    body = world.poll(public_id, TERMINAL, timeout=10)
    assert body["status"] == "FAILED"
    assert "No worker picked this import up" in body["message"]
    assert "nothing was imported" in body["message"]
    assert body["error"]["code"] == "worker_missing"
    assert world.jobs() == 0

    settings.CELERY_TASK_TIME_LIMIT, settings.CELERY_TASK_SOFT_TIME_LIMIT = 60, 55
    again = world.import_through(data, name="again.zip")
    assert again["status"] == "SUCCESSFUL", again["message"]
    assert world.jobs() == 5


def test_redis_restarted_under_a_running_apply_leaves_the_import_whole_and_done_once(rz, rz_redis):
    world = world_build()
    public_id = _redis_blip_under_a_running_apply(world, rz_redis, JOBS)

    # The pool process needs no broker to finish its transaction: the import lands whole, once.
    done = world.poll(public_id, TERMINAL, timeout=40)
    assert done["status"] == "SUCCESSFUL", done["message"]
    assert SystemTask.objects.get(public_id=public_id).attempts == 1
    assert (world.jobs(), world.versions(), world.locked_by_dev()) == (JOBS, JOBS, JOBS)

    # (The worker itself does not survive this: see the xfail below. Start a new one if it is gone.)
    time.sleep(3.0)
    rz.start()
    after = world.import_through(bulk_package(3, prefix="after_"), name="after.zip")
    assert after["status"] == "SUCCESSFUL", after["message"]
    assert world.jobs("after_") == 3


@pytest.mark.xfail(
    strict=True,
    reason="BUG (kombu 5.7.0 with celery 5.7.0 / redis-py 8.1.0, pinned in requirements.txt): on losing "
    "the broker while a late-acknowledged task runs, Consumer.on_connection_error_after_connected closes "
    "the old connection, whose channel restores the unacked messages through a connection already "
    "collected: AttributeError in kombu.transport.redis.Channel._connparams ('NoneType' object has no "
    "attribute 'hostname'), 'Unrecoverable error', and the worker exits with status 1.",
)
def test_a_worker_survives_redis_restarting_under_a_running_task(rz, rz_redis):
    world = world_build()
    public_id = _redis_blip_under_a_running_apply(world, rz_redis, JOBS)
    assert world.poll(public_id, TERMINAL, timeout=40)["status"] == "SUCCESSFUL"
    time.sleep(3.0)  # a worker that is going down is gone by then
    assert rz.alive, f"the worker exited with status {rz.process.returncode}"
    wait_for("the worker to answer again", rz.ping, timeout=10, every=0.5)
