"""Console API of the import wizard, through the client. The Celery tasks run in-process when the
request's transaction commits (the real worker is in ``test_imports_live.py``)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from factory.development.models import Job
from factory.transfer.imports import apply as imports_apply
from factory.transfer.imports import import_report
from factory.transfer.imports import inspect as imports_inspect
from factory.transfer.imports import start as import_services
from factory.transfer.models import SystemTask, TaskStatus
from tests.builders import (
    client_for,
    package_bytes,
    package_connection,
    package_dws_job,
    package_job,
    package_script,
    user_make,
)
from tests.hostile.packages import HOSTILE
from tests.transfer.exporting import CONN_PASSWORD
from tests.transfer.importing import files_under, media_root, target_build

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def media(settings, tmp_path):
    return media_root(settings, tmp_path)


@pytest.fixture
def ctx(db, media, settings, monkeypatch, django_capture_on_commit_callbacks):
    """Clients of the target's users; the import's Celery tasks run inline once a request commits."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # users are made per test
    services = {"import_inspect": imports_inspect.import_inspect, "import_apply": imports_apply.import_apply}
    monkeypatch.setattr(import_services, "_enqueue", lambda name, task_id: services[name](task_id=task_id))
    target = target_build()
    viewer = user_make("vic")
    from factory.workspaces.services import membership_set

    membership_set(workspace=target.workspace, user=viewer, role="viewer")

    class Ctx:
        base = f"/api/workspaces/{target.workspace.pk}/imports/"
        dev, bob, admin, vic = (client_for(u) for u in (target.dev, target.bob, target.admin, viewer))

        @staticmethod
        def call(method, *args, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return method(*args, **kwargs)

    Ctx.target = target
    return Ctx


def doc1() -> bytes:
    return package_bytes(
        jobs=[package_dws_job("doc1", script="dws_script")], scripts=[package_script("dws_script")]
    )


def upload(ctx, client=None, data: bytes | None = None, **fields):
    file = SimpleUploadedFile(
        "DLF_doc1.zip", doc1() if data is None else data, content_type="application/zip"
    )
    return ctx.call((client or ctx.dev).post, ctx.base, {"file": file, **fields})


def detail(ctx, task_id, client=None):
    return (client or ctx.dev).get(f"{ctx.base}{task_id}/")


def apply(ctx, task_id, body, client=None):
    return ctx.call((client or ctx.dev).post, f"{ctx.base}{task_id}/apply/", body, JSON)


# --- OBS ---------------------------------------------------------------------------------------------


def obs_base(ctx) -> str:
    return ctx.base.replace("/imports/", "/obs/")


def test_obs_status_says_why_it_is_unavailable(ctx, settings):
    settings.OBS_ENDPOINT = ""
    response = ctx.dev.get(f"{obs_base(ctx)}status/")
    assert response.status_code == 200
    assert response.json() == {
        "available": False,
        "reason": "OBS is not configured on this server; import from the local PC instead.",
        "allowList": ["*"],
    }


def test_obs_needs_a_logged_in_user(client, ctx):
    assert client.get(f"{obs_base(ctx)}status/").status_code == 403
    assert client.get(f"{obs_base(ctx)}browse/").status_code == 403


def test_obs_browse_without_obs_is_a_clear_error(ctx, settings):
    settings.OBS_ENDPOINT = ""
    response = ctx.dev.get(f"{obs_base(ctx)}browse/")
    assert response.status_code == 400 and response.json()["code"] == "obs_unavailable"


def test_an_invalid_obs_path_is_refused_at_once(ctx):
    response = ctx.call(ctx.dev.post, ctx.base, {"obsPath": "s3://bucket/x.zip"}, JSON)
    assert response.status_code == 400 and response.json()["code"] == "obs_path_invalid"
    response = ctx.call(ctx.dev.post, ctx.base, {"category": "job"}, JSON)
    assert response.status_code == 400 and response.json()["code"] == "source_required"
    assert not SystemTask.objects.exists()


# --- the wizard --------------------------------------------------------------------------------------


def test_the_wizard_upload_inspect_map_apply_report(ctx, media):
    started = upload(ctx)
    assert started.status_code == 202
    task_id = started.json()["task"]["id"]
    assert started.json()["task"]["source"] == {"type": "upload", "fileName": "DLF_doc1.zip"}

    polled = detail(ctx, task_id).json()
    assert polled["status"] == "WAITING" and polled["step"] == "inspected"
    group = polled["inspection"]["missing"][0]
    assert (group["label"], group["candidates"], group["references"][0]["name"]) == (
        "DWS data connection",
        ["dws2"],
        "doctest",
    )

    applied = apply(ctx, task_id, {"mapping": [{"kind": "connection", "name": "doctest", "replace": "dws2"}]})
    assert applied.status_code == 202
    done = detail(ctx, task_id).json()
    assert done["status"] == "SUCCESSFUL", done["message"]
    assert done["report"]["summary"]["created"] == 2
    assert {s["objectName"]: s["outcome"] for s in done["subtasks"]} == {
        "dws_script": "created",
        "doc1": "created",
    }
    assert "result" not in done
    assert files_under(media) == []

    report = ctx.dev.get(f"{ctx.base}{task_id}/report.json")
    assert report.status_code == 200
    assert report["Content-Disposition"] == f'attachment; filename="import-{task_id}-report.json"'
    body = json.loads(report.content)
    assert body["status"] == "SUCCESSFUL" and body["workspace"] == "tgt"
    assert {o["name"]: o["outcome"] for o in body["objects"]} == {"dws_script": "created", "doc1": "created"}
    assert Job.objects.get(name="doc1").lock_holder == ctx.target.dev


def test_apply_names_every_unmapped_reference(ctx):
    data = package_bytes(
        jobs=[
            package_dws_job("a", connection="c1"),
            package_job("b", [{**package_dws_job("x")["nodes"][0], "name": "n"}]),
        ]
    )
    task_id = upload(ctx, data=data).json()["task"]["id"]
    response = apply(ctx, task_id, {"policy": "skip"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_choices_invalid"
    assert body["extra"]["fields"]["mapping"] == [
        "DWS data connection c1 is missing: choose a replacement.",
        "DWS data connection doctest is missing: choose a replacement.",
    ]
    assert detail(ctx, task_id).json()["status"] == "WAITING"


def test_a_second_import_is_a_409_naming_the_running_one(ctx, monkeypatch):
    monkeypatch.setattr(import_services, "_enqueue", lambda name, task_id: None)  # the worker is busy
    first = upload(ctx).json()["task"]
    second = upload(ctx, client=ctx.bob)

    assert second.status_code == 409
    body = second.json()
    assert body["code"] == "import_running" and first["id"] in body["message"]
    assert body["extra"]["fields"]["runningTask"] == first["id"]


def test_viewers_cannot_import_and_others_do_not_see_your_import(ctx):
    assert upload(ctx, client=ctx.vic).status_code == 403
    task_id = upload(ctx).json()["task"]["id"]
    assert detail(ctx, task_id, client=ctx.bob).status_code == 404
    assert apply(ctx, task_id, {}, client=ctx.bob).status_code == 404
    assert detail(ctx, task_id, client=ctx.admin).status_code == 200


def test_secrets_never_come_back(ctx):
    data = package_bytes(
        jobs=[package_dws_job("doc1", connection="newconn")], connections=[package_connection("newconn")]
    )
    task_id = upload(ctx, data=data).json()["task"]["id"]
    body = {"createConnections": [{"name": "newconn", "secrets": {"password": CONN_PASSWORD}}]}
    responses = [
        apply(ctx, task_id, body),
        detail(ctx, task_id),
        ctx.dev.get(f"{ctx.base}{task_id}/report.json"),
    ]

    assert responses[1].json()["status"] == "SUCCESSFUL"
    for response in responses:
        assert CONN_PASSWORD.encode() not in response.content
    assert CONN_PASSWORD not in json.dumps(SystemTask.objects.values()[0], default=str)


def test_a_hostile_upload_fails_the_task_with_the_entry_and_rule(ctx, media):
    build, _, _ = HOSTILE["malformed_json"]
    task_id = upload(ctx, data=build()).json()["task"]["id"]

    body = detail(ctx, task_id).json()
    assert body["status"] == "FAILED"
    assert "jobs/broken.job: line 3, column 13: malformed JSON" in body["message"]
    assert body["error"]["entry"] == "jobs/broken.job" and body["error"]["line"] == 3
    assert files_under(media) == []


def test_cancel_ends_a_waiting_import_and_deletes_its_upload(ctx, media):
    task_id = upload(ctx).json()["task"]["id"]
    assert files_under(media)
    response = ctx.call(ctx.dev.post, f"{ctx.base}{task_id}/cancel/")

    assert response.status_code == 200 and response.json()["status"] == "FAILED"
    assert files_under(media) == []
    assert apply(ctx, task_id, {}).json()["code"] == "import_not_waiting"


def test_reading_a_stale_running_import_fails_it(ctx, settings, monkeypatch):
    monkeypatch.setattr(import_services, "_enqueue", lambda name, task_id: None)
    task_id = upload(ctx).json()["task"]["id"]
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1)
    SystemTask.objects.filter(public_id=task_id).update(status=TaskStatus.RUNNING, updated_at=long_ago)

    body = ctx.call(detail, ctx, task_id).json()
    assert body["status"] == "FAILED" and "worker stopped" in body["message"]
    assert upload(ctx, client=ctx.bob).status_code == 202


def test_the_report_before_the_end_is_a_409(ctx):
    task_id = upload(ctx).json()["task"]["id"]
    response = ctx.dev.get(f"{ctx.base}{task_id}/report.json")
    assert response.status_code == 409 and response.json()["code"] == "no_report"


def test_the_schema_documents_the_import_api(ctx):
    schema = ctx.dev.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert "/api/workspaces/{workspace_id}/imports/" in paths
    assert "/api/workspaces/{workspace_id}/imports/{task_id}/apply/" in paths
    assert "/api/workspaces/{workspace_id}/obs/browse/" in paths


# --- the broker down when a step is queued (the live test is tests/resilience/test_broker.py) -------


def _broker_down(name, task_id):
    from kombu.exceptions import OperationalError

    raise OperationalError("Error 111 connecting to localhost:6379. Connection refused.")


def test_a_step_that_cannot_be_queued_fails_or_waits_again_and_blocks_nobody(
    ctx, media, monkeypatch, django_capture_on_commit_callbacks
):
    from factory.errors import ServiceUnavailable

    monkeypatch.setattr(import_services, "_enqueue", lambda name, task_id: None)
    task_id = upload(ctx).json()["task"]["id"]
    task = SystemTask.objects.get(public_id=task_id)
    monkeypatch.setattr(import_services, "_enqueue", _broker_down)

    with pytest.raises(ServiceUnavailable) as caught, django_capture_on_commit_callbacks(execute=True):
        import_services._inspect_enqueue(task.pk)
    assert (caught.value.status, caught.value.code) == (503, "queue_unavailable")
    task.refresh_from_db()
    assert task.status == TaskStatus.FAILED and task.result["error"]["code"] == "queue_unavailable"
    assert files_under(media) == []  # the upload is deleted with it

    # At apply: the import waits for its choices again.
    SystemTask.objects.filter(pk=task.pk).update(status=TaskStatus.PENDING, step="apply", message="x")
    with pytest.raises(ServiceUnavailable):
        import_services._apply_enqueue(task.pk, "Waiting for your choices.")
    task.refresh_from_db()
    assert (task.status, task.step, task.message) == (
        TaskStatus.WAITING,
        "inspected",
        "Waiting for your choices.",
    )


# --- imports waiting for choices are capped ----------------------------------------------------------


def test_waiting_imports_are_capped_per_user_and_per_workspace(ctx, media, settings):
    """Each import waiting for choices keeps its package (up to 512 MiB) in storage for a day: five such
    uploads by one user were all kept. A user, and a workspace, may have only so many at once."""
    settings.IMPORT_MAX_WAITING_PER_USER = 2
    settings.IMPORT_MAX_WAITING_PER_WORKSPACE = 3
    first, second = (upload(ctx).json()["task"]["id"] for _ in range(2))
    assert {detail(ctx, t).json()["status"] for t in (first, second)} == {"WAITING"}
    stored = sorted(p.relative_to(media) for p in media.rglob("*") if p.is_file())

    refused = upload(ctx)
    assert refused.status_code == 409 and refused.json()["code"] == "too_many_waiting_imports"
    assert refused.json()["message"].startswith("You have 2 import(s) waiting for choices (at most 2)")
    assert refused.json()["extra"]["fields"] == {"waitingForYou": [first, second]}
    assert SystemTask.objects.filter(kind="import").count() == 2
    assert sorted(p.relative_to(media) for p in media.rglob("*") if p.is_file()) == stored  # nothing saved

    # Another member may still start one, until the workspace's own limit.
    assert upload(ctx, client=ctx.bob).status_code == 202
    by_admin = upload(ctx, client=ctx.admin)
    assert by_admin.status_code == 409
    assert by_admin.json()["message"].startswith(f"Workspace {ctx.target.workspace.name} has 3 import(s)")

    # Cancelling one frees a place.
    assert ctx.call(ctx.dev.post, f"{ctx.base}{first}/cancel/").status_code == 200
    assert upload(ctx).status_code == 202


def test_a_missing_script_left_unresolved_is_imported_and_its_node_flagged(ctx):
    """Issue 13: "leave unresolved" in the wizard's mapping; the report names the node for the canvas."""
    data = package_bytes(jobs=[package_dws_job("doc1", connection="dws2", script="gone_script")])
    task_id = upload(ctx, data=data).json()["task"]["id"]
    group = detail(ctx, task_id).json()["inspection"]["missing"][0]
    assert (group["kind"], group["canLeaveUnresolved"]) == ("script", True)
    assert group["references"][0]["scriptTypes"] == ["DWSSQL"]

    both = {"kind": "script", "name": "gone_script", "unresolved": True, "replace": "other"}
    wrong = apply(ctx, task_id, {"mapping": [both]})
    assert wrong.status_code == 400
    assert "either replaced or left unresolved" in wrong.json()["message"]

    body = {"mapping": [{"kind": "script", "name": "gone_script", "unresolved": True}]}
    assert apply(ctx, task_id, body).status_code == 202
    done = detail(ctx, task_id).json()
    assert done["status"] == "SUCCESSFUL", done["message"]
    assert done["report"]["unresolved"] == [
        {
            "job": "doc1",
            "node": "DWS_SQL_1",
            "kind": "script",
            "name": "gone_script",
            "property": "scriptName",
        }
    ]
    assert {"kind": "script", "name": "gone_script", "unresolved": True} in done["choices"]["mapping"]
    assert Job.objects.filter(name="doc1").exists()


# --- issue 14: the schema types the inspection, the report and the error -----------------------------


def _undeclared(value, node, components, where="") -> list[str]:
    """The keys of ``value`` that the OpenAPI ``node`` does not declare, at any depth."""
    while True:
        if "$ref" in node:
            node = components[node["$ref"].rsplit("/", 1)[-1]]
        elif "allOf" in node or "oneOf" in node:
            node = next(n for n in node.get("allOf") or node["oneOf"] if n.get("type") != "null")
        else:
            break
    if isinstance(value, list):
        return [
            p for i, v in enumerate(value) for p in _undeclared(v, node.get("items", {}), components, where)
        ]
    if not isinstance(value, dict):
        return []
    properties = node.get("properties")
    if properties is None:  # a map: its values are of additionalProperties, which must say what they are
        extra = node.get("additionalProperties")
        if not extra or not isinstance(extra, dict):
            return [f"{where}: free-form object"] if value else []
        return [p for k, v in value.items() for p in _undeclared(v, extra, components, f"{where}.{k}")]
    missing = [f"{where}.{k}" for k in value if k not in properties]
    return missing + [
        p
        for k, v in value.items()
        if k in properties
        for p in _undeclared(v, properties[k], components, f"{where}.{k}")
    ]


def test_the_schema_types_every_field_of_the_inspection_report_and_error(ctx):
    """The wizard's types are generated from these schemas: every key the answers hold is declared, and
    the answers are the stored data as it was (the serializers describe it, they do not reshape it)."""
    schema = ctx.dev.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]
    task_schema = components["ImportTask"]["properties"]
    report_file = schema["paths"]["/api/workspaces/{workspace_id}/imports/{task_id}/report.json"]["get"]
    file_schema = report_file["responses"]["200"]["content"]["application/json"]["schema"]

    data = package_bytes(
        jobs=[
            package_dws_job("doc1", connection="dws2", script="gone_script"),
            package_dws_job("doc2", script="dws_script"),
        ],
        scripts=[package_script("dws_script")],
        connections=[package_connection("doctest")],
    )
    task_id = upload(ctx, data=data).json()["task"]["id"]
    waiting = detail(ctx, task_id).json()
    row = SystemTask.objects.get(public_id=task_id)
    assert waiting["inspection"] == row.result["inspection"]
    assert waiting["inspection"]["jobs"] and waiting["inspection"]["missing"]
    assert _undeclared(waiting["inspection"], task_schema["inspection"], components) == []

    body = {
        "mapping": [
            {"kind": "script", "name": "gone_script", "unresolved": True},
            {"kind": "connection", "name": "doctest", "replace": "dws2"},
        ]
    }
    assert apply(ctx, task_id, body).status_code == 202
    done = detail(ctx, task_id).json()
    row.refresh_from_db()
    assert done["status"] == "SUCCESSFUL", done["message"]
    assert done["report"] == import_report(row) and done["report"]["unresolved"]
    assert _undeclared(done["report"], task_schema["report"], components) == []
    report = json.loads(ctx.dev.get(f"{ctx.base}{task_id}/report.json").content)
    assert report["objects"] == done["report"]["objects"]
    assert _undeclared(report, file_schema, components) == []

    build, _, _ = HOSTILE["malformed_json"]
    refused = detail(ctx, upload(ctx, data=build()).json()["task"]["id"]).json()
    assert refused["error"]["entry"] == "jobs/broken.job"
    assert _undeclared(refused["error"], task_schema["error"], components) == []
