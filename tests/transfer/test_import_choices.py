"""Import choices an environment profile (or the wizard started from one) adds, at the import's level:
``releaseLocks`` with a rename, parameters written masked, a time zone as the only change."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from factory.api.transfer.imports import import_choices_of
from factory.connections.services import connection_create
from factory.crypto import secrets_decrypt
from factory.development.models import Job
from factory.transfer.imports import import_apply, import_apply_request, import_preview_request
from factory.transfer.imports.preview import import_preview
from factory.transfer.models import ImportChange, SubTask, SystemTask
from tests.builders import package_bytes, package_dws_job, package_script
from tests.transfer.importing import apply, start

pytestmark = pytest.mark.django_db
DWS2 = [{"kind": "connection", "name": "doctest", "replace": "dws2"}]
CRON = {
    "type": "CRON",
    "cron": {
        "startTime": "2026-01-01T02:00:00+08",
        "expression": "0 0 2 * * ?",
        "expressionTimeZone": "GMT+08:00",
    },
}


def package(**job: object) -> bytes:
    document = package_dws_job("doc1", connection="doctest", script="dws_script", **job)
    return package_bytes(jobs=[document], scripts=[package_script("dws_script", "doctest")])


def changes_of(task: SystemTask) -> dict[tuple[str, str], ImportChange]:
    return {(row.object_type, row.name): row for row in ImportChange.objects.filter(task=task)}


def test_release_locks_releases_what_a_rename_created_beside_an_object_the_importer_holds(target, media):
    apply(start(target.workspace, target.dev, package()), target.dev, mapping=DWS2)
    held = Job.objects.get(workspace=target.workspace, name="doc1")
    assert held.lock_holder == target.dev  # the first import left dev holding it

    task = apply(
        start(target.workspace, target.dev, package(description="two")),
        target.dev,
        mapping=DWS2,
        policy="rename",
        releaseLocks=True,
    )

    copy = Job.objects.get(workspace=target.workspace, name="doc1_copy")
    assert copy.lock_holder is None
    row = SubTask.objects.get(task=task, object_type="job", object_name="doc1")
    assert row.outcome == "renamed" and row.detail.get("lockReleased") is True
    held.refresh_from_db()
    assert held.lock_holder == target.dev  # the lock dev held before stays


def test_a_parameter_given_masked_is_named_in_maskedparams_and_kept_encrypted(target, media):
    data = package(params=[{"name": "region", "value": "dev", "type": "variable"}])
    task = start(target.workspace, target.dev, data)
    choices = replace(
        import_choices_of({"mapping": DWS2, "publicParams": {"region": "Hidden-Region-77"}}),
        masked_public_params=frozenset({"region", "absent"}),
    )
    import_preview_request(task=task, user=target.dev, choices=choices, enqueue=False)
    import_preview(task_id=task.pk)
    task.refresh_from_db()

    row = changes_of(task)[("job", "doc1")]
    assert row.after["maskedParams"] == ["region"]
    assert "Hidden-Region-77" not in json.dumps([row.after, row.diff, task.params])
    assert task.params["choices"]["maskedPublicParams"] == ["region"]  # of the parameters given only

    import_apply_request(task=task, user=target.dev, choices=choices, enqueue=False)
    import_apply(task_id=task.pk)
    job = Job.objects.get(workspace=target.workspace, name="doc1")
    assert job.document["maskedParams"] == ["region"]
    assert {p["name"]: p["value"] for p in job.document["params"]}["region"] == ""
    assert secrets_decrypt(ciphertext=job.secrets_encrypted)["param:region"] == "Hidden-Region-77"


def test_a_time_zone_alone_is_a_change(target, media):
    # The package's connection exists: no parameter, rule or map, the job's document to write is the
    # package's text but for its time zone.
    connection_create(workspace=target.workspace, user=target.admin, name="doctest", type="DWS")
    apply(start(target.workspace, target.dev, package(schedule=CRON)), target.dev)
    task = start(target.workspace, target.dev, package(schedule=CRON))
    import_preview_request(
        task=task,
        user=target.dev,
        choices=import_choices_of({"expressionTimeZone": "Europe/Paris"}),
        enqueue=False,
    )
    import_preview(task_id=task.pk)
    task.refresh_from_db()

    assert changes_of(task)[("job", "doc1")].change == "changed"
    assert changes_of(task)[("script", "dws_script")].change == "unchanged"
