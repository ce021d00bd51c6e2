"""The built console runs in Chromium under its Content-Security-Policy: the directory, a canvas and the
version diff (a worker from a blob: URL) load, and the browser reports no violation but the known one."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import _console_built, _fast_passwords, demo, login, open_job  # noqa: F401

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push({
  directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, source: e.sourceFile,
}));
"""


def _known(violation: dict[str, Any]) -> bool:
    """templates/console.html's inline `window.CONSOLE = ...` script (no nonce yet; the app falls back
    to the X-CSRFToken default without it): see the Hardening report."""
    return violation["blocked"] == "inline" and violation["directive"].startswith("script-src")


def test_the_console_runs_under_its_csp(page, demo) -> None:  # noqa: F811 - the imported fixture
    page.add_init_script(RECORD_VIOLATIONS)
    response = page.goto("/login/")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    login(page)
    open_job(page, "doc1")
    toolbar = page.get_by_role("toolbar", name="doc1 toolbar")
    toolbar.get_by_role("button", name="Versions").click()
    expect(page.get_by_role("region", name="Versions")).to_be_visible()
    page.wait_for_timeout(300)

    violations = page.evaluate("window.__cspViolations")
    assert [v for v in violations if not _known(v)] == []
    console = page.goto("/")
    policy = console.headers["content-security-policy"]
    assert (
        "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    )


def test_the_api_docs_render_under_the_console_csp(page, demo, live_server) -> None:  # noqa: F811
    """The Swagger UI at /api/docs/ (once logged in) renders the schema with every file from this origin:
    no CSP violation at all, and no request leaves the server (it loaded swagger-ui-dist@latest from a
    CDN, with 'unsafe-inline' scripts allowed, before)."""
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.add_init_script(RECORD_VIOLATIONS)
    login(page)
    response = page.goto("/api/docs/")
    policy = response.headers["content-security-policy"]
    assert (
        "script-src 'self';" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Job development console API")
    expect(page.locator(".opblock-summary-path", has_text="/api/session/login/")).to_be_visible()
    page.wait_for_timeout(300)

    assert page.evaluate("window.__cspViolations") == []
    external = [url for url in requests if not url.startswith((live_server.url, "data:", "blob:"))]
    assert external == []
    assert any("/static/drf_spectacular_sidecar/swagger-ui-dist/" in url for url in requests)


def test_the_api_docs_send_an_anonymous_visitor_to_the_login_page(page, live_server) -> None:
    page.goto("/api/docs/")
    expect(page.get_by_role("button", name="Log In")).to_be_visible()
    assert page.url == f"{live_server.url}/login/?next=/api/docs/"
