"""OBS answering errors, resetting connections, stalling or cutting answers short, between the worker and
the object store (a fault-injecting proxy, conftest): imports fail with the OBS error and write nothing,
transient errors are retried, and a failed export leaves no object and no multipart upload behind."""

from __future__ import annotations

from typing import Any

import pytest

from factory.development.models import Job
from factory.development.services import job_create
from tests.builders import package_job
from tests.resilience.conftest import OBS_MAX_ATTEMPTS
from tests.resilience.faulty_obs import ERROR_503, RESET, STALL, TRUNCATE
from tests.resilience.helpers import JSON, TERMINAL, bulk_package, poll, world_build
from tests.transfer.importing import counts

JOBS = 40  # a package of about 20 kB: several reads of a chunk, and a truncation in the middle of it
KEY = "packages/bulk.zip"


@pytest.fixture
def package_in_obs(obs_bucket: str, s3: Any) -> str:
    s3.put_object(Bucket=obs_bucket, Key=KEY, Body=bulk_package(JOBS))
    return f"obs://{obs_bucket}/{KEY}"


def _object_get(bucket: str) -> dict[str, Any]:
    """The GET of the package itself (not the HEAD before it, not a listing)."""
    return {"method": "GET", "path": f"/{bucket}/{KEY}"}


# --- import ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "attempts"),
    [
        (ERROR_503, OBS_MAX_ATTEMPTS),
        (RESET, OBS_MAX_ATTEMPTS),
        (STALL, OBS_MAX_ATTEMPTS),
        (TRUNCATE, 1),
    ],
)
def test_an_obs_read_failing_mid_inspection_fails_the_import_with_the_obs_error(
    rz, faulty_obs, obs_bucket, package_in_obs, action, attempts
):
    world = world_build()
    before = counts()
    faulty_obs.fault(action, **_object_get(obs_bucket), after_bytes=4096)

    body = world.poll(world.start_obs(package_in_obs), TERMINAL, timeout=30)

    assert body["status"] == "FAILED"
    assert body["message"].startswith(f"Could not read {package_in_obs} in OBS ("), body["message"]
    assert body["error"]["code"] == "obs_read_failed"
    assert len(faulty_obs.seen("GET", action)) == attempts  # retried where a retry can help
    assert counts() == before
    # The workspace is free for the next import at once.
    faulty_obs.clear()
    assert world.poll(world.start_obs(package_in_obs), ("WAITING", *TERMINAL))["status"] == "WAITING"


def test_obs_failing_when_the_apply_reads_the_package_again_writes_nothing_and_a_rerun_works(
    rz, faulty_obs, obs_bucket, package_in_obs
):
    world = world_build()
    public_id = world.start_obs(package_in_obs)
    assert world.poll(public_id, ("WAITING", *TERMINAL))["status"] == "WAITING"
    before = counts()
    faulty_obs.fault(ERROR_503, **_object_get(obs_bucket))

    world.apply(public_id)
    body = world.poll(public_id)

    assert body["status"] == "FAILED"
    assert body["message"] == f"Could not read {package_in_obs} in OBS (ServiceUnavailable)."
    assert counts() == before
    faulty_obs.clear()
    public_id = world.start_obs(package_in_obs)
    assert world.poll(public_id, ("WAITING", *TERMINAL))["status"] == "WAITING"
    world.apply(public_id)
    assert world.poll(public_id)["status"] == "SUCCESSFUL"
    assert world.jobs() == JOBS


def test_a_transient_obs_error_is_retried_and_the_import_succeeds(rz, faulty_obs, obs_bucket, package_in_obs):
    world = world_build()
    faulty_obs.fault(ERROR_503, **_object_get(obs_bucket), times=1)
    faulty_obs.fault(RESET, method="HEAD", path=f"/{obs_bucket}/{KEY}", times=1)

    public_id = world.start_obs(package_in_obs)
    assert world.poll(public_id, ("WAITING", *TERMINAL))["status"] == "WAITING"
    world.apply(public_id)

    assert world.poll(public_id)["status"] == "SUCCESSFUL"
    assert world.jobs() == JOBS
    assert len(faulty_obs.seen("GET", ERROR_503)) == 1 and len(faulty_obs.seen("HEAD", RESET)) == 1


# --- export ------------------------------------------------------------------------------------------


def _exporting_world():
    world = world_build()
    for i in range(3):
        job_create(workspace=world.workspace, user=world.target.dev, document=package_job(f"exp_{i}"))
    return world


def _export_to_obs(world, bucket: str) -> dict[str, Any]:
    ids = list(Job.objects.filter(workspace=world.workspace).values_list("pk", flat=True))
    started = world.client.post(
        f"{world.base}/exports/", {"jobIds": ids, "obsPath": f"obs://{bucket}/exports/"}, JSON
    )
    assert started.status_code == 202, started.content
    return poll(world.client, f"{world.base}/tasks/{started.json()['task']['id']}/", TERMINAL, timeout=40)


def _leftovers(s3: Any, bucket: str) -> tuple[list[str], list[str]]:
    objects = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="exports/").get("Contents", [])]
    uploads = [u["Key"] for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])]
    return objects, uploads


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param({"action": ERROR_503, "method": "PUT", "query": "partNumber="}, id="part-503"),
        pytest.param({"action": RESET, "method": "PUT", "query": "partNumber="}, id="part-reset"),
        pytest.param({"action": STALL, "method": "POST", "query": "uploadId="}, id="complete-timeout"),
    ],
)
def test_an_export_failing_mid_upload_leaves_no_object_and_no_multipart_upload(
    rz, faulty_obs, obs_bucket, s3, fault
):
    world = _exporting_world()
    faulty_obs.fault(fault.pop("action"), path=f"/{obs_bucket}/exports/", **fault)

    body = _export_to_obs(world, obs_bucket)

    assert body["status"] == "FAILED"
    assert body["message"].startswith(f"Could not write obs://{obs_bucket}/exports/"), body["message"]
    assert faulty_obs.seen("DELETE"), "the multipart upload was not aborted"
    assert _leftovers(s3, obs_bucket) == ([], [])


def test_an_export_cut_off_from_obs_mid_upload_leaves_no_multipart_upload_once_obs_is_back(
    rz, faulty_obs, obs_bucket, s3
):
    world = _exporting_world()
    # Everything after the upload's creation fails: the part, the completion and the abort.
    faulty_obs.fault(RESET, method="PUT", path=f"/{obs_bucket}/exports/")
    faulty_obs.fault(RESET, method="DELETE", path=f"/{obs_bucket}/exports/")

    body = _export_to_obs(world, obs_bucket)
    assert body["status"] == "FAILED"
    faulty_obs.clear()

    # OBS is back; the next export (or any later clean-up) should get rid of the orphaned upload.
    second = _export_to_obs(world, obs_bucket)
    assert second["status"] == "SUCCESSFUL"
    assert _leftovers(s3, obs_bucket)[1] == []
