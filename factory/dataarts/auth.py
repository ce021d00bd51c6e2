"""SDK-HMAC-SHA256 request signatures, verified exactly as Huawei's SDK (``huaweicloudsdkcore``) makes them.

The SDK signs every request with the user's AK/SK::

    Authorization: SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=content-type;host;...;x-sdk-date, Signature=<hex>

    canonical request = METHOD \\n canonical URI \\n canonical query \\n canonical headers \\n
                        signed headers \\n hex(sha256(body))
    string to sign    = "SDK-HMAC-SHA256" \\n X-Sdk-Date \\n hex(sha256(canonical request))
    signature         = hex(hmac_sha256(SK, string to sign))

This module rebuilds the canonical request from what the views will read (the path and the query as
Django decoded them, the signed headers, the raw body), recomputes the signature with the key's secret
and compares in constant time. So that a signature covers everything that decides what a request does,
the headers choosing its workspace, project or body encoding must be signed when present, a query key
may not repeat, and a signature is accepted once (``factory.dataarts.replay``). Secrets and signatures
are never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast
from urllib.parse import quote

from django.contrib.auth.models import User
from django.http import QueryDict
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from factory.dataarts.errors import INVALID_PARAMETER, DataArtsError, SignatureInvalid
from factory.dataarts.replay import signature_use_record
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
# Headers that choose what a request acts on (its workspace, its project) or how its signed body is read
# (the charset): added unsigned to a captured request, they would turn it into another request.
SIGNED_IF_PRESENT = ("Content-Type", "workspace", "X-Project-Id")

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
    """Each segment of the path as Django decoded it (``request.path``, what the URL resolver reads)
    percent-encoded, always ending in a slash.

    The SDK decodes its (encoded) resource path once; the server decodes the path it receives once. Not
    decoding again here keeps ``%2541`` (a name holding ``%41``) from passing for a signed ``A``.
    """
    uri = "/".join(_encode(segment) for segment in path.split("/"))
    return uri if uri.endswith("/") else uri + "/"


def canonical_query_string(query: QueryDict) -> str:
    """``k=v`` pairs as Django parsed them (``request.GET``: ``+`` is a space, ``%2B`` a plus), sorted
    by key then value, percent-encoded as the SDK encodes them and joined with ``&``.

    Canonicalising the parsed query, not the raw string, makes what is signed what the view reads.
    """
    pairs = sorted((key, value) for key, values in query.lists() for value in values)
    return "&".join(f"{_encode(key)}={_encode(value)}" for key, value in pairs)


def query_single_values_check(query: QueryDict) -> None:
    """Refuse a query that repeats a key: views read one value (the last), so ``a=1&a=2`` would mean
    something other than what a client signing a list meant. No v1 operation takes a list."""
    repeated = sorted(key for key, values in query.lists() if len(values) > 1)
    if repeated:
        raise DataArtsError(
            f"The query parameter {repeated[0]!r} is given more than once; "
            "each query parameter may appear only once.",
            error_code=INVALID_PARAMETER,
        )


def canonical_request_build(
    *,
    method: str,
    path: str,
    query: QueryDict,
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
            canonical_query_string(query),
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


def sdk_date_parse(value: str | None, *, now: datetime) -> datetime:
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
    return signed_at


def request_signature_verify(
    *,
    method: str,
    path: str,
    query: QueryDict,
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    authorization: Authorization,
    now: datetime,
) -> datetime:
    """Raise SignatureInvalid unless ``authorization`` is a valid signature of this request by ``secret``;
    return the time it was signed (``X-Sdk-Date``).

    ``path`` and ``query`` are the request as Django decoded it (``request.path``, ``request.GET``);
    ``headers`` is case-insensitive (Django's ``request.headers``).
    """
    missing_required = [name for name in REQUIRED_SIGNED_HEADERS if name not in authorization.signed_headers]
    if missing_required:
        raise SignatureInvalid(f"SignedHeaders must include {', '.join(missing_required)}")
    unsigned = [
        name
        for name in SIGNED_IF_PRESENT
        if headers.get(name) is not None and name.lower() not in authorization.signed_headers
    ]
    if unsigned:
        raise SignatureInvalid(
            f"the {unsigned[0]} header is in the request but not among its SignedHeaders; "
            "sign it or leave it out"
        )
    values: dict[str, str] = {}
    for name in authorization.signed_headers:
        raw = headers.get(name)
        if raw is None:
            raise SignatureInvalid(f"the signed header {name!r} is not in the request")
        values[name] = _header_value(raw)
    signed_at = sdk_date_parse(values["x-sdk-date"], now=now)

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
        query=query,
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
    return signed_at


def _masked(access_key_id: str) -> str:
    return access_key_id[:4] + "*" * max(len(access_key_id) - 4, 0)


class SdkHmacAuthentication(BaseAuthentication):
    """DRF authentication by an AK/SK signature; the request acts as the key's owner.

    ``request.auth`` is the AccessKey. Unknown, revoked or inactive-owner keys, bad signatures,
    tampered bodies, stale dates, unsigned ``workspace``/``X-Project-Id``/``Content-Type`` headers and
    replayed signatures are all 401 ``APIGW.0301``; a repeated query key is 400 ``DLF.3051``.
    """

    def authenticate(self, request: Request) -> tuple[User, AccessKey] | None:
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
        query = request._request.GET  # the very QueryDict the views read (DRF's query_params)
        query_single_values_check(query)
        now = timezone.now()
        method = cast(str, request.method)  # Django sets it on every request it hands to a view
        try:
            signed_at = request_signature_verify(
                method=method,
                path=request._request.path,
                query=query,
                headers=request._request.headers,
                body=request._request.body,
                secret=secret,
                authorization=authorization,
                now=now,
            )
            signature_use_record(
                access_key_id=access_key.access_key_id,
                signature=authorization.signature,
                method=method,
                signed_at=signed_at,
                now=now,
                window=MAX_CLOCK_SKEW,
            )
        except SignatureInvalid as exc:
            logger.info("v1 request signed with %s refused: %s", access_key.access_key_id, exc.detail)
            raise
        access_key_mark_used(access_key=access_key)
        return access_key.user, access_key

    def authenticate_header(self, request: Request) -> str:
        return ALGORITHM
