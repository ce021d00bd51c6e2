"""Web-layer hardening that Django's settings cannot express: a Content-Security-Policy on every answer,
and a request-size limit enforced from ``Content-Length`` before any body is read.

Django 5.2 has no built-in CSP. ``ContentSecurityPolicyMiddleware`` sets one per kind of answer:

* HTML pages (the console, the login page, the admin): ``settings.CONTENT_SECURITY_POLICY``: scripts,
  styles, images and API calls from this origin only (styles may be inline: React Flow positions its
  nodes with inline styles), never framed. A template that needs an inline script gives it
  ``nonce="{{ request.csp_nonce }}"``; the nonce joins ``script-src`` only when a page used it.
* The Swagger UI at ``/api/docs/``: drf-spectacular's page initialises Swagger UI with an inline script
  and loads it from ``SPECTACULAR_SETTINGS["SWAGGER_UI_DIST"]`` (a CDN unless drf-spectacular-sidecar
  serves it locally): that origin and inline scripts are allowed on that one page only.
* Everything else (JSON, zips, static files): ``default-src 'none'; frame-ancestors 'none'``.

Django bounds a JSON body by ``DATA_UPLOAD_MAX_MEMORY_SIZE`` only when something reads ``request.body``,
and answers an oversized one with its HTML 400 page; a multipart upload's files are not bounded at all
(they stream to a temporary file whatever their size, and the import service refuses an oversized
package only once it is on disk). ``RequestSizeLimitMiddleware`` refuses, with 413 and the API's own error
shape, any ``/api/`` or ``/v1/`` request whose declared length exceeds ``PACKAGE_MAX_PACKED_BYTES`` plus
``UPLOAD_FORM_OVERHEAD_BYTES`` (a multipart upload: the package and its form fields) or
``DATA_UPLOAD_MAX_MEMORY_SIZE`` (any other body), before reading a byte of it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

CSP_HEADER = "Content-Security-Policy"
NON_HTML_POLICY = "default-src 'none'; frame-ancestors 'none'"
DOCS_PATH = "/api/docs/"


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


def docs_policy() -> str:
    """The console policy, plus what drf-spectacular's Swagger UI page needs."""
    from drf_spectacular.settings import spectacular_settings

    dist = str(spectacular_settings.SWAGGER_UI_DIST)
    parts = urlsplit(dist)
    cdn = [f"{parts.scheme}://{parts.netloc}"] if parts.scheme in ("http", "https") and parts.netloc else []
    return policy_render(
        _with(
            settings.CONTENT_SECURITY_POLICY,
            script_src=[*cdn, "'unsafe-inline'"],
            style_src=cdn,
            img_src=cdn,
        )
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = CspNonce()
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        if CSP_HEADER in response:  # a view that knows better
            return response
        if request.path_info == DOCS_PATH:
            response[CSP_HEADER] = docs_policy()
        elif response.get("Content-Type", "").startswith("text/html"):
            directives = settings.CONTENT_SECURITY_POLICY
            if nonce.used:
                directives = _with(directives, script_src=[f"'nonce-{nonce}'"])
            response[CSP_HEADER] = policy_render(directives)
        else:
            response[CSP_HEADER] = NON_HTML_POLICY
        return response


API_PREFIXES = ("/api/", "/v1/")


def request_size_limit(request: HttpRequest) -> int | None:
    """The most bytes a request to this path with this content type may declare; None: no limit here."""
    if not request.path_info.startswith(API_PREFIXES):
        return None
    content_type = request.META.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
    if content_type == "multipart/form-data":
        return settings.PACKAGE_MAX_PACKED_BYTES + settings.UPLOAD_FORM_OVERHEAD_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # None when an operator switched the limit off


def _too_large(request: HttpRequest, length: int, limit: int) -> JsonResponse:
    what = "package upload" if limit > (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) else "request body"
    message = f"The {what} is {length} bytes; at most {limit} bytes are accepted."
    if request.path_info.startswith("/v1/"):  # DataArts' shape, as the v1 API answers RequestDataTooBig
        return JsonResponse({"error_code": "DLF.3051", "error_msg": message}, status=413)
    return JsonResponse(
        {"message": message, "code": "request_too_large", "extra": {"fields": {}}}, status=413
    )


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = request_size_limit(request)
        if limit is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0  # Django reads no body it cannot measure
            if length > limit:
                return _too_large(request, length, limit)
        return self.get_response(request)
