"""Login lockout with django-axes: what a locked-out login is answered, and which address it counts.

After ``AXES_FAILURE_LIMIT`` failed logins for one username from one address, axes refuses that pair for
``AXES_COOLOFF_TIME`` (settings.py) on every login route, the password unchecked. This module gives the
refusal the console's shapes: the console API's error envelope with the stable code ``login_locked_out``
(HTTP 429), and the login page again with a message a person can act on.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from factory.errors import ErrorCode


class LoginLockoutBackend(AxesStandaloneBackend):
    """Axes' check, for logins that come with a request (the web's). A call without one (a management
    command, the shell, a test checking a password) has no address to count and is not a web login: it is
    left to the backends that follow instead of failing, as axes' own backend would."""

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def client_address(request: HttpRequest) -> str | None:
    """The address a login is counted against: the direct peer, or, behind ``LOGIN_LOCKOUT_PROXY_COUNT``
    proxies that each append to X-Forwarded-For, the entry the outermost of them appended (entries left
    of it are the client's to invent)."""
    count = settings.LOGIN_LOCKOUT_PROXY_COUNT
    if count > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")


def _wait_text(cool_off: timedelta | None) -> str:
    if not cool_off:
        return "An administrator must clear the lockout (manage.py axes_reset)."
    minutes = max(1, round(cool_off.total_seconds() / 60))
    return f"Try again in {minutes} minute{'s' if minutes != 1 else ''}, or ask an administrator to clear it."


def lockout_message(request: HttpRequest) -> str:
    return "Too many failed logins for this username from your address: logging in is locked. " + _wait_text(
        get_cool_off(request)
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the answer to a login attempt while its username+address is locked."""
    message = lockout_message(request)
    status = settings.AXES_HTTP_RESPONSE_CODE
    cool_off = get_cool_off(request)
    if request.path_info.startswith("/api/"):
        extra: dict[str, Any] = {"fields": {}}
        if cool_off:
            extra["retryAfterSeconds"] = int(cool_off.total_seconds())
        response: HttpResponse = JsonResponse(
            {"message": message, "code": ErrorCode.LOGIN_LOCKED_OUT, "extra": extra}, status=status
        )
    else:
        username = (credentials or {}).get("username") or ""
        form = AuthenticationForm(request, initial={"username": username})
        response = render(
            request,
            "registration/login.html",
            {"form": form, "lockout_message": message, "next": request.POST.get("next", "")},
            status=status,
        )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
