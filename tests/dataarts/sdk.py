"""Drive Huawei's official DataArts SDK (``huaweicloudsdkdgc``) against this console.

``sdk_client`` builds a ``DgcClient`` exactly as a user would (docs/api.md). With ``in_process=True`` its
HTTP session is routed into Django's test client instead of the network, so that the real SDK (its
signer, its serialisation, its error handling) runs against the app inside an ordinary ``db`` test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.test import Client
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdkdgc.v1.dgc_client import DgcClient
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from factory.workspaces.models import AccessKey, Workspace

IN_PROCESS_ENDPOINT = "http://testserver"


def _send(client: Client, method: str, path: str, body: bytes, content_type: str, headers: dict) -> Any:
    # The test client drops Content-Type when there is no body; an HTTP client (and the SDK) sends it.
    extra = {} if body else {"CONTENT_TYPE": content_type}
    return client.generic(method, path, data=body, content_type=content_type, headers=headers, **extra)


class DjangoTestClientAdapter(BaseAdapter):
    """A ``requests`` transport that hands each request to Django's test client."""

    def __init__(self) -> None:
        super().__init__()
        self.client = Client()

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = urlsplit(request.url)
        headers = dict(request.headers)
        content_type = headers.pop("Content-Type", "")
        headers.pop("Content-Length", None)
        path = url.path + (f"?{url.query}" if url.query else "")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        answer = _send(self.client, request.method, path, body, content_type, headers)
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = b"".join(answer.streaming_content) if answer.streaming else answer.content
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        response.url = request.url
        response.request = request
        return response

    def close(self) -> None:
        pass


def sdk_client(*, ak: str, sk: str, project_id: str, endpoint: str = IN_PROCESS_ENDPOINT) -> DgcClient:
    client = (
        DgcClient.new_builder()
        .with_credentials(BasicCredentials(ak, sk, project_id))
        .with_endpoint(endpoint)
        .build()
    )
    if endpoint == IN_PROCESS_ENDPOINT:
        client.get_http_client()._session.mount(IN_PROCESS_ENDPOINT, DjangoTestClientAdapter())
    return client


def signed_headers(
    *,
    ak: str,
    sk: str,
    method: str,
    path: str,
    query: list[tuple[str, object]] | None = None,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    host: str = "testserver",
) -> tuple[dict[str, str], str]:
    """The headers the SDK's own ``Signer`` adds for this request, and the URI (path?query) it sends."""
    header_params = {"Content-Type": "application/json", **(headers or {})}
    request = SdkRequest(
        method=method,
        schema="http",
        host=host,
        resource_path=path,
        query_params=list(query or []),
        header_params=header_params,
        body=body,
    )
    Signer(BasicCredentials(ak, sk)).sign(request)
    return dict(request.header_params), request.uri


def signed_call(
    client: Client,
    *,
    ak: str,
    sk: str,
    method: str,
    path: str,
    query: list[tuple[str, object]] | None = None,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    send_body: bytes | None = None,
) -> Any:
    """Sign a request with the SDK's Signer and send it through the test client (``send_body`` lets a
    test send a body other than the signed one)."""
    signed, uri = signed_headers(
        ak=ak, sk=sk, method=method, path=path, query=query, headers=headers, body=body
    )
    content_type = signed.pop("Content-Type")
    payload = send_body if send_body is not None else (body or b"")
    return _send(client, method, uri, payload, content_type, signed)


@dataclass
class KeyPair:
    """An AK/SK pair as ``manage.py accesskey create`` prints it, and the objects behind it."""

    ak: str
    sk: str
    project_id: str
    key: AccessKey
    workspace: Workspace

    def client(self, endpoint: str | None = None):
        kwargs = {"endpoint": endpoint} if endpoint else {}
        return sdk_client(ak=self.ak, sk=self.sk, project_id=self.project_id, **kwargs)
