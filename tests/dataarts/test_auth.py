"""SDK-HMAC-SHA256: requests signed by the SDK's own ``Signer`` are accepted; anything altered is not."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pytest
from django.http import QueryDict
from django.test import Client
from django.utils import timezone

from factory.dataarts.auth import (
    DATE_FORMAT,
    SignatureInvalid,
    authorization_parse,
    request_signature_verify,
)
from factory.development.models import Job
from factory.workspaces.services import access_key_revoke
from tests.dataarts.documents import job_document
from tests.dataarts.sdk import signed_call, signed_headers

AK, SK = "AKTESTKEY00000000001", "s3cr3t-for-tests-0123456789abcdefghijklm"


class _Headers(dict):
    """Case-insensitive look-ups, as Django's ``request.headers``."""

    def get(self, key: str, default: object = None) -> object:
        for name, value in self.items():
            if name.lower() == key.lower():
                return value
        return default


def _verify(
    method: str, uri: str, headers: dict[str, str], body: bytes = b"", *, secret: str = SK, now=None
) -> None:
    path, _, query = uri.partition("?")
    # Decoded once, as Django hands the path and the query to the views.
    request_signature_verify(
        method=method,
        path=unquote(path),
        query=QueryDict(query),
        headers=_Headers(headers),
        body=body,
        secret=secret,
        authorization=authorization_parse(headers["Authorization"]),
        now=now or timezone.now(),
    )


class TestSignatureCheck:
    """The canonical request rebuilt here matches the SDK's, for what the SDK actually sends."""

    def test_get_with_query_and_workspace_header(self) -> None:
        query = [("limit", 10), ("offset", 0), ("jobName", "a b+c/é~x"), ("preciseQuery", True)]
        headers, uri = signed_headers(
            ak=AK, sk=SK, method="GET", path="/v1/p1/jobs", query=query, headers={"workspace": "ws-é"}
        )
        _verify("GET", uri, headers)

    def test_post_with_unicode_body_and_encoded_path(self) -> None:
        body = json.dumps({"name": "作业", "nodes": []}, ensure_ascii=False).encode()
        headers, uri = signed_headers(
            ak=AK,
            sk=SK,
            method="POST",
            path="/v1/p1/jobs/my%20job/export",
            headers={"Content-Type": "application/json;charset=UTF-8"},
            body=body,
        )
        _verify("POST", uri, headers, body)

    def test_tampered_body_is_refused(self) -> None:
        body = b'{"name": "job_a"}'
        headers, uri = signed_headers(ak=AK, sk=SK, method="POST", path="/v1/p1/jobs", body=body)
        with pytest.raises(SignatureInvalid, match="verify aksk signature fail"):
            _verify("POST", uri, headers, b'{"name": "job_b"}')

    @pytest.mark.parametrize(
        ("method", "uri"),
        [
            ("DELETE", "/v1/p1/jobs/a"),
            ("GET", "/v1/p1/jobs/b"),
            ("GET", "/v1/p2/jobs/a"),
            ("GET", "/v1/p1/jobs/a?x=1"),
        ],
    )
    def test_other_method_path_or_query_is_refused(self, method: str, uri: str) -> None:
        headers, _ = signed_headers(ak=AK, sk=SK, method="GET", path="/v1/p1/jobs/a")
        with pytest.raises(SignatureInvalid):
            _verify(method, uri, headers)

    def test_changed_signed_header_is_refused(self) -> None:
        headers, uri = signed_headers(
            ak=AK, sk=SK, method="GET", path="/v1/p1/jobs", headers={"workspace": "a"}
        )
        headers["workspace"] = "b"
        with pytest.raises(SignatureInvalid):
            _verify("GET", uri, headers)

    def test_wrong_secret_is_refused(self) -> None:
        headers, uri = signed_headers(ak=AK, sk=SK, method="GET", path="/v1/p1/jobs")
        with pytest.raises(SignatureInvalid):
            _verify("GET", uri, headers, secret=SK + "x")

    @pytest.mark.parametrize("minutes", [-16, 16])
    def test_date_more_than_15_minutes_away_is_refused(self, minutes: int) -> None:
        stamp = (datetime.now(UTC) + timedelta(minutes=minutes)).strftime(DATE_FORMAT)
        headers, uri = signed_headers(
            ak=AK, sk=SK, method="GET", path="/v1/p1/jobs", headers={"X-Sdk-Date": stamp}
        )
        with pytest.raises(SignatureInvalid, match="15 minutes"):
            _verify("GET", uri, headers)

    def test_date_within_15_minutes_is_accepted(self) -> None:
        stamp = (datetime.now(UTC) - timedelta(minutes=14)).strftime(DATE_FORMAT)
        headers, uri = signed_headers(
            ak=AK, sk=SK, method="GET", path="/v1/p1/jobs", headers={"X-Sdk-Date": stamp}
        )
        _verify("GET", uri, headers)

    def test_unsigned_payload_is_refused(self) -> None:
        body = b'{"name": "x"}'
        headers, uri = signed_headers(
            ak=AK, sk=SK, method="POST", path="/v1/p1/jobs", body=body, headers={"Content-Type": "text/plain"}
        )
        assert headers["X-Sdk-Content-Sha256"] == "UNSIGNED-PAYLOAD"
        with pytest.raises(SignatureInvalid, match="unsigned"):
            _verify("POST", uri, headers, body)

    def test_signature_must_cover_the_date(self) -> None:
        headers, uri = signed_headers(ak=AK, sk=SK, method="GET", path="/v1/p1/jobs")
        auth = authorization_parse(headers["Authorization"])
        without_date = ";".join(h for h in auth.signed_headers if h != "x-sdk-date")
        headers["Authorization"] = f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders={without_date}, Signature=00"
        with pytest.raises(SignatureInvalid, match="x-sdk-date"):
            _verify("GET", uri, headers)

    def test_other_algorithms_are_named(self) -> None:
        with pytest.raises(SignatureInvalid, match="unsupported signing algorithm"):
            authorization_parse("SDK-HMAC-SM3 Access=a, SignedHeaders=host, Signature=00")


def _jobs_path(project_id: str) -> str:
    return f"/v1/{project_id}/jobs"


@pytest.mark.django_db
class TestAuthenticationThroughTheApi:
    def test_signed_request_is_answered_and_marks_the_key_used(self, alice_key) -> None:
        response = signed_call(
            Client(), ak=alice_key.ak, sk=alice_key.sk, method="GET", path=_jobs_path(alice_key.project_id)
        )
        assert response.status_code == 200, response.content
        assert response.json() == {"total": 0, "jobs": []}
        alice_key.key.refresh_from_db()
        assert alice_key.key.last_used_at is not None

    def test_unsigned_request_is_401(self, alice_key) -> None:
        response = Client().get(_jobs_path(alice_key.project_id))
        assert response.status_code == 401
        assert response.json()["error_code"] == "APIGW.0301"

    def test_unknown_access_key_is_401(self, alice_key) -> None:
        response = signed_call(
            Client(),
            ak="AKUNKNOWN00000000000",
            sk=alice_key.sk,
            method="GET",
            path=_jobs_path(alice_key.project_id),
        )
        assert response.status_code == 401
        body = response.json()
        assert body["error_code"] == "APIGW.0301"
        assert "ak not exist" in body["error_msg"]
        assert alice_key.sk not in response.content.decode()

    def test_wrong_secret_is_401(self, alice_key) -> None:
        response = signed_call(
            Client(), ak=alice_key.ak, sk="x" * 40, method="GET", path=_jobs_path(alice_key.project_id)
        )
        assert response.status_code == 401
        assert response.json() == {
            "error_code": "APIGW.0301",
            "error_msg": "Incorrect IAM authentication information: verify aksk signature fail",
        }

    def test_revoked_key_is_401(self, alice_key) -> None:
        access_key_revoke(user=None, access_key_id=alice_key.ak)
        response = signed_call(
            Client(), ak=alice_key.ak, sk=alice_key.sk, method="GET", path=_jobs_path(alice_key.project_id)
        )
        assert response.status_code == 401
        assert response.json()["error_code"] == "APIGW.0301"

    def test_stale_date_is_401(self, alice_key) -> None:
        stamp = (datetime.now(UTC) - timedelta(minutes=30)).strftime(DATE_FORMAT)
        response = signed_call(
            Client(),
            ak=alice_key.ak,
            sk=alice_key.sk,
            method="GET",
            path=_jobs_path(alice_key.project_id),
            headers={"X-Sdk-Date": stamp},
        )
        assert response.status_code == 401
        assert "15 minutes" in response.json()["error_msg"]

    def test_tampered_body_is_401_and_creates_nothing(self, alice_key) -> None:
        signed = json.dumps(job_document("job_signed")).encode()
        sent = json.dumps(job_document("job_tampered")).encode()
        response = signed_call(
            Client(),
            ak=alice_key.ak,
            sk=alice_key.sk,
            method="POST",
            path=_jobs_path(alice_key.project_id),
            body=signed,
            send_body=sent,
        )
        assert response.status_code == 401
        assert not Job.objects.exists()

    def test_project_of_no_workspace_of_the_user_is_403(self, alice_key) -> None:
        response = signed_call(
            Client(), ak=alice_key.ak, sk=alice_key.sk, method="GET", path=_jobs_path("0" * 32)
        )
        assert response.status_code == 403
        assert response.json()["error_code"] == "DLF.6888"

    def test_unknown_path_is_apigw_404(self, alice_key) -> None:
        response = signed_call(
            Client(),
            ak=alice_key.ak,
            sk=alice_key.sk,
            method="GET",
            path=f"/v1/{alice_key.project_id}/nothing",
        )
        assert response.status_code == 404
        assert response.json()["error_code"] == "APIGW.0101"


@pytest.mark.django_db
def test_project_header_must_match_the_path(alice_key) -> None:
    response = signed_call(
        Client(),
        ak=alice_key.ak,
        sk=alice_key.sk,
        method="GET",
        path=_jobs_path(alice_key.project_id),
        headers={"X-Project-Id": "1" * 32},
    )
    assert response.status_code == 400
    assert response.json()["error_code"] == "DLF.3051"


@pytest.mark.django_db
def test_listing_takes_the_same_queries_for_1_or_30_jobs(alice_key, django_assert_max_num_queries) -> None:
    from factory.development.services import job_create

    def listed() -> int:
        with django_assert_max_num_queries(8):
            response = signed_call(
                Client(),
                ak=alice_key.ak,
                sk=alice_key.sk,
                method="GET",
                path=_jobs_path(alice_key.project_id),
                query=[("limit", 100)],
            )
        assert response.status_code == 200
        return response.json()["total"]

    job_create(workspace=alice_key.workspace, user=alice_key.key.user, document=job_document("job_0"))
    assert listed() == 1
    for index in range(1, 30):
        job_create(
            workspace=alice_key.workspace, user=alice_key.key.user, document=job_document(f"job_{index}")
        )
    assert listed() == 30
