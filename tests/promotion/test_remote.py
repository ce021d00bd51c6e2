"""Promotion to a remote console, end to end: the second console of the test harness (another process on
another port, its own database and Celery worker, the session's SeaweedFS) reached over real HTTP with
AK/SK through Huawei's SDK; the change-set and the apply run in this console's Celery worker.

The profile remaps data connection dev_dws to prod_dws, rewrites the schema dev_dw to prod_dw (whole
words: dev_stage stays) and sets the public parameter region=prod. Each test promotes into a fresh
workspace of the second console."""

from __future__ import annotations

import hashlib
import json
import time
from io import StringIO

import pytest
from botocore.exceptions import ClientError
from django.core.management import call_command
from django.core.management.base import CommandError
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkdgc.v1.model import (
    CreateScriptRequest,
    ListResourcesRequest,
    ShowJobRequest,
    ShowScriptRequest,
)

from factory.development.models import Script
from factory.errors import PermissionDenied
from factory.promotion.models import Promotion, PromotionState
from factory.promotion.promote import (
    PromotionSelection,
    promotion_apply,
    promotion_approve,
    promotion_reject,
    promotion_start,
)
from factory.promotion.remote import remote_apply_run, remote_preview_run
from tests.builders import (
    external_object_make,
    job_document,
    job_make,
    node,
    profile_make,
    resource_make,
    script_document,
)
from tests.promotion.promoting import world_build

pytestmark = pytest.mark.django_db(transaction=True)

SETTLE_SECONDS = 120
SQL = "INSERT INTO dev_dw.orders SELECT * FROM dev_stage.orders;"
SQL_PROMOTED = "INSERT INTO prod_dw.orders SELECT * FROM dev_stage.orders;"


def _settled(promotion: Promotion) -> Promotion:
    """The promotion once its background step (change-set or apply) is over."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        promotion.refresh_from_db()
        if promotion.state not in (PromotionState.PREPARING, PromotionState.APPLYING):
            return promotion
        assert time.monotonic() < deadline, f"promotion still {promotion.state}: {promotion.message}"
        time.sleep(0.3)


def _target(console, remote_workspace: str, bucket: str, **keys):
    return {
        "kind": "remote",
        "endpoint": console.url,
        "projectId": console.project_id,
        "remoteWorkspaceId": remote_workspace,
        "obsFolder": f"obs://{bucket}/promotions/",
        "accessKey": keys.get("ak", console.ak),
        "secretKey": keys.get("sk", console.sk),
    }


@pytest.fixture
def remote(live_worker, second_console, staging_bucket):
    """The local world (dev with job daily_load on dev_dws) and a profile ``to_remote`` to a fresh
    workspace of the second console."""
    world = world_build()
    workspace = second_console.workspace_new()

    def profile(name="to_remote", **extra):
        return profile_make(
            workspace=world.dev,
            user=world.ada,
            name=name,
            target=_target(second_console, workspace, staging_bucket, **extra.pop("keys", {})),
            rewriteRules=[{"find": "dev_dw", "replace": "prod_dw"}],
            publicParams=[{"name": "region", "value": "prod"}],
            **extra,
        )

    return world, workspace, profile


def _promote(world, profile, user=None) -> Promotion:
    promotion = promotion_start(
        workspace=world.dev,
        user=user or world.dan,
        profile=profile,
        selection=PromotionSelection(job_ids=(world.job.pk,)),
        note="release 1",
    )
    assert promotion.state == PromotionState.PREPARING
    return _settled(promotion)


def _remote_job(console, workspace: str) -> dict:
    answer = console.client().show_job(ShowJobRequest(workspace=workspace, job_name="daily_load"))
    return json.loads(answer.raw_content)


def _assert_no_job(console, workspace: str) -> None:
    """The remote has no job daily_load (DataArts' answer for a job that does not exist)."""
    with pytest.raises(ClientRequestException) as missing:
        console.client().show_job(ShowJobRequest(workspace=workspace, job_name="daily_load"))
    assert (missing.value.status_code, missing.value.error_code) == (400, "DLF.0100")


def _remote_versions(console, workspace: str) -> int:
    out = console.python(
        "from factory.development.models import JobVersion, ScriptVersion\n"
        f"w = {workspace!r}\n"
        "print(JobVersion.objects.filter(job__workspace__public_id=w).count()"
        " + ScriptVersion.objects.filter(script__workspace__public_id=w).count())\n"
    )
    return int(out.strip().splitlines()[-1])


def test_a_job_lands_on_the_remote_and_promoting_again_writes_nothing(
    remote, second_console, s3, staging_bucket
):
    world, workspace, make_profile = remote
    profile = make_profile()

    promotion = _promote(world, profile)
    assert promotion.state == PromotionState.PREVIEWING, promotion.message
    assert promotion.changes == {"new": 2, "changed": 0, "unchanged": 0}
    assert {(r["type"], r["name"], r["change"]) for r in promotion.object_rows} == {
        ("job", "daily_load", "new"),
        ("script", "load_sql", "new"),
    }
    assert promotion.staged_path.startswith(f"obs://{staging_bucket}/promotions/promotion-{promotion.pk}-")
    assert len(promotion.package_sha256) == 64
    assert second_console.url in promotion.target_label
    key = promotion.staged_path.split("/", 3)[3]
    assert s3.head_object(Bucket=staging_bucket, Key=key)["ContentLength"] > 0

    applied = _settled(promotion_apply(promotion=promotion, user=world.dan))
    assert applied.state == PromotionState.SUCCEEDED, applied.message
    assert applied.counts["created"] == 2 and applied.counts["failed"] == 0
    assert applied.remote_task_id
    assert {r["status"] for r in applied.object_rows} == {"SUCCESSFUL"}

    job = _remote_job(second_console, workspace)
    properties = {p["name"]: p["value"] for p in job["nodes"][0]["properties"]}
    assert properties["connectionName"] == "prod_dws"  # the v1 import's replacement (resources)
    assert {p["name"]: p["value"] for p in job["params"]}["region"] == "prod"  # the v1 import's params
    script = second_console.client().show_script(
        ShowScriptRequest(workspace=workspace, script_name="load_sql")
    )
    assert script.content == SQL_PROMOTED  # the rewrite rule, applied in the staged package
    assert script.connection_name == "prod_dws"
    # The source is untouched.
    assert Script.objects.get(workspace=world.dev, name="load_sql").document["content"] == SQL

    versions = _remote_versions(second_console, workspace)
    again = _promote(world, profile)
    assert again.state == PromotionState.PREVIEWING, again.message
    assert again.changes == {"new": 0, "changed": 0, "unchanged": 2}
    assert again.staged_path == ""  # nothing to send, nothing staged
    done = _settled(promotion_apply(promotion=again, user=world.dan))
    assert done.state == PromotionState.SUCCEEDED, done.message
    assert done.counts == {"unchanged": 2}
    assert done.remote_task_id == ""  # no import was asked for
    assert _remote_versions(second_console, workspace) == versions


def test_a_resource_and_a_queue_map_reach_the_remote_and_come_back_unchanged(remote, second_console):
    world, workspace, make_profile = remote
    external_object_make(workspace=world.dev, kind="dli_queue", name="dev_queue")
    resource_make(workspace=world.dev, name="etl_jar")
    spark = node(
        "spark",
        "DLISpark",
        {"clusterName": "dev_queue", "jobName": "etl", "resourceName": "etl_jar", "jobClass": "dev_dw.Main"},
    )
    job = job_make(workspace=world.dev, name="spark_load", document=job_document("spark_load", nodes=[spark]))
    profile = make_profile(
        mappings=[
            {"kind": "connection", "name": "dev_dws", "connectionType": "DWS", "replace": "prod_dws"},
            {"kind": "dli_queue", "name": "dev_queue", "replace": "prod_queue"},
        ]
    )

    def promote():
        promotion = promotion_start(
            workspace=world.dev,
            user=world.dan,
            profile=profile,
            selection=PromotionSelection(job_ids=(job.pk,)),
        )
        return _settled(promotion)

    first = promote()
    assert first.changes == {"new": 2, "changed": 0, "unchanged": 0}, first.message
    applied = _settled(promotion_apply(promotion=first, user=world.dan))
    assert applied.state == PromotionState.SUCCEEDED, applied.message
    shown = second_console.client().show_job(ShowJobRequest(workspace=workspace, job_name="spark_load"))
    properties = {p["name"]: p["value"] for p in json.loads(shown.raw_content)["nodes"][0]["properties"]}
    assert properties["clusterName"] == "prod_queue"  # DLI_QUEUE in the import's resources
    assert properties["resourceName"] == "etl_jar"
    assert properties["jobClass"] == "prod_dw.Main"  # the rewrite rule over a string property
    resources = second_console.client().list_resources(ListResourcesRequest(workspace=workspace))
    assert [r.name for r in resources.resources] == ["etl_jar"]

    again = promote()
    assert again.changes == {"new": 0, "changed": 0, "unchanged": 2}, again.object_rows


def test_a_script_map_is_applied_in_the_package_and_said(remote, second_console):
    """DataArts' import replaces connections, queues, clusters... but has no field for a script: the map is
    applied in the staged package, and the promotion says so."""
    world, workspace, make_profile = remote
    body = script_document("shared_load", connection="prod_dws", content="SELECT 1;")
    second_console.client().create_script(CreateScriptRequest(workspace=workspace, body=body))
    profile = make_profile(
        mappings=[
            {"kind": "connection", "name": "dev_dws", "connectionType": "DWS", "replace": "prod_dws"},
            {"kind": "script", "name": "load_sql", "replace": "shared_load"},
        ]
    )

    promotion = _promote(world, profile)

    assert promotion.state == PromotionState.PREVIEWING, promotion.message
    assert (
        "DataArts' import has no replacement field for script load_sql -> shared_load: renamed in the staged "
        "package instead." in promotion.message
    )
    applied = _settled(promotion_apply(promotion=promotion, user=world.dan))
    assert applied.state == PromotionState.SUCCEEDED, applied.message
    properties = {
        p["name"]: p["value"] for p in _remote_job(second_console, workspace)["nodes"][0]["properties"]
    }
    assert properties["scriptName"] == "shared_load"
    assert properties["connectionName"] == "prod_dws"


def test_a_job_saved_but_not_submitted_on_the_remote_is_changed_for_a_submitting_profile(
    remote, second_console
):
    world, workspace, make_profile = remote
    saving = make_profile(name="to_remote_saved", targetStatus="saved")
    first = _promote(world, saving)
    assert _settled(promotion_apply(promotion=first, user=world.dan)).state == PromotionState.SUCCEEDED
    assert _promote(world, saving).changes == {"new": 0, "changed": 0, "unchanged": 2}

    submitting = _promote(world, make_profile())

    assert submitting.changes == {"new": 0, "changed": 1, "unchanged": 1}, submitting.message
    rows = {(r["type"], r["name"]): r for r in submitting.object_rows}
    assert rows[("job", "daily_load")]["message"] == (
        "Its development state is the package's but not submitted: the import submits it."
    )
    applied = _settled(promotion_apply(promotion=submitting, user=world.dan))
    assert applied.state == PromotionState.SUCCEEDED, applied.message
    assert _promote(world, make_profile(name="to_remote_again")).changes["unchanged"] == 2


def test_the_change_set_lists_what_was_edited_since(remote, second_console):
    world, workspace, make_profile = remote
    profile = make_profile()
    first = _promote(world, profile)
    assert _settled(promotion_apply(promotion=first, user=world.dan)).state == PromotionState.SUCCEEDED

    script = Script.objects.get(workspace=world.dev, name="load_sql")
    script.document = {**script.document, "content": SQL + "\nANALYZE dev_dw.orders;"}
    script.save(update_fields=["document"])

    edited = _promote(world, profile)
    assert edited.changes == {"new": 0, "changed": 1, "unchanged": 1}, edited.message
    rows = {(r["type"], r["name"]): r for r in edited.object_rows}
    assert rows[("script", "load_sql")]["change"] == "changed"
    assert rows[("script", "load_sql")]["message"] == "2 lines added, 1 removed, 0 properties"
    assert rows[("job", "daily_load")]["change"] == "unchanged"
    applied = _settled(promotion_apply(promotion=edited, user=world.dan))
    assert applied.state == PromotionState.SUCCEEDED, applied.message
    assert applied.counts == {"created": 0, "overwritten": 1, "unchanged": 1, "failed": 0}
    shown = second_console.client().show_script(
        ShowScriptRequest(workspace=workspace, script_name="load_sql")
    )
    assert shown.content == SQL_PROMOTED + "\nANALYZE prod_dw.orders;"


def test_approval_is_enforced(remote, second_console, s3, staging_bucket):
    world, workspace, make_profile = remote
    profile = make_profile(requiresApproval=True)
    rejected = _promote(world, profile, user=world.ada)
    staged = rejected.staged_path.split("/", 3)[3]
    assert s3.head_object(Bucket=staging_bucket, Key=staged)
    assert promotion_reject(promotion=rejected, user=world.bob).state == PromotionState.REJECTED
    with pytest.raises(ClientError):  # a rejected promotion's staged package is deleted
        s3.head_object(Bucket=staging_bucket, Key=staged)

    promotion = _promote(world, profile, user=world.ada)
    assert promotion.state == PromotionState.WAITING_APPROVAL, promotion.message

    with pytest.raises(PermissionDenied):
        promotion_approve(promotion=promotion, user=world.ada)  # the requester
    with pytest.raises(Exception, match="is waiting for another member's approval"):
        promotion_apply(promotion=promotion, user=world.ada)
    promotion.refresh_from_db()
    assert promotion.state == PromotionState.WAITING_APPROVAL

    approved = promotion_approve(promotion=promotion, user=world.bob)
    applied = _settled(promotion_apply(promotion=approved, user=world.ada))
    assert applied.state == PromotionState.SUCCEEDED, applied.message
    assert applied.approved_by == world.bob
    assert _remote_job(second_console, workspace)["name"] == "daily_load"


def test_a_wrong_secret_key_fails_clearly(remote, second_console, live_worker):
    world, _workspace, make_profile = remote
    wrong = "Not-The-Secret-Key-42"
    profile = make_profile(keys={"sk": wrong})

    promotion = _promote(world, profile)

    assert promotion.state == PromotionState.FAILED
    assert second_console.url in promotion.message
    assert "401" in promotion.message and "secret key" in promotion.message
    assert wrong not in promotion.message and second_console.sk not in promotion.message
    assert promotion.staged_path == ""
    # Nor in a log: this console's worker's, the second console's server's and worker's.
    worker_log = live_worker.log_text(since=0, max_chars=10**7)
    server_log = second_console.log_text(max_chars=10**7)
    logs = worker_log + server_log + second_console.worker.log_text(since=0, max_chars=10**7)
    assert wrong not in logs and second_console.sk not in logs
    # The logs read are those of this promotion: this worker ran its change-set, the server refused it.
    assert "promotion.remote_preview[" in worker_log
    assert "Unauthorized: /v1/" in server_log


def test_an_import_the_remote_refuses_fails_clearly(remote, second_console):
    world, workspace, make_profile = remote
    profile = make_profile(
        mappings=[
            {"kind": "connection", "name": "dev_dws", "connectionType": "DWS", "replace": "no_such_dws"}
        ]
    )
    promotion = _promote(world, profile)
    assert promotion.state == PromotionState.PREVIEWING, promotion.message

    applied = _settled(promotion_apply(promotion=promotion, user=world.dan))

    assert applied.state == PromotionState.FAILED
    assert applied.message.startswith(f"The import on {second_console.url}")
    assert "no_such_dws" in applied.message  # the remote's own reason, from its system task
    assert applied.counts["failed"] >= 1
    assert {r["status"] for r in applied.object_rows} == {"FAILED"}


def test_an_unreachable_remote_fails_clearly(remote, staging_bucket):
    world, workspace, make_profile = remote
    profile = make_profile()
    profile.remote_endpoint = "http://127.0.0.1:9"  # discard: nothing listens
    profile.save(update_fields=["remote_endpoint"])

    promotion = _promote(world, profile)

    assert promotion.state == PromotionState.FAILED
    assert "http://127.0.0.1:9" in promotion.message and "cannot be reached" in promotion.message


def test_manage_py_promote_dry_run_to_a_remote(remote, second_console):
    world, workspace, make_profile = remote
    make_profile(environmentVariables=[{"name": "ENV_REGION", "value": "prod"}])
    out = StringIO()

    call_command(
        "promote",
        "--workspace",
        "dev",
        "--profile",
        "to_remote",
        "--jobs",
        "daily_load",
        "--dry-run",
        stdout=out,
    )

    text = out.getvalue()
    assert f"dry run: promoting to {second_console.url}" in text
    assert "would write 2 new" in text
    assert "new        job      daily_load" in text
    assert "new        script   load_sql" in text
    # What DataArts' import has no field for is said, not dropped silently.
    assert (
        "note: Not applied, DataArts' import has no field for them: environment-variable overrides (ENV_REGION)"
        in text
    )
    assert not Promotion.objects.exists()
    _assert_no_job(second_console, workspace)  # nothing was written on the remote


def test_manage_py_promote_to_a_remote(remote, second_console):
    world, workspace, make_profile = remote
    make_profile()
    out = StringIO()

    call_command(
        "promote", "--workspace", "dev", "--profile", "to_remote", "--jobs", "daily_load", stdout=out
    )

    assert "would write 2 new" in out.getvalue()
    assert "succeeded: 2 created" in out.getvalue()
    assert _remote_job(second_console, workspace)["name"] == "daily_load"
    make_profile(name="bad_key", keys={"sk": "wrong"})
    with pytest.raises(CommandError, match="401"):
        call_command(
            "promote", "--workspace", "dev", "--profile", "bad_key", "--jobs", "daily_load", "--dry-run"
        )


def _key(promotion: Promotion) -> str:
    return promotion.staged_path.split("/", 3)[3]


def test_a_staged_package_changed_after_its_change_set_is_not_imported(
    remote, second_console, s3, staging_bucket
):
    world, workspace, make_profile = remote
    promotion = _promote(world, make_profile())
    assert promotion.state == PromotionState.PREVIEWING, promotion.message
    key = _key(promotion)
    previewed = s3.get_object(Bucket=staging_bucket, Key=key)["Body"].read()
    # Someone who may write the staging folder replaces the object after the change-set was shown.
    s3.put_object(Bucket=staging_bucket, Key=key, Body=previewed + b"\n")

    applied = _settled(promotion_apply(promotion=promotion, user=world.dan))

    assert applied.state == PromotionState.FAILED
    assert "changed after it was previewed" in applied.message and promotion.staged_path in applied.message
    assert applied.remote_task_id == ""  # no import was asked for
    _assert_no_job(second_console, workspace)
    assert s3.get_object(Bucket=staging_bucket, Key=key)["Body"].read() == previewed + b"\n"  # not ours


def test_a_profile_changed_after_the_change_set_is_not_applied(remote, second_console, s3, staging_bucket):
    world, workspace, make_profile = remote
    profile = make_profile()
    promotion = _promote(world, profile)
    assert promotion.state == PromotionState.PREVIEWING, promotion.message
    # The change-set showed region=prod; the profile now says otherwise.
    profile.public_params = [{"name": "region", "value": "elsewhere", "masked": False}]
    profile.save()

    applied = _settled(promotion_apply(promotion=promotion, user=world.dan))

    assert applied.state == PromotionState.FAILED
    assert applied.message == (
        "Profile to_remote was changed after this promotion was asked for: what it says now is not what the "
        f"change-set showed. Nothing was sent to {promotion.target_label}; promote again."
    )
    assert applied.remote_task_id == ""
    _assert_no_job(second_console, workspace)
    with pytest.raises(ClientError):  # what it staged is deleted: nothing will import it
        s3.head_object(Bucket=staging_bucket, Key=_key(promotion))
    again = _promote(world, profile)  # promoting again applies what the profile says now
    assert _settled(promotion_apply(promotion=again, user=world.dan)).state == PromotionState.SUCCEEDED
    assert {p["name"]: p["value"] for p in _remote_job(second_console, workspace)["params"]}["region"] == (
        "elsewhere"
    )


def test_an_apply_delivered_again_never_imports_twice(remote, second_console):
    world, workspace, make_profile = remote
    promotion = _promote(world, make_profile())
    applied = _settled(promotion_apply(promotion=promotion, user=world.dan))
    assert applied.state == PromotionState.SUCCEEDED, applied.message
    task_id, versions = applied.remote_task_id, _remote_versions(second_console, workspace)

    # The worker stopped after the import's task id was saved: the task delivered again follows that task.
    Promotion.objects.filter(pk=promotion.pk).update(state=PromotionState.APPLYING)
    remote_apply_run(promotion_id=promotion.pk)
    promotion.refresh_from_db()
    assert promotion.state == PromotionState.SUCCEEDED, promotion.message
    assert promotion.remote_task_id == task_id
    assert _remote_versions(second_console, workspace) == versions

    # It stopped while asking for the import (marked, no task id came back): it is not asked again.
    Promotion.objects.filter(pk=promotion.pk).update(state=PromotionState.APPLYING, remote_task_id="asking")
    remote_apply_run(promotion_id=promotion.pk)
    promotion.refresh_from_db()
    assert promotion.state == PromotionState.FAILED
    assert "may have been asked for before the worker stopped" in promotion.message
    assert "see the remote's system tasks" in promotion.message
    assert _remote_versions(second_console, workspace) == versions


def test_a_change_set_delivered_again_leaves_one_staged_package(remote, s3, staging_bucket):
    world, _workspace, make_profile = remote
    promotion = _promote(world, make_profile())
    assert promotion.state == PromotionState.PREVIEWING, promotion.message
    first = _key(promotion)

    # The worker stopped after staging; the task delivered again stages anew and deletes the first object.
    Promotion.objects.filter(pk=promotion.pk).update(state=PromotionState.PREPARING)
    remote_preview_run(promotion_id=promotion.pk)

    promotion.refresh_from_db()
    assert promotion.state == PromotionState.PREVIEWING, promotion.message
    assert _key(promotion) != first
    listed = s3.list_objects_v2(Bucket=staging_bucket, Prefix=f"promotions/promotion-{promotion.pk}-")
    assert [o["Key"] for o in listed.get("Contents", [])] == [_key(promotion)]
    body = s3.get_object(Bucket=staging_bucket, Key=_key(promotion))["Body"].read()
    assert hashlib.sha256(body).hexdigest() == promotion.package_sha256
