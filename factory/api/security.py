"""Web-layer hardening that Django's settings cannot express: a Content-Security-Policy on every answer,
and request-size limits enforced from ``Content-Length`` before any body is read.

Django 5.2 has no built-in CSP. ``ContentSecurityPolicyMiddleware`` sets one per kind of answer:

* HTML pages (the console, the login page, the admin, the Swagger UI at ``/api/docs/``):
  ``settings.CONTENT_SECURITY_POLICY``: scripts, styles, images and API calls from this origin only
  (styles may be inline: React Flow positions its nodes with inline styles), never framed. A template
  that needs an inline script gives it ``nonce="{{ request.csp_nonce }}"``; the nonce joins
  ``script-src`` only when a page used it. The Swagger UI needs nothing more: drf-spectacular-sidecar
  serves its files from ``/static/`` and ``SpectacularSwaggerSplitView`` loads its initialisation as a
  script of this origin instead of an inline one.
* Everything else (JSON, zips, scripts, static files): ``default-src 'none'; frame-ancestors 'none'``.

Django bounds a JSON or form body by ``DATA_UPLOAD_MAX_MEMORY_SIZE`` only when something reads it, and
answers an oversized one with its HTML 400 page; a multipart body's files are not bounded at all: they
stream to a temporary file whatever their size, on any path whose view or middleware reads ``POST``
(the CSRF check of ``/login/`` and ``/admin/login/`` does, for anonymous requests too).
``RequestSizeLimitMiddleware`` refuses, with 413, every request whose declared length exceeds its limit,
before reading a byte of it: ``PACKAGE_MAX_PACKED_BYTES`` plus ``UPLOAD_FORM_OVERHEAD_BYTES`` for a
multipart POST to the import wizard's upload route (the only route that takes a file: the v1 API's
import reads its package from OBS), ``FILE_UPLOAD_MAX_MEMORY_SIZE`` for a multipart body anywhere else
(small enough that Django keeps it in memory), ``DATA_UPLOAD_MAX_MEMORY_SIZE`` for any other body. An
upload without ``Content-Length`` (a chunked body) is refused with 411. The console API answers in its
error envelope, the v1 API in DataArts' shape, pages in plain text.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve

from factory.errors import ErrorCode

CSP_HEADER = "Content-Security-Policy"
NON_HTML_POLICY = "default-src 'none'; frame-ancestors 'none'"


class CspNonce:
    """A per-request nonce, made the first time a template renders it (``{{ request.csp_nonce }}``)."""

    def __init__(self) -> None:
        self._value: str | None = None

    @property
    def used(self) -> bool:
        return self._value is not None

    def __str__(self) -> str:
        if self._value is None:
            self._value = secrets.token_urlsafe(18)
        return self._value


def policy_render(directives: dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {' '.join(sources)}".strip() for name, sources in directives.items())


def _with(directives: dict[str, list[str]], **extra: list[str]) -> dict[str, list[str]]:
    merged = {name: list(sources) for name, sources in directives.items()}
    for name, sources in extra.items():
        name = name.replace("_", "-")
        merged[name] = [*merged.get(name, ["'self'"]), *sources]
    return merged


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = CspNonce()
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        if CSP_HEADER in response:  # a view that knows better
            return response
        if response.get("Content-Type", "").startswith("text/html"):
            directives = settings.CONTENT_SECURITY_POLICY
            if nonce.used:
                directives = _with(directives, script_src=[f"'nonce-{nonce}'"])
            response[CSP_HEADER] = policy_render(directives)
        else:
            response[CSP_HEADER] = NON_HTML_POLICY
        return response


UPLOAD_ROUTE = "transfer:import-create"  # the import wizard's "local PC" upload: the one route taking a file
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _is_upload_route(request: HttpRequest) -> bool:
    if request.method != "POST":
        return False
    try:
        return resolve(request.path_info).view_name == UPLOAD_ROUTE
    except Resolver404:
        return False


def request_size_limit(request: HttpRequest) -> int | None:
    """The most bytes a request to this path with this content type may declare; None: no limit here.

    Only the upload route accepts a package. Anywhere else a multipart body is held to
    ``FILE_UPLOAD_MAX_MEMORY_SIZE``: Django keeps a multipart body of at most that size in memory, so no
    request but an upload can make the server write a temporary file (CSRF checks parse the body of a
    POST to /login/ or /admin/login/ before refusing it, as DRF does for /api/session/login/).
    """
    content_type = request.META.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
    if content_type == "multipart/form-data":
        if _is_upload_route(request):
            return settings.PACKAGE_MAX_PACKED_BYTES + settings.UPLOAD_FORM_OVERHEAD_BYTES
        return settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # None when an operator switched the limit off


def _error(request: HttpRequest, message: str, *, status: int, code: ErrorCode) -> HttpResponse:
    response: HttpResponse
    if request.path_info.startswith("/v1/"):  # DataArts' shape, as the v1 API answers RequestDataTooBig
        response = JsonResponse({"error_code": "DLF.3051", "error_msg": message}, status=status)
    elif request.path_info.startswith("/api/"):
        response = JsonResponse({"message": message, "code": code, "extra": {"fields": {}}}, status=status)
    else:  # a page (the login form, the admin): a plain answer a person can read
        response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    # Answered before the body is read: a client still sending learns at once where the answer ends.
    response["Content-Length"] = str(len(response.content))
    return response


def _too_large(request: HttpRequest, length: int, limit: int) -> HttpResponse:
    upload = _is_upload_route(request) and limit > (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)
    what = "package upload" if upload else "request body"
    message = f"The {what} is {length} bytes; at most {limit} bytes are accepted."
    return _error(request, message, status=413, code=ErrorCode.REQUEST_TOO_LARGE)


def _length_required(request: HttpRequest) -> HttpResponse:
    message = (
        "A package upload must declare its size: send the Content-Length header "
        "(a chunked body without one is refused)."
    )
    return _error(request, message, status=411, code=ErrorCode.LENGTH_REQUIRED)


class RequestSizeLimitMiddleware:
    """Refuses an oversized body from its declared length (413), and an upload that declares none (411),
    before a byte of the body is read."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH")
        if request.method in BODY_METHODS and not declared and _is_upload_route(request):
            # Django reads nothing it cannot measure: the upload would arrive empty, after the server
            # (or a proxy) had accepted a body of unknown size.
            return _length_required(request)
        limit = request_size_limit(request)
        if limit is not None:
            try:
                length = int(declared or 0)
            except ValueError:
                length = 0  # Django reads no body it cannot measure
            if length > limit:
                return _too_large(request, length, limit)
        return self.get_response(request)
