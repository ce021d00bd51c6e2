"""What the resilience tests share: a target workspace, big packages, the wizard through the console API,
and the counts that say "all or nothing"."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.test import Client

from factory.development.models import Job, JobVersion
from factory.transfer.models import SystemTask
from tests.builders import client_for, node, package_bytes, package_job
from tests.transfer.importing import Target, target_build

JSON = "application/json"
TERMINAL = ("SUCCESSFUL", "FAILED")
BULK_PREFIX = "bulk_"


def bulk_package(count: int, *, prefix: str = BULK_PREFIX) -> bytes:
    """A batch package of ``count`` jobs in 20 directories, each a small DAG with a parameter."""
    jobs = [
        package_job(
            f"{prefix}{i:04d}",
            nodes=[node("start", "Dummy"), node("end", "Dummy", preNodeName=["start"])],
            directory=f"/bulk/d{i % 20}",
            params=[{"name": "day", "value": "${yesterday}"}],
        )
        for i in range(count)
    ]
    return package_bytes(jobs=jobs, layout="batch")


@dataclass
class World:
    target: Target
    client: Client  # logged in as target.dev, who imports

    @property
    def workspace(self) -> Any:
        return self.target.workspace

    @property
    def base(self) -> str:
        return f"/api/workspaces/{self.workspace.pk}"

    def task_url(self, public_id: str) -> str:
        return f"{self.base}/imports/{public_id}/"

    def start(self, data: bytes, name: str = "bulk.zip", **fields: Any) -> str:
        """Step 1 through the console API; the task's public id."""
        response = self.client.post(
            f"{self.base}/imports/", {"file": SimpleUploadedFile(name, data), **fields}
        )
        assert response.status_code == 202, response.content
        return response.json()["task"]["id"]

    def start_obs(self, obs_path: str, **fields: Any) -> str:
        response = self.client.post(f"{self.base}/imports/", {"obsPath": obs_path, **fields}, JSON)
        assert response.status_code == 202, response.content
        return response.json()["task"]["id"]

    def apply(self, public_id: str, choices: dict[str, Any] | None = None) -> None:
        response = self.client.post(f"{self.task_url(public_id)}apply/", choices or {}, JSON)
        assert response.status_code == 202, response.content

    def poll(self, public_id: str, until: tuple[str, ...] = TERMINAL, timeout: float = 60.0) -> dict:
        return poll(self.client, self.task_url(public_id), until, timeout)

    def import_through(
        self,
        data: bytes,
        name: str = "bulk.zip",
        timeout: float = 60.0,
        choices: dict[str, Any] | None = None,
    ) -> dict:
        """The whole wizard: upload, wait for the inspection, apply with the defaults (or ``choices``),
        wait for the end."""
        public_id = self.start(data, name)
        inspected = self.poll(public_id, ("WAITING", *TERMINAL), timeout)
        assert inspected["status"] == "WAITING", inspected["message"]
        self.apply(public_id, choices)
        return self.poll(public_id, TERMINAL, timeout)

    def jobs(self, prefix: str = BULK_PREFIX) -> int:
        return Job.objects.filter(workspace=self.workspace, name__startswith=prefix).count()

    def versions(self, prefix: str = BULK_PREFIX) -> int:
        return JobVersion.objects.filter(job__workspace=self.workspace, job__name__startswith=prefix).count()

    def locked_by_dev(self, prefix: str = BULK_PREFIX) -> int:
        return Job.objects.filter(
            workspace=self.workspace, name__startswith=prefix, lock_holder=self.target.dev
        ).count()


def world_build(prefix: str = "", **workspace: Any) -> World:
    target = target_build(prefix, **workspace)
    return World(target=target, client=client_for(target.dev))


def poll(client: Client, url: str, until: tuple[str, ...], timeout: float = 60.0) -> dict:
    """GET the task until its status is one of ``until``, as the browser polls it (each read runs the
    stale-task safety net)."""
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(url).json()
        if body["status"] in until:
            return body
        if time.monotonic() > deadline:
            pytest.fail(
                f"task still {body['status']}/{body.get('step')} after {timeout:.0f}s: {body.get('message')}"
            )
        time.sleep(0.1)


def wait_for(what: str, condition: Callable[[], Any], timeout: float = 30.0, every: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)
    return value


def row_locked_by_another(model: type, pk: int) -> bool:
    """Whether another transaction holds a row lock on ``model`` row ``pk`` (FOR UPDATE NOWAIT fails)."""
    try:
        with transaction.atomic():
            model.objects.select_for_update(nowait=True).filter(pk=pk).exists()
    except DatabaseError:
        return True
    return False


def wait_mid_apply(world: World, public_id: str, timeout: float = 30.0) -> dict:
    """Wait until the apply is in the middle of its one transaction, as the wizard sees it: RUNNING at
    step apply, its live progress saying some objects are written, at most half of them. Without live
    progress (a cache that is down), until the apply's transaction locks the task row, plus half a second.
    """

    def mid() -> dict | None:
        body = world.client.get(world.task_url(public_id)).json()
        if body["status"] in TERMINAL:
            pytest.fail(f"the import ended before it could be interrupted: {body['message']}")
        if body["status"] != "RUNNING" or body.get("step") != "apply":
            return None
        live = body.get("live") or {}
        if live.get("total"):
            done, total = live.get("done", 0), live["total"]
            if done > total // 2:
                pytest.fail(f"the apply was {done}/{total} done when first seen: too fast to interrupt")
            return body if done > 0 else None
        task = SystemTask.objects.get(public_id=public_id)
        if row_locked_by_another(SystemTask, task.pk):
            time.sleep(0.5)
            return body
        return None

    return wait_for("the apply's transaction to be half done", mid, timeout, every=0.02)
