"""Deployment hardening: ``manage.py check --deploy`` passes with production settings, and every answer
carries the security headers (a Content-Security-Policy included) that the settings and
``factory.api.security`` promise."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.security.world import World, v1_call

REPO_ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="factory.settings",
        HTTPS="1",
        SECRET_KEY=secrets.token_urlsafe(64),  # 86 characters, as a generated production key
        ALLOWED_HOSTS="console.example.com",
        VAR_DIR=str(tmp_path / "var"),  # never the developer's var/
        **extra,
    )
    return env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings(tmp_path: Path) -> None:
    result = _manage(_production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_security_checks_of_check_deploy_pass(tmp_path: Path) -> None:
    """The security part alone (what the settings' HTTPS block answers for)."""
    result = _manage(
        _production_env(tmp_path), "check", "--deploy", "--tag", "security", "--fail-level", "WARNING"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_https_settings(tmp_path: Path) -> None:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps({k: "
        "getattr(s, k, None) for k in ('DEBUG', 'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE', "
        "'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
        "'SECURE_PROXY_SSL_HEADER', 'SESSION_COOKIE_HTTPONLY', 'X_FRAME_OPTIONS')}))"
    )
    env = _production_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_COOKIE_HTTPONLY": True,
        "X_FRAME_OPTIONS": "DENY",
    }
    # Without HTTPS=1 (the embedded run on plain HTTP) the deploy check says what is missing.
    plain = _manage({**env, "HTTPS": ""}, "check", "--deploy", "--tag", "security", "--fail-level", "WARNING")
    assert plain.returncode != 0 and "SECURE_HSTS_SECONDS" in plain.stderr + plain.stdout


# --- headers -----------------------------------------------------------------------------------------


@pytest.fixture
def built(tmp_path, settings):
    """A Vite build of the console in a static directory of its own (as tests/api/test_accounts_pages)."""
    console = tmp_path / "static" / "console"
    (console / ".vite").mkdir(parents=True)
    manifest = {"index.html": {"file": "assets/index-abc123.js", "isEntry": True, "css": ["assets/i.css"]}}
    (console / ".vite" / "manifest.json").write_text(json.dumps(manifest))
    settings.STATICFILES_DIRS = [tmp_path / "static"]


def _csp(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def _common_headers(response) -> None:
    path = response.request["PATH_INFO"]
    assert response["X-Content-Type-Options"] == "nosniff", path
    assert response["X-Frame-Options"] == "DENY", path
    assert response["Referrer-Policy"] == "same-origin", path
    assert response["Cross-Origin-Opener-Policy"] in ("same-origin", "unsafe-none"), path


def _html_policy(response) -> dict[str, list[str]]:
    csp = _csp(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"][0] == "'self'" and "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]  # React Flow's inline styles
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["connect-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    return csp


def test_pages_carry_the_security_headers_and_the_csp(world: World, built) -> None:
    client = Client()
    login = client.get("/login/")
    assert login.status_code == 200
    _common_headers(login)
    _html_policy(login)

    client.force_login(world.a.admin)
    for path in ("/", "/jobs/42", "/downloads"):
        page = client.get(path)
        assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
        _common_headers(page)
        _html_policy(page)
        # Every script the page loads comes from this origin.
        for src in re.findall(r'<script[^>]*\bsrc="([^"]+)"', page.content.decode()):
            assert src.startswith("/static/"), src


def test_inline_scripts_of_the_console_carry_the_csp_nonce(world: World, built) -> None:
    client = Client()
    client.force_login(world.a.admin)
    page = client.get("/")
    csp = _html_policy(page)
    nonces = [
        s.removeprefix("'nonce-").removesuffix("'") for s in csp["script-src"] if s.startswith("'nonce-")
    ]
    html = page.content.decode()
    inline = [
        tag
        for tag in re.findall(r"<script\b[^>]*>", html)
        if "src=" not in tag and "application/json" not in tag
    ]
    for tag in inline:
        match = re.search(r'nonce="([^"]+)"', tag)
        assert match and match[1] in nonces, f"{tag} would be blocked by {page['Content-Security-Policy']}"


def test_api_answers_carry_the_security_headers(world: World) -> None:
    client = Client()
    anonymous = client.get("/api/session/")
    assert anonymous.status_code == 403
    client.force_login(world.a.admin)
    answers = [
        anonymous,
        client.get("/api/session/"),
        client.get(f"/api/workspaces/{world.a.workspace.pk}/jobs/"),
        client.get(f"/api/workspaces/{world.b.workspace.pk}/jobs/"),  # 404
        client.get("/api/schema/"),
        v1_call(
            Client(),
            key=world.keys[world.a.admin.username],
            method="GET",
            path=f"/v1/{world.project_id}/jobs",
            workspace=None,
        ),
        Client().get(f"/v1/{world.project_id}/jobs"),  # 401
        Client().get("/v1/nothing/here"),  # APIGW.0101
    ]
    for answer in answers:
        _common_headers(answer)
        assert answer["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'", (
            answer.request["PATH_INFO"]
        )
    assert answers[1].status_code == 200 and answers[5].status_code == 200
    # Access-key secrets are shown once: that answer must not be stored by a cache.
    created = client.post("/api/access-keys/", {}, content_type="application/json")
    assert created.status_code == 201 and created["Cache-Control"] == "no-store"


def test_swagger_ui_page_works_under_its_csp(world: World, settings) -> None:
    """The docs page loads Swagger UI from this origin (drf-spectacular-sidecar), its initialisation as a
    script file, not inline: it gets the console's own policy, with no CDN and no 'unsafe-inline'.
    (Before, it loaded swagger-ui-dist@latest from a CDN with 'unsafe-inline' allowed.)"""
    client = Client()
    client.force_login(world.a.admin)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    _common_headers(page)
    csp = _html_policy(page)
    assert "'unsafe-inline'" not in csp["script-src"] and csp["script-src"] == ["'self'"]
    html = page.content.decode()
    sources = re.findall(r'<script[^>]*\bsrc="([^"]+)"', html)
    sheets = re.findall(r'<link[^>]*href="([^"]+)"', html)
    assert sources and sheets
    for url in sources + sheets:
        assert not url.startswith(("http:", "https:", "//")), f"{url} is not served from this origin"
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script would be blocked"
    for url in sources:
        target = url.replace("&amp;", "&")
        answer = client.get(target)
        if target.startswith(settings.STATIC_URL):
            assert answer.status_code == 200 or finders.find(target.removeprefix(settings.STATIC_URL)), url
        else:  # the initialisation script: JavaScript, pointing Swagger UI at the same-origin schema
            assert answer.status_code == 200 and answer["Content-Type"].startswith("application/javascript")
            assert "/api/schema/" in answer.content.decode()
    assert client.get("/api/schema/").status_code == 200


def test_the_docs_and_the_schema_need_a_login(world: World) -> None:
    """Both were public: the schema lists every operation of the console API."""
    anonymous = Client()
    page = anonymous.get("/api/docs/")
    assert page.status_code == 302 and page["Location"] == "/login/?next=/api/docs/"
    assert anonymous.get("/api/schema/").status_code == 403  # YAML by default, in the schema's format
    schema = anonymous.get("/api/schema/", headers={"Accept": "application/json"})
    assert schema.status_code == 403
    assert schema.json() == {
        "message": "Authentication credentials were not provided.",
        "code": "not_authenticated",
        "extra": {"fields": {}},
    }


def test_hsts_and_https_redirect_when_https_is_on(world: World, settings) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    plain = Client().get("/api/session/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    secure = Client().get("/login/", headers={"X-Forwarded-Proto": "https"})
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert secure.cookies["csrftoken"]["secure"] is True
