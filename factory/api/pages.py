"""The page shell: /login/, /logout/ and the single-page console at / and every client-side route.

The console's assets are Vite's build output in ``static/console/``; its manifest
(``static/console/.vite/manifest.json``) names the hashed files of the ``index.html`` entry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, re_path
from django.views.decorators.csrf import ensure_csrf_cookie

MANIFEST = "console/.vite/manifest.json"
ENTRY = "index.html"


@dataclass(frozen=True)
class ConsoleAssets:
    """The static paths (relative to STATIC_URL) of the console's entry script, its CSS and preloads."""

    script: str
    css: tuple[str, ...] = ()
    preload: tuple[str, ...] = field(default_factory=tuple)


@lru_cache(maxsize=4)
def _assets_from(manifest_path: str, mtime: float) -> ConsoleAssets | None:
    manifest = json.loads(Path(manifest_path).read_text())
    entry = manifest.get(ENTRY) or next((c for c in manifest.values() if c.get("isEntry")), None)
    if not entry or not entry.get("file"):
        return None
    css: list[str] = []
    preload: list[str] = []
    seen: set[str] = set()

    def visit(chunk: dict, is_entry: bool) -> None:
        for sheet in chunk.get("css", []):
            if f"console/{sheet}" not in css:
                css.append(f"console/{sheet}")
        if not is_entry:
            preload.append(f"console/{chunk['file']}")
        for name in chunk.get("imports", []):
            if name not in seen and name in manifest:
                seen.add(name)
                visit(manifest[name], False)

    visit(entry, True)
    return ConsoleAssets(script=f"console/{entry['file']}", css=tuple(css), preload=tuple(preload))


def console_assets_get() -> ConsoleAssets | None:
    """The built console's assets, or None when ``frontend/`` has not been built (re-read when rebuilt)."""
    manifest_path = finders.find(MANIFEST)
    if not manifest_path and settings.STATIC_ROOT and (Path(settings.STATIC_ROOT) / MANIFEST).is_file():
        manifest_path = str(Path(settings.STATIC_ROOT) / MANIFEST)  # a deployment with collected files only
    if not manifest_path:
        return None
    try:
        return _assets_from(manifest_path, Path(manifest_path).stat().st_mtime)
    except (OSError, ValueError):
        return None


@login_required
@ensure_csrf_cookie
def console(request: HttpRequest, route: str = "") -> HttpResponse:
    assets = console_assets_get()
    if assets is None:
        return render(request, "console_unbuilt.html", status=503)
    config = {
        "user": {"username": request.user.get_username(), "id": request.user.pk},
        "csrfHeader": "X-CSRFToken",
        # The import wizard refuses a larger file before uploading it, naming this (the server's) limit.
        "packageMaxBytes": settings.PACKAGE_MAX_PACKED_BYTES,
    }
    return render(request, "console.html", {"assets": assets, "console_config": config})


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    next_page = "/"


urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="/login/"), name="logout"),
    path("", console, name="console"),
    # Client-side routes (/jobs/..., /downloads, ...): everything but the API, the v1 API, admin, static
    # files, and /login or /logout without their slash (which APPEND_SLASH redirects).
    re_path(r"^(?!(?:api|v1|admin|static|media)(?:/|$)|(?:login|logout)$).+$", console, name="console-route"),
]
