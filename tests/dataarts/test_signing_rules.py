"""What a signature covers: one use only, the headers that choose the workspace, the project and the body's
encoding, the query exactly as the views read it, and the workspace a key acts on without a header.

Each request here is signed by the SDK's own ``Signer``; the attacks take such a request and change only
what an eavesdropper could (send it again, add an unsigned header, re-encode the query or the path).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdkdgc.v1.model import CreateJobRequest, DeleteJobRequest, ListJobsRequest

from factory.dataarts.auth import DATE_FORMAT
from factory.dataarts.replay import READ_REUSE_SECONDS
from factory.development.models import Job
from factory.development.services import job_create
from factory.workspaces.models import Role
from factory.workspaces.services import (
    access_key_create,
    membership_remove,
    membership_set,
    workspace_create,
)
from tests.builders import user_make
from tests.dataarts.documents import job_document
from tests.dataarts.sdk import KeyPair, sdk_client

pytestmark = pytest.mark.django_db


def _signed(
    key: KeyPair,
    method: str,
    path: str,
    *,
    query: list[tuple[str, object]] | None = None,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> tuple[dict[str, str], str]:
    """Headers and URI exactly as the SDK's Signer makes them for ``headers`` (and nothing else)."""
    request = SdkRequest(
        method=method,
        schema="http",
        host="testserver",
        resource_path=path,
        query_params=list(query or []),
        header_params=dict(headers or {}),
        body=body,
    )
    Signer(BasicCredentials(key.ak, key.sk)).sign(request)
    return dict(request.header_params), request.uri


def _send(method: str, uri: str, headers: dict[str, str], body: bytes = b"") -> Any:
    """Send as an HTTP client would: ``Content-Type`` only when the request has that header."""
    headers = dict(headers)
    content_type = headers.pop("Content-Type", None)
    extra = {} if content_type is None else {"CONTENT_TYPE": content_type}
    return Client().generic(method, uri, data=body, content_type=content_type or "", headers=headers, **extra)


def _json_headers(**more: str) -> dict[str, str]:
    return {"Content-Type": "application/json", **more}


@pytest.fixture
def second_workspace(alice, workspace_a):
    """Alice's second workspace; ws_a stays the project's default."""
    return workspace_create(name="ws_a2", user=alice)


def _job_in(workspace, name: str) -> Job:
    return job_create(
        workspace=workspace, user=workspace.memberships.first().user, document=job_document(name)
    )


def _refusal(response) -> dict[str, str]:
    assert response.status_code == 401, response.content
    body = response.json()
    assert body["error_code"] == "APIGW.0301"
    return body


class TestReplay:
    """Finding 1: a captured request could be sent again for 15 minutes."""

    def test_replayed_delete_is_refused_and_deletes_nothing(self, alice_key, alice, workspace_a) -> None:
        _job_in(workspace_a, "nightly")
        path = f"/v1/{alice_key.project_id}/jobs/nightly"
        headers, uri = _signed(alice_key, "DELETE", path, headers=_json_headers())
        assert _send("DELETE", uri, headers).status_code == 204
        recreated = _job_in(workspace_a, "nightly")

        replayed = _send("DELETE", uri, headers)
        body = _refusal(replayed)
        assert "replayed" in body["error_msg"]
        assert "already used" in body["error_msg"]
        assert Job.objects.filter(pk=recreated.pk).exists()

    def test_replayed_create_is_refused_after_the_job_is_gone(self, alice_key, workspace_a) -> None:
        payload = json.dumps(job_document("created_once")).encode()
        path = f"/v1/{alice_key.project_id}/jobs"
        headers, uri = _signed(alice_key, "POST", path, headers=_json_headers(), body=payload)
        assert _send("POST", uri, headers, payload).status_code == 204
        Job.objects.filter(name="created_once").delete()

        _refusal(_send("POST", uri, headers, payload))
        assert not Job.objects.filter(name="created_once").exists()

    def test_identical_reads_in_one_second_pass_a_later_replay_does_not(self, alice_key) -> None:
        """The SDK's dates count seconds: a client polling twice in one second sends one signature twice."""
        path = f"/v1/{alice_key.project_id}/jobs"
        headers, uri = _signed(alice_key, "GET", path, headers=_json_headers())
        assert _send("GET", uri, headers).status_code == 200
        assert _send("GET", uri, headers).status_code == 200
        time.sleep(READ_REUSE_SECONDS + 0.5)
        assert "replayed" in _refusal(_send("GET", uri, headers))["error_msg"]

    def test_the_same_call_signed_anew_is_answered(self, alice_key, workspace_a) -> None:
        _job_in(workspace_a, "nightly")
        path = f"/v1/{alice_key.project_id}/jobs/nightly"
        for seconds, (status, code) in ((0, (204, None)), (1, (400, "DLF.0100"))):
            stamp = (datetime.now(UTC) + timedelta(seconds=seconds)).strftime(DATE_FORMAT)
            headers, uri = _signed(alice_key, "DELETE", path, headers=_json_headers(**{"X-Sdk-Date": stamp}))
            response = _send("DELETE", uri, headers)
            assert response.status_code == status, response.content
            assert code is None or response.json()["error_code"] == code

    def test_unreachable_replay_cache_refuses_with_503_and_deletes_nothing(
        self, alice_key, workspace_a
    ) -> None:
        job = _job_in(workspace_a, "kept")
        path = f"/v1/{alice_key.project_id}/jobs/kept"
        headers, uri = _signed(alice_key, "DELETE", path, headers=_json_headers())
        # A real Redis client pointed at a port nothing listens on.
        unreachable = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:9/0",
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        }
        with override_settings(CACHES=unreachable):
            response = _send("DELETE", uri, headers)
        assert response.status_code == 503
        assert response.json()["error_code"] == "DLF.9004"
        assert "replays" in response.json()["error_msg"]
        assert Job.objects.filter(pk=job.pk).exists()


class TestUnsignedHeaders:
    """Finding 2: an unsigned header added to a captured request changed what it acted on."""

    def test_unsigned_workspace_header_cannot_redirect_a_delete(
        self, alice_key, workspace_a, second_workspace
    ) -> None:
        in_default = _job_in(workspace_a, "shared")
        in_second = _job_in(second_workspace, "shared")
        path = f"/v1/{alice_key.project_id}/jobs/shared"
        headers, uri = _signed(alice_key, "DELETE", path, headers=_json_headers())

        response = _send("DELETE", uri, {**headers, "workspace": second_workspace.public_id})
        body = _refusal(response)
        assert "workspace header" in body["error_msg"]
        assert "SignedHeaders" in body["error_msg"]
        assert Job.objects.filter(pk__in=[in_default.pk, in_second.pk]).count() == 2

    def test_unsigned_project_header_is_refused(self, alice_key) -> None:
        path = f"/v1/{alice_key.project_id}/jobs"
        headers, uri = _signed(alice_key, "GET", path, headers=_json_headers())
        response = _send("GET", uri, {**headers, "X-Project-Id": alice_key.project_id})
        assert "X-Project-Id header" in _refusal(response)["error_msg"]

    def test_unsigned_content_type_is_refused_and_creates_nothing(self, alice_key) -> None:
        payload = json.dumps(job_document("by_content_type")).encode()
        path = f"/v1/{alice_key.project_id}/jobs"
        headers, uri = _signed(alice_key, "POST", path, body=payload)  # signs host and x-sdk-date only
        response = _send("POST", uri, {**headers, "Content-Type": "application/json"}, payload)
        assert "Content-Type header" in _refusal(response)["error_msg"]
        assert not Job.objects.filter(name="by_content_type").exists()

    def test_signed_headers_are_accepted(self, alice_key, second_workspace) -> None:
        _job_in(second_workspace, "mine")
        path = f"/v1/{alice_key.project_id}/jobs"
        headers, uri = _signed(
            alice_key,
            "GET",
            path,
            headers=_json_headers(
                workspace=second_workspace.public_id, **{"X-Project-Id": alice_key.project_id}
            ),
        )
        response = _send("GET", uri, headers)
        assert response.status_code == 200, response.content
        assert [job["name"] for job in response.json()["jobs"]] == ["mine"]


def _tagged(workspace, name: str, tag: str) -> None:
    job_create(
        workspace=workspace,
        user=workspace.memberships.first().user,
        document=job_document(name, basicConfig={"tags": [tag]}),
    )


class TestQueryAsTheViewReadsIt:
    """Findings 3 and 4: the signed query and the query the view reads must be the same."""

    @pytest.fixture
    def tagged(self, workspace_a) -> None:
        _tagged(workspace_a, "with_plus", "a+b")
        _tagged(workspace_a, "with_space", "a b")
        _tagged(workspace_a, "with_escape", "a%2Bb")

    def test_plus_rewritten_on_the_wire_is_refused(self, alice_key, tagged) -> None:
        path = f"/v1/{alice_key.project_id}/jobs"
        headers, uri = _signed(alice_key, "GET", path, query=[("tags", "a+b")], headers=_json_headers())
        assert uri.endswith("?tags=a%2Bb")
        genuine = _send("GET", uri, headers)
        assert [job["name"] for job in genuine.json()["jobs"]] == ["with_plus"]

        # The same signature, the query re-encoded: Django reads "+" as a space, so this would list "a b".
        rewritten = _send("GET", uri.replace("%2B", "+"), headers)
        assert "verify aksk signature fail" in _refusal(rewritten)["error_msg"]

    def test_form_encoded_space_is_accepted_when_a_space_was_signed(self, alice_key, tagged) -> None:
        """A client that writes a space as "+" and signs the space gets what it signed."""
        path = f"/v1/{alice_key.project_id}/jobs"
        headers, uri = _signed(alice_key, "GET", path, query=[("tags", "a b")], headers=_json_headers())
        assert uri.endswith("?tags=a%20b")
        response = _send("GET", uri.replace("%20", "+"), headers)
        assert response.status_code == 200, response.content
        assert [job["name"] for job in response.json()["jobs"]] == ["with_space"]

    @pytest.mark.parametrize("tag", ["a+b", "a b", "a%2Bb"])
    def test_sdk_round_trips_plus_space_and_escape(self, dgc, tagged, tag: str) -> None:
        listed = dgc.list_jobs(ListJobsRequest(tags=tag))
        expected = {"a+b": "with_plus", "a b": "with_space", "a%2Bb": "with_escape"}[tag]
        assert [job.name for job in listed.jobs] == [expected]

    @pytest.mark.parametrize("reordered", [False, True])
    def test_repeated_query_key_is_refused(self, alice_key, workspace_a, reordered: bool) -> None:
        """Pairs are sorted before signing, so ``jobName=other&jobName=nightly`` carries the signature of
        ``jobName=nightly&jobName=other``, yet the view reads the last value: the other job."""
        _job_in(workspace_a, "nightly")
        _job_in(workspace_a, "other")
        path = f"/v1/{alice_key.project_id}/jobs"
        query = [("jobName", ["nightly", "other"])]
        headers, uri = _signed(alice_key, "GET", path, query=query, headers=_json_headers())
        assert uri.endswith("?jobName=nightly&jobName=other")
        if reordered:
            uri = uri.replace("jobName=nightly&jobName=other", "jobName=other&jobName=nightly")
        response = _send("GET", uri, headers)
        assert response.status_code == 400, response.content
        assert response.json() == {
            "error_code": "DLF.3051",
            "error_msg": "The query parameter 'jobName' is given more than once; "
            "each query parameter may appear only once.",
        }

    def test_percent_escape_in_the_path_is_not_decoded_twice(self, alice_key, workspace_a) -> None:
        """A signature for job "aA" must not pass for the job named "a%41" (sent as ``a%2541``)."""
        _job_in(workspace_a, "aA")
        path = f"/v1/{alice_key.project_id}/jobs/aA"
        headers, uri = _signed(alice_key, "DELETE", path, headers=_json_headers())
        response = _send("DELETE", uri.replace("/aA", "/a%2541"), headers)
        assert "verify aksk signature fail" in _refusal(response)["error_msg"]
        assert Job.objects.filter(name="aA").exists()


class TestDefaultWorkspace:
    """Finding 5: without a ``workspace`` header a key acts on the workspace it was made for."""

    def test_key_of_the_second_workspace_deletes_there_not_in_the_default(
        self, alice, workspace_a, second_workspace
    ) -> None:
        in_default = _job_in(workspace_a, "shared")
        in_second = _job_in(second_workspace, "shared")
        key, secret = access_key_create(user=alice, workspace=second_workspace)
        client = sdk_client(ak=key.access_key_id, sk=secret, project_id=second_workspace.project_id)

        assert client.delete_job(DeleteJobRequest(job_name="shared")).status_code == 204
        assert Job.objects.filter(pk=in_default.pk).exists()
        assert not Job.objects.filter(pk=in_second.pk).exists()
        client.create_job(CreateJobRequest(body=job_document("made_here")))
        assert Job.objects.get(name="made_here").workspace == second_workspace

    def test_key_whose_user_left_its_workspace_is_refused_not_redirected(
        self, alice, workspace_a, second_workspace
    ) -> None:
        in_default = _job_in(workspace_a, "shared")
        key, secret = access_key_create(user=alice, workspace=second_workspace)
        erin = user_make("erin")
        membership_set(workspace=second_workspace, user=erin, role=Role.ADMIN)  # the workspace keeps an admin
        membership_remove(workspace=second_workspace, user=alice)
        client = sdk_client(ak=key.access_key_id, sk=secret, project_id=second_workspace.project_id)

        with pytest.raises(ClientRequestException) as caught:
            client.delete_job(DeleteJobRequest(job_name="shared"))
        assert (caught.value.status_code, caught.value.error_code) == (403, "DLF.6888")
        assert Job.objects.filter(pk=in_default.pk).exists()

    def test_header_still_names_another_workspace_of_the_user(
        self, alice, workspace_a, second_workspace
    ) -> None:
        _job_in(workspace_a, "in_default")
        key, secret = access_key_create(user=alice, workspace=second_workspace)
        client = sdk_client(ak=key.access_key_id, sk=secret, project_id=second_workspace.project_id)
        listed = client.list_jobs(ListJobsRequest(workspace=workspace_a.public_id))
        assert [job.name for job in listed.jobs] == ["in_default"]
