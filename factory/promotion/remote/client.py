"""The remote's v1 API through Huawei's SDK (``huaweicloudsdkdgc``): the client signed with the profile's
AK/SK on an endpoint the console allows (``factory.promotion.endpoints``, checked with its host resolved
each time), the calls, and their failures in words (``RemoteFailure``: the endpoint and the reason, never
a key)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import (
    ClientRequestException,
    ConnectionException,
    RequestTimeoutException,
    SdkException,
    ServiceResponseException,
)
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkdgc.v1.dgc_client import DgcClient
from huaweicloudsdkdgc.v1.model import ListResourcesRequest, ShowResourceRequest

from ..endpoints import endpoint_address_refusal
from ..models import EnvironmentProfile
from ..selectors import profile_values

# What DataArts answers for an object that does not exist (ShowJob, ShowScript, ShowResource).
NOT_FOUND_CODES = frozenset({"DLF.0100", "DLF.6201", "DLF.6241"})
PAGE = 100


class RemoteFailure(Exception):
    """A remote call that failed: ``message`` names the endpoint and the reason, never a key."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def target_label(*, endpoint: str, project_id: str, workspace: str | None) -> str:
    """``endpoint (project p, workspace w)``: how a remote target is named in messages and on the row."""
    where = f"project {project_id}" + (f", workspace {workspace}" if workspace else "")
    return f"{endpoint} ({where})"


def remote_label(profile: EnvironmentProfile) -> str:
    return target_label(
        endpoint=profile.remote_endpoint,
        project_id=profile.remote_project_id,
        workspace=profile.remote_workspace_id or None,
    )


@dataclass(frozen=True)
class Remote:
    """The profile's remote target with its keys, and the SDK client signed with them."""

    endpoint: str
    project_id: str
    workspace: str | None
    client: DgcClient = field(repr=False)

    @property
    def label(self) -> str:
        return target_label(endpoint=self.endpoint, project_id=self.project_id, workspace=self.workspace)


def remote_connect(*, profile: EnvironmentProfile) -> Remote:
    """The SDK's ``DgcClient`` on the profile's endpoint, signed with its AK/SK (decrypted here only), once
    the endpoint is one the console allows, its host resolved now."""
    refusal = endpoint_address_refusal(profile.remote_endpoint)
    if refusal:
        raise RemoteFailure(f"{remote_label(profile)} is not reached from this console: {refusal}.")
    values = profile_values(profile=profile)
    if not values.access_key or not values.secret_key:
        raise RemoteFailure(
            f"Profile {profile.name} has no access key or secret key for {remote_label(profile)}: "
            "type them again in the profile."
        )
    config = HttpConfig.get_default_config()
    config.timeout = (
        settings.PROMOTION_REMOTE_CONNECT_TIMEOUT,
        settings.PROMOTION_REMOTE_READ_TIMEOUT,
    )
    config.retry_times = 0
    config.allow_redirects = False  # (the SDK's default) a redirect would lead past the checked host
    client = (
        DgcClient.new_builder()
        .with_http_config(config)
        .with_credentials(BasicCredentials(values.access_key, values.secret_key, profile.remote_project_id))
        .with_endpoint(profile.remote_endpoint)
        .build()
    )
    return Remote(
        endpoint=profile.remote_endpoint,
        project_id=profile.remote_project_id,
        workspace=profile.remote_workspace_id or None,
        client=client,
    )


def reason(exc: SdkException) -> str:
    """What went wrong, in words; the SDK's messages name no key (its signer's headers are not in them)."""
    if isinstance(exc, ServiceResponseException):
        code = f" {exc.error_code}" if exc.error_code else ""
        if exc.status_code == 401:
            return f"it refused the access key or its signature (401{code}): check the profile's access key and secret key"
        if exc.status_code == 403:
            return f"the access key's user may not do this there (403{code})"
        return f"it answered {exc.status_code}{code}: {exc.error_msg or 'no message'}"
    if isinstance(exc, RequestTimeoutException):
        return "it did not answer in time"
    if isinstance(exc, ConnectionException):
        return "it cannot be reached (connection refused, unknown host or TLS failure)"
    return f"{type(exc).__name__}"


def call(remote: Remote, what: str, method: str, request: Any) -> Any:
    try:
        return getattr(remote.client, method)(request)
    except SdkException as exc:
        raise RemoteFailure(f"{what} on {remote.label} failed: {reason(exc)}.") from exc


def raw(response: Any) -> dict[str, Any]:
    """The answer's JSON as sent (the SDK's models keep only the fields they know)."""
    value = response.to_json_object() if getattr(response, "raw_content", None) else None
    return value if isinstance(value, dict) else {}


def not_found(exc: ClientRequestException) -> bool:
    return exc.status_code == 404 or exc.error_code in NOT_FOUND_CODES


def shown(remote: Remote, what: str, method: str, request: Any) -> dict[str, Any] | None:
    """An object read through the v1 API, or None when the remote has none of that name."""
    try:
        return raw(getattr(remote.client, method)(request))
    except ClientRequestException as exc:
        if not_found(exc):
            return None
        raise RemoteFailure(f"Reading {what} on {remote.label} failed: {reason(exc)}.") from exc
    except SdkException as exc:
        raise RemoteFailure(f"Reading {what} on {remote.label} failed: {reason(exc)}.") from exc


def resources_by_name(remote: Remote, names: set[str]) -> dict[str, dict[str, Any]]:
    """The remote's resources named in ``names``, as ShowResource gives them (ListResources finds ids)."""
    found: dict[str, str] = {}
    offset = 0
    while names - set(found):
        page = raw(
            call(
                remote,
                "Listing the resources",
                "list_resources",
                ListResourcesRequest(workspace=remote.workspace, limit=PAGE, offset=offset),
            )
        )
        rows = page.get("resources") or []
        for row in rows:
            if isinstance(row, dict) and row.get("name") in names and row.get("id"):
                found[str(row["name"])] = str(row["id"])
        offset += len(rows)
        if not rows or offset >= int(page.get("total") or 0):
            break
    documents = {}
    for name, resource_id in found.items():
        document = shown(
            remote,
            f"resource {name}",
            "show_resource",
            ShowResourceRequest(workspace=remote.workspace, resource_id=resource_id),
        )
        if document is not None:
            documents[name] = document
    return documents
