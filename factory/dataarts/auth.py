"""SDK-HMAC-SHA256 request signatures, verified exactly as Huawei's SDK (``huaweicloudsdkcore``) makes them.

The SDK signs every request with the user's AK/SK::

    Authorization: SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=content-type;host;...;x-sdk-date, Signature=<hex>

    canonical request = METHOD \\n canonical URI \\n canonical query \\n canonical headers \\n
                        signed headers \\n hex(sha256(body))
    string to sign    = "SDK-HMAC-SHA256" \\n X-Sdk-Date \\n hex(sha256(canonical request))
    signature         = hex(hmac_sha256(SK, string to sign))

This module rebuilds the canonical request from what arrived (path, raw query string, the signed
headers, the raw body), recomputes the signature with the key's secret and compares in constant time.
Secrets and signatures are never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from factory.dataarts.errors import SignatureInvalid
from factory.workspaces.models import AccessKey
from factory.workspaces.selectors import access_key_secret_get
from factory.workspaces.services import access_key_mark_used

logger = logging.getLogger(__name__)

ALGORITHM = "SDK-HMAC-SHA256"
DATE_HEADER = "X-Sdk-Date"
CONTENT_HASH_HEADER = "X-Sdk-Content-Sha256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
MAX_CLOCK_SKEW = timedelta(minutes=15)
EMPTY_BODY_HASH = hashlib.sha256(b"").hexdigest()
# Headers a signature must cover: the date (else a request could be replayed forever) and the host.
REQUIRED_SIGNED_HEADERS = ("host", "x-sdk-date")

_AUTHORIZATION = re.compile(
    r"^SDK-HMAC-SHA256\s+Access=(?P<access>[^,\s]+)\s*,\s*SignedHeaders=(?P<headers>[^,\s]+)\s*,"
    r"\s*Signature=(?P<signature>[0-9a-fA-F]+)\s*$"
)


@dataclass(frozen=True)
class Authorization:
    access_key_id: str
    signed_headers: tuple[str, ...]
    signature: str


def authorization_parse(value: str) -> Authorization:
    match = _AUTHORIZATION.match(value.strip())
    if match is None:
        algorithm = value.split(" ", 1)[0]
        if algorithm != ALGORITHM:
            raise SignatureInvalid(f"unsupported signing algorithm {algorithm[:32]!r}; use {ALGORITHM}")
        raise SignatureInvalid("malformed Authorization header")
    headers = tuple(match["headers"].lower().split(";"))
    return Authorization(match["access"], headers, match["signature"].lower())


def _encode(value: str) -> str:
    return quote(value, safe="~")


def canonical_uri(path: str) -> str:
    """Each segment of the (decoded) path percent-encoded, always ending in a slash."""
    uri = "/".join(_encode(segment) for segment in unquote(path).split("/"))
    return uri if uri.endswith("/") else uri + "/"


def canonical_query_string(query_string: str) -> str:
    """``k=v`` pairs decoded, sorted by key then value, re-encoded and joined with ``&``."""
    pairs = []
    for part in query_string.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        pairs.append((unquote(key), unquote(value)))
    pairs.sort()
    return "&".join(f"{_encode(key)}={_encode(value)}" for key, value in pairs)


def canonical_request_build(
    *,
    method: str,
    path: str,
    query_string: str,
    headers: Mapping[str, str],
    signed_headers: tuple[str, ...],
    body_hash: str,
) -> str:
    """The canonical request; ``headers`` maps lower-case names to values as the client set them."""
    canonical_headers = "".join(f"{name}:{headers[name].strip()}\n" for name in signed_headers)
    return "\n".join(
        [
            method.upper(),
            canonical_uri(path),
            canonical_query_string(query_string),
            canonical_headers,
            ";".join(signed_headers),
            body_hash,
        ]
    )


def string_to_sign_build(*, canonical_request: str, sdk_date: str) -> str:
    digest = hashlib.sha256(canonical_request.encode()).hexdigest()
    return f"{ALGORITHM}\n{sdk_date}\n{digest}"


def signature_compute(*, secret: str, string_to_sign: str) -> str:
    return hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()


def _header_value(raw: str) -> str:
    """A header as the client set it: WSGI hands values over decoded as ISO-8859-1, the SDK sends UTF-8."""
    try:
        return raw.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return raw


def sdk_date_parse(value: str | None, *, now: datetime) -> None:
    if not value:
        raise SignatureInvalid(f"the {DATE_HEADER} header is missing")
    try:
        signed_at = datetime.strptime(value.strip(), DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError as exc:
        raise SignatureInvalid(f"{DATE_HEADER} must look like 20240101T120000Z") from exc
    if abs(now - signed_at) > MAX_CLOCK_SKEW:
        raise SignatureInvalid(
            f"the request was signed at {value.strip()}, more than 15 minutes from the server's time; "
            "check the client's clock"
        )


def request_signature_verify(
    *,
    method: str,
    path: str,
    query_string: str,
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    authorization: Authorization,
    now: datetime,
) -> None:
    """Raise SignatureInvalid unless ``authorization`` is a valid signature of this request by ``secret``.

    ``headers`` is case-insensitive (Django's ``request.headers``).
    """
    missing_required = [name for name in REQUIRED_SIGNED_HEADERS if name not in authorization.signed_headers]
    if missing_required:
        raise SignatureInvalid(f"SignedHeaders must include {', '.join(missing_required)}")
    values: dict[str, str] = {}
    for name in authorization.signed_headers:
        raw = headers.get(name)
        if raw is None:
            raise SignatureInvalid(f"the signed header {name!r} is not in the request")
        values[name] = _header_value(raw)
    sdk_date_parse(values["x-sdk-date"], now=now)

    body_hash = hashlib.sha256(body).hexdigest() if body else EMPTY_BODY_HASH
    declared = headers.get(CONTENT_HASH_HEADER)
    if body and declared is not None:
        # The SDK signs this header's value instead of hashing the body. Accept it only when it is the
        # body's real hash: an UNSIGNED-PAYLOAD would let anyone who sees one request change its body.
        if CONTENT_HASH_HEADER.lower() not in authorization.signed_headers:
            raise SignatureInvalid(f"{CONTENT_HASH_HEADER} must be a signed header")
        if not hmac.compare_digest(declared.strip().lower(), body_hash):
            raise SignatureInvalid("unsigned or mismatching payloads are not accepted")
        body_hash = declared.strip()

    canonical_request = canonical_request_build(
        method=method,
        path=path,
        query_string=query_string,
        headers=values,
        signed_headers=authorization.signed_headers,
        body_hash=body_hash,
    )
    string_to_sign = string_to_sign_build(
        canonical_request=canonical_request, sdk_date=values["x-sdk-date"].strip()
    )
    expected = signature_compute(secret=secret, string_to_sign=string_to_sign)
    if not hmac.compare_digest(expected, authorization.signature):
        raise SignatureInvalid("verify aksk signature fail")


def _masked(access_key_id: str) -> str:
    return access_key_id[:4] + "*" * max(len(access_key_id) - 4, 0)


class SdkHmacAuthentication(BaseAuthentication):
    """DRF authentication by an AK/SK signature; the request acts as the key's owner.

    ``request.auth`` is the AccessKey. Unknown, revoked or inactive-owner keys, bad signatures,
    tampered bodies and stale dates are all 401 ``APIGW.0301``.
    """

    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, AccessKey] | None:
        header = request.headers.get("Authorization")
        if not header:
            return None  # DRF answers NotAuthenticated (401) through the view's permission check
        authorization = authorization_parse(header)
        found = access_key_secret_get(access_key_id=authorization.access_key_id)
        if found is None:
            logger.info(
                "v1 request with an unknown or revoked access key %s", _masked(authorization.access_key_id)
            )
            raise SignatureInvalid(
                f"Get secretKey failed,ak:{_masked(authorization.access_key_id)},err:ak not exist"
            )
        access_key, secret = found
        try:
            request_signature_verify(
                method=request.method,
                path=request._request.path,
                query_string=request._request.META.get("QUERY_STRING", ""),
                headers=request._request.headers,
                body=request._request.body,
                secret=secret,
                authorization=authorization,
                now=timezone.now(),
            )
        except SignatureInvalid as exc:
            logger.info("v1 request signed with %s refused: %s", access_key.access_key_id, exc.detail)
            raise
        access_key_mark_used(access_key=access_key)
        return access_key.user, access_key

    def authenticate_header(self, request: Request) -> str:
        return ALGORITHM
