"""Concurrency on PostgreSQL: requests racing each other on separate connections (threads), with a clear
winner and nothing lost or corrupted.

- two imports started at once in one workspace, and two waiting imports applied at once;
- an import overwriting a job while its lock holder saves it, in every order, under both lock policies;
- two users grabbing one lock at once, under both lock policies;
- a save, or an import, that waited for a job's row lock while another request changed the job.

tests/api/test_imports_live.py races ``import_create`` itself; here the console API is raced, and the
loser is checked to name the winner and to leave nothing behind.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client

from factory.development.models import Job, JobVersion, VersionKind
from factory.development.services import job_create
from factory.transfer.imports import ImportChoices, import_apply, import_apply_request, import_report
from factory.transfer.imports import start as import_services
from factory.transfer.models import SystemTask, TaskStatus
from tests.builders import client_for, package_bytes, package_job
from tests.harness import require_postgresql
from tests.resilience.helpers import JSON, wait_for, world_build
from tests.transfer.importing import start

ROUNDS = 5


@pytest.fixture
def racing(transactional_db: None, monkeypatch: pytest.MonkeyPatch, settings: Any) -> list[tuple[str, int]]:
    """Committed data, PostgreSQL, and no worker: what would be enqueued is recorded instead."""
    require_postgresql("racing requests")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    enqueued: list[tuple[str, int]] = []
    monkeypatch.setattr(import_services, "_enqueue", lambda name, task_id: enqueued.append((name, task_id)))
    return enqueued


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run ``calls`` in threads released together; their results (or exceptions), in order. Each thread
    has its own database connection, closed at its end."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def _waiting_on_locks() -> int:
    """How many other connections of this database wait for a lock right now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


# --- imports racing for one workspace ----------------------------------------------------------------


def _uploaded_packages() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "imports"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_two_imports_started_at_once_through_the_api_one_is_accepted_and_the_other_names_it(racing):
    world = world_build()
    clients = {"dev": client_for(world.target.dev), "bob": client_for(world.target.bob)}
    data = package_bytes(jobs=[package_job("raced")])
    url = f"{world.base}/imports/"
    already = len(_uploaded_packages())

    for round_ in range(ROUNDS):
        responses = race(
            *(
                lambda c=client, n=name: c.post(url, {"file": SimpleUploadedFile(f"{n}.zip", data)})
                for name, client in clients.items()
            )
        )
        codes = sorted(r.status_code for r in responses)
        assert codes == [202, 409], (round_, [r.content[:200] for r in responses])
        winner = next(r for r in responses if r.status_code == 202).json()["task"]
        loser = next(r for r in responses if r.status_code == 409).json()
        assert loser["code"] == "import_running"
        assert loser["extra"]["fields"]["runningTask"] == winner["id"]
        assert f"Import {winner['id']} (" in loser["message"] and "started by" in loser["message"]
        # The loser's upload (saved before the check) is gone; the winner's stays for its worker.
        assert len(_uploaded_packages()) == already + round_ + 1
        assert SystemTask.objects.filter(workspace=world.workspace, status=TaskStatus.PENDING).count() == 1
        SystemTask.objects.filter(status=TaskStatus.PENDING).update(status=TaskStatus.FAILED)
    assert [name for name, _ in racing] == ["import_inspect"] * ROUNDS


def test_two_waiting_imports_applied_at_once_one_goes_and_the_other_waits_on(racing):
    world = world_build()
    target = world.target
    first = start(world.workspace, target.dev, package_bytes(jobs=[package_job("one")]))
    second = start(world.workspace, target.bob, package_bytes(jobs=[package_job("two")]))
    assert (first.status, second.status) == ("WAITING", "WAITING")  # waiting imports block nobody
    dev, bob = client_for(target.dev), client_for(target.bob)

    responses = race(
        lambda: dev.post(f"{world.task_url(first.public_id)}apply/", {}, JSON),
        lambda: bob.post(f"{world.task_url(second.public_id)}apply/", {}, JSON),
    )

    assert sorted(r.status_code for r in responses) == [202, 409], [r.content[:200] for r in responses]
    winner, loser = (first, second) if responses[0].status_code == 202 else (second, first)
    body = next(r for r in responses if r.status_code == 409).json()
    assert body["code"] == "import_running"
    assert body["extra"]["fields"]["runningTask"] == winner.public_id
    loser.refresh_from_db()
    assert (loser.status, loser.step) == ("WAITING", "inspected")  # its user may press Next again later
    assert [call for call in racing if call[0] == "import_apply"] == [("import_apply", winner.pk)]


# --- an import overwriting a job while its lock holder saves it --------------------------------------


def _doc(marker: str) -> dict[str, Any]:
    return package_job("contested", params=[{"name": "marker", "value": marker}])


def _marker(document: dict[str, Any]) -> str:
    return document["params"][0]["value"]


ORDERS = [
    "save-then-import",
    "import-then-save",
    "queued-together-save-first",
    "queued-together-import-first",
]


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("policy", ["soft", "hard"])
def test_an_import_overwriting_a_job_while_its_lock_holder_saves_it(racing, policy, order):
    world = world_build(lock_policy=policy)
    dev, bob = world.target.dev, world.target.bob
    contested = job_create(workspace=world.workspace, user=bob, document=_doc("original"))  # bob's lock
    url = f"{world.base}/jobs/{contested.pk}/"
    editor = client_for(bob)
    etag = editor.get(url)["ETag"]  # bob opened the job
    revision, versions = contested.revision, JobVersion.objects.filter(job=contested).count()
    task = start(world.workspace, dev, package_bytes(jobs=[_doc("imported")]))
    import_apply_request(task=task, user=dev, choices=ImportChoices(), enqueue=False)

    def save() -> Any:
        body = json.dumps({"document": _doc("saved"), "newVersion": True})
        return editor.put(url, body, content_type=JSON, HTTP_IF_MATCH=etag)

    def apply() -> None:
        import_apply(task_id=task.pk)

    saved = _run_in_order(order, save=save, apply=apply)

    task.refresh_from_db()
    contested.refresh_from_db()
    new_versions = JobVersion.objects.filter(job=contested).order_by("pk")[versions:]
    save_landed = saved.status_code == 200
    if policy == "hard":
        # Bob's hard lock holds whatever the order: the import fails naming him, the save lands.
        assert task.status == "FAILED"
        assert "Cannot overwrite job contested: locked by bob." in task.message
        assert save_landed, saved.content
        assert (_marker(contested.document), contested.lock_holder) == ("saved", bob)
        assert [(v.kind, _marker(v.document)) for v in new_versions] == [(VersionKind.SAVED, "saved")]
        assert contested.revision == revision + 1
        return
    # Soft: the import takes the lock and overwrites, whatever the order; the save lands only if it came
    # first, and then it is in the history (nothing lost); if it came second, it is refused.
    assert task.status == "SUCCESSFUL", task.message
    assert (_marker(contested.document), contested.lock_holder) == ("imported", dev)
    save_first = order in ("save-then-import", "queued-together-save-first")
    assert save_landed == save_first, saved.content
    expected = [(VersionKind.SAVED, "saved")] if save_first else []
    expected.append((VersionKind.SUBMITTED, "imported"))
    assert [(v.kind, _marker(v.document)) for v in new_versions] == expected
    assert contested.revision == revision + len(expected)
    assert contested.submitted_revision == contested.revision
    if not save_landed:
        assert (saved.status_code, saved.json()["code"]) == (409, "locked")
        assert "is locked by" in saved.json()["message"]
        # Bob takes the (soft) lock back: his editor's stale state still cannot overwrite the import.
        assert editor.post(f"{url}lock/").status_code == 200
        stale = save()
        assert (stale.status_code, stale.json()["code"]) == (412, "stale"), stale.content
        contested.refresh_from_db()
        assert _marker(contested.document) == "imported"


def _run_in_order(order: str, *, save: Callable[[], Any], apply: Callable[[], None]) -> Any:
    """Run the save and the import's apply in ``order``; the save's response."""
    if order == "save-then-import":
        saved = save()
        apply()
        return saved
    if order == "import-then-save":
        apply()
        return save()
    job_pk = Job.objects.get(name="contested").pk
    if order == "queued-together-save-first":
        return queued_behind_row_lock(Job, job_pk, save, apply)[0]
    return queued_behind_row_lock(Job, job_pk, apply, save)[1]


def queued_behind_row_lock(model: type, pk: int, *calls: Callable[[], Any]) -> list[Any]:
    """Run ``calls`` in threads that all wait for the row lock of ``model`` ``pk``, held by another
    connection, queued in the order given; then release it. Their results (or exceptions), in order."""
    held, release = threading.Event(), threading.Event()
    results: list[Any] = [None] * (len(calls) + 1)

    def hold() -> None:
        with transaction.atomic():
            model.objects.select_for_update().get(pk=pk)
            held.set()
            release.wait(30)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(len(calls), hold))]
    threads[0].start()
    assert held.wait(10)
    for index, call in enumerate(calls):
        threads.append(threading.Thread(target=run, args=(index, call)))
        threads[-1].start()
        wait_for(
            f"{index + 1} connection(s) queued on the row lock", lambda n=index + 1: _waiting_on_locks() >= n
        )
    release.set()
    for thread in threads:
        thread.join(30)
    return results[:-1]


# --- two users grabbing one lock ---------------------------------------------------------------------


@pytest.mark.parametrize("policy", ["soft", "hard"])
def test_two_users_grabbing_one_lock_at_once(racing, policy):
    world = world_build(lock_policy=policy)
    target = world.target
    contested = job_create(workspace=world.workspace, user=target.admin, document=package_job("contested"))
    url = f"{world.base}/jobs/{contested.pk}/lock/"
    clients: dict[str, Client] = {"dev": client_for(target.dev), "bob": client_for(target.bob)}

    for round_ in range(ROUNDS * 2):
        # Hard: the lock is free (held, nobody but an admin could take it). Soft: held by the admin.
        holder = None if policy == "hard" else target.admin
        Job.objects.filter(pk=contested.pk).update(lock_holder=holder)
        responses = dict(
            zip(clients, race(*(lambda c=c: c.post(url) for c in clients.values())), strict=True)
        )

        won = sorted(name for name, r in responses.items() if r.status_code == 200)
        contested.refresh_from_db()
        for name, response in responses.items():
            other = "bob" if name == "dev" else "dev"
            if response.status_code == 200:
                assert response.json()["lockHolder"] == name
            else:
                assert (response.status_code, response.json()["code"]) == (409, "locked"), response.content
                assert other in response.json()["message"]  # the refusal names who has it
        assert contested.lock_holder is not None and contested.locked_at is not None
        assert contested.lock_holder.username in won, (round_, won)
        if policy == "hard":
            assert len(won) == 1, (round_, {n: r.content[:200] for n, r in responses.items()})


# --- a row re-read after waiting for its lock --------------------------------------------------------

# SELECT ... FOR UPDATE OF self with select_related (LEFT OUTER JOINs): a statement that waited for the
# row lock gets the updated row re-checked by PostgreSQL against the joined rows it had already fetched
# (EvalPlanQual), so a foreign key changed meanwhile came back as a None related object. The services lock
# without joins, then re-read the row with them; these tests keep it so.


def test_a_save_queued_behind_a_move_keeps_the_job_where_it_was_moved(racing):
    from factory.development.services import directory_create

    world = world_build()
    bob = world.target.bob
    contested = job_create(
        workspace=world.workspace, user=bob, document=package_job("contested", directory="/a")
    )
    directory_create(workspace=world.workspace, user=bob, category="job", path="/b")
    url = f"{world.base}/jobs/{contested.pk}/"
    editor = client_for(bob)
    etag = editor.get(url)["ETag"]

    moved, saved = queued_behind_row_lock(
        Job,
        contested.pk,
        lambda: editor.post(f"{url}move/", {"directory": "/b"}, JSON),
        lambda: editor.put(
            url, json.dumps({"document": _doc("saved")}), content_type=JSON, HTTP_IF_MATCH=etag
        ),
    )

    assert (moved.status_code, saved.status_code) == (200, 200)  # a move is no change of the definition
    contested.refresh_from_db()
    assert _marker(contested.document) == "saved"
    assert (contested.directory.path if contested.directory else "/", contested.document["directory"]) == (
        "/b",
        "/b",
    )


def test_an_import_queued_behind_a_lock_changing_hands_overwrites_and_names_the_new_holder(racing):
    world = world_build()
    target = world.target
    contested = job_create(workspace=world.workspace, user=target.bob, document=_doc("original"))
    task = start(world.workspace, target.dev, package_bytes(jobs=[_doc("imported")]))
    import_apply_request(task=task, user=target.dev, choices=ImportChoices(), enqueue=False)
    admin = client_for(target.admin)

    grabbed, _ = queued_behind_row_lock(
        Job,
        contested.pk,
        lambda: admin.post(f"{world.base}/jobs/{contested.pk}/lock/"),
        lambda: import_apply(task_id=task.pk),
    )

    assert grabbed.status_code == 200
    task.refresh_from_db()
    contested.refresh_from_db()
    assert task.status == "SUCCESSFUL", task.message
    assert "The lock was taken from ada." in import_report(task)["overwritten"][0]["message"]
    assert (_marker(contested.document), contested.lock_holder) == ("imported", target.dev)


def test_an_import_run_in_process_queues_nothing_for_a_worker(racing):
    """``manage.py import_jobs`` inspects inline: a queued inspection too would be claimed by a worker as a
    redelivery of the RUNNING row and run a second time, concurrently."""
    world = world_build()
    task = start(world.workspace, world.target.dev, package_bytes(jobs=[package_job("inline")]))
    assert task.status == "WAITING"
    assert racing == []
