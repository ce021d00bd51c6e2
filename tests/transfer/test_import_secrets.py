"""Imports and job secrets: an overwrite keeps the target job's stored secrets (a package carries them
empty); parameter values typed in at step 2 (masked ones among them) travel only encrypted, never in the
task row's params, the task's answer or a Celery message, and a masked one ends as the job's secret."""

from __future__ import annotations

import json
from typing import Any

import pytest

from factory.api.transfer.imports import ImportTaskSerializer, import_choices_of
from factory.crypto import secrets_decrypt
from factory.dataarts.services import (
    v1_import_choices,
    v1_import_start,
)
from factory.development.models import Job, JobVersion
from factory.development.services import job_create
from factory.transfer import tasks as transfer_tasks
from factory.transfer.exports import ExportRequest, export_collect, export_select, export_stream
from factory.transfer.imports import (
    ImportChoices,
    import_apply,
    import_apply_request,
    import_apply_stored,
    import_choices_store,
    import_create,
    import_inspect,
)
from factory.transfer.imports.choices import import_secrets_unpack
from factory.transfer.models import SystemTask, TaskStatus
from tests.builders import dataarts_batch_package, node, package_bytes, package_job
from tests.transfer.exporting import assert_no_secret
from tests.transfer.importing import apply, start

pytestmark = pytest.mark.django_db

REST_PASSWORD = "Zq-target-rest-password"
MASKED = "Zq-target-masked-token"
TYPED = "Zq-typed-at-import-9f1"
V1_TYPED = "Zq-v1-typed-at-import-77"


def secret_job(name: str, *, password: str = REST_PASSWORD, token: str = MASKED) -> dict[str, Any]:
    rest = node("call", "RESTAPI", {"url": "https://example.test", "authPassword": password})
    return package_job(
        name,
        [rest],
        params=[{"name": "tok", "value": token, "masked": True}, {"name": "day", "value": "1"}],
    )


def secrets_of(job_row: Job) -> dict[str, Any]:
    job_row.refresh_from_db()
    return secrets_decrypt(ciphertext=job_row.secrets_encrypted)


def _export(workspace, user, name: str) -> bytes:
    selection = export_select(
        workspace=workspace,
        request=ExportRequest(category="job", job_names=(name,), scope="with_dependencies"),
    )
    return b"".join(
        export_stream(selection=selection, contents=export_collect(selection=selection), user=user)
    )


def test_overwrite_keeps_the_targets_stored_secrets(target, media):
    existing = job_create(workspace=target.workspace, user=target.dev, document=secret_job("sec"))
    package = _export(target.workspace, target.dev, "sec")
    assert_no_secret(package, [REST_PASSWORD, MASKED])

    task = apply(start(target.workspace, target.dev, package), target.dev, policy="overwrite")

    assert task.status == TaskStatus.SUCCESSFUL, task.message
    assert secrets_of(existing) == {"node:call:authPassword": REST_PASSWORD, "param:tok": MASKED}
    assert Job.objects.get(pk=existing.pk).secret_fields == ["node:call:authPassword", "param:tok"]


def test_overwrite_with_a_typed_in_masked_value_replaces_only_that_secret(target, media):
    existing = job_create(workspace=target.workspace, user=target.dev, document=secret_job("sec"))
    package = _export(target.workspace, target.dev, "sec")

    task = apply(
        start(target.workspace, target.dev, package),
        target.dev,
        policy="overwrite",
        jobParams={"sec": {"tok": TYPED, "day": "2"}},
    )

    assert task.status == TaskStatus.SUCCESSFUL, task.message
    assert secrets_of(existing) == {"node:call:authPassword": REST_PASSWORD, "param:tok": TYPED}
    document = Job.objects.get(pk=existing.pk).document
    assert {p["name"]: p["value"] for p in document["params"]} == {"tok": "", "day": "2"}


def test_typed_in_masked_values_travel_encrypted_and_end_as_secrets(target, media):
    data = package_bytes(jobs=[secret_job("imported", password="", token="")])
    task = start(target.workspace, target.dev, data)
    masked = next(p for p in task.result["inspection"]["jobs"][0]["params"] if p["name"] == "tok")
    assert masked["masked"] is True

    import_apply_request(
        task=task,
        user=target.dev,
        choices=import_choices_of({"publicParams": {"day": "5"}, "jobParams": {"imported": {"tok": TYPED}}}),
        enqueue=False,
    )

    row = SystemTask.objects.get(pk=task.pk)
    shown = json.dumps(ImportTaskSerializer(row).data, default=str)
    for text in (json.dumps(row.params), json.dumps(row.result), shown, row.secrets_encrypted):
        assert TYPED not in text
    assert row.params["choices"]["jobParams"] == {"imported": ["tok"]}
    assert row.params["choices"]["publicParams"] == ["day"]
    stored = import_secrets_unpack(ciphertext=row.secrets_encrypted)
    assert (stored.job_params, stored.public_params) == ({"imported": {"tok": TYPED}}, {"day": "5"})

    import_apply(task_id=task.pk)

    row.refresh_from_db()
    assert row.status == TaskStatus.SUCCESSFUL, row.message
    assert row.secrets_encrypted == ""  # cleared after the apply
    imported = Job.objects.get(name="imported")
    assert secrets_of(imported) == {"param:tok": TYPED}
    assert {p["name"]: p["value"] for p in imported.document["params"]} == {"tok": "", "day": "5"}
    versions = json.dumps(list(JobVersion.objects.filter(job=imported).values_list("document", flat=True)))
    assert TYPED not in versions
    assert TYPED not in json.dumps(row.result)


def test_a_masked_value_a_package_carries_never_reaches_the_task_row(target, media):
    # Not an export of ours (which empties masked values): a package written by hand.
    data = dataarts_batch_package(jobs=[secret_job("carried", password="", token=TYPED)], scripts_by_job={})
    task = start(target.workspace, target.dev, data)
    assert TYPED not in json.dumps(task.result)
    task = apply(task, target.dev)
    assert task.status == TaskStatus.SUCCESSFUL, task.message
    assert TYPED not in json.dumps(SystemTask.objects.filter(pk=task.pk).values().get(), default=str)
    assert secrets_of(Job.objects.get(name="carried")) == {"param:tok": TYPED}


# --- the v1 API's import ------------------------------------------------------------------------------


def _v1_choices(**params: Any) -> ImportChoices:
    return v1_import_choices(
        same_name_policy="OVERWRITE",
        params={},
        jobs_param=[{"name": "imported", "params": params}],
        resources=[],
        target_status="SUBMITTED",
    )


def test_v1_import_enqueues_the_task_id_only(
    target, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.OBS_ENDPOINT, settings.OBS_ACCESS_KEY_ID, settings.OBS_SECRET_ACCESS_KEY = (
        "http://obs.invalid",
        "a",
        "s",
    )
    monkeypatch.setattr("factory.dataarts.services.transfer.obs_exists", lambda path: True)
    sent: list[str] = []
    messages: list[list[Any]] = []

    def send_task(name: str, args: Any = None, kwargs: Any = None, **options: Any) -> None:
        # What reaches the broker: the first task, with the rest of its chain in the same message.
        sent.append(json.dumps([name, args, kwargs, options], default=str))
        messages.append([name, list(args or ()), kwargs or {}])
        for link in options.get("chain") or ():
            messages.append([link["task"], list(link["args"]), link["kwargs"]])

    monkeypatch.setattr(transfer_tasks.import_inspect.app, "send_task", send_task)

    with django_capture_on_commit_callbacks(execute=True):
        task = v1_import_start(
            workspace=target.workspace,
            user=target.dev,
            path="obs://bucket/jobs.zip",
            choices=_v1_choices(tok=V1_TYPED),
        )

    assert sorted(messages) == [
        ["transfer.import_apply_stored", [task.pk], {}],
        ["transfer.import_inspect", [task.pk], {}],
    ]
    row = SystemTask.objects.get(pk=task.pk)
    for text in (
        *sent,
        json.dumps(row.params),
        json.dumps(ImportTaskSerializer(row).data),
        row.secrets_encrypted,
    ):
        assert V1_TYPED not in text
    assert row.params["v1Choices"]["jobParams"] == {"imported": ["tok"]}
    assert import_secrets_unpack(ciphertext=row.secrets_encrypted).job_params == {
        "imported": {"tok": V1_TYPED}
    }


def test_the_chained_apply_applies_the_kept_values(target, media, tmp_path):
    path = tmp_path / "jobs.zip"
    path.write_bytes(package_bytes(jobs=[secret_job("imported", password="", token="")]))
    task = import_create(
        workspace=target.workspace, user=target.dev, policy="overwrite", file_path=path, enqueue=False
    )
    import_choices_store(task=task, choices=_v1_choices(tok=V1_TYPED, day="3"))
    import_inspect(task_id=task.pk)

    assert import_apply_stored(task_id=task.pk) is True

    row = SystemTask.objects.get(pk=task.pk)
    assert row.status == TaskStatus.SUCCESSFUL, row.message
    assert row.secrets_encrypted == ""
    assert V1_TYPED not in json.dumps(row.params) + json.dumps(row.result)
    imported = Job.objects.get(name="imported")
    assert secrets_of(imported) == {"param:tok": V1_TYPED}
    assert {p["name"]: p["value"] for p in imported.document["params"]} == {"tok": "", "day": "3"}
