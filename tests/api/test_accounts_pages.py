"""The page shell: /login/, /logout/ and the console at / and every client-side route."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from factory.connections.services import connection_create
from factory.workspaces.services import access_key_create
from tests.builders import PASSWORD, client_for, user_make, workspace_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(tmp_path, settings):
    """A Vite build of the console in a static directory of its own."""
    console = tmp_path / "console"
    (console / ".vite").mkdir(parents=True)
    manifest = {
        "index.html": {
            "file": "assets/index-abc123.js",
            "src": "index.html",
            "isEntry": True,
            "css": ["assets/index-def456.css"],
            "imports": ["_vendor-1.js"],
        },
        "_vendor-1.js": {"file": "assets/vendor-1.js", "css": ["assets/vendor-2.css"]},
    }
    (console / ".vite" / "manifest.json").write_text(json.dumps(manifest))
    settings.STATICFILES_DIRS = [tmp_path]
    return tmp_path


@pytest.fixture
def unbuilt(tmp_path, settings):
    settings.STATICFILES_DIRS = [tmp_path]


def test_login_page_renders_labelled_fields():
    html = Client().get("/login/").content.decode()
    assert re.search(r'<label for="id_username">Username</label>', html)
    assert re.search(r'<label for="id_password">Password</label>', html)
    assert re.search(r'<button type="submit">Log In</button>', html)
    assert "csrfmiddlewaretoken" in html


def test_logging_in_through_the_page_leads_to_the_console(unbuilt):
    user_make("alice")
    client = Client(enforce_csrf_checks=True)
    client.get("/login/")
    token = client.cookies["csrftoken"].value

    wrong = client.post("/login/", {"username": "alice", "password": "nope", "csrfmiddlewaretoken": token})
    assert wrong.status_code == 200
    assert "Please enter a correct username and password" in wrong.content.decode()

    response = client.post(
        "/login/", {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 503  # logged in; the (unbuilt) console answers


def test_login_honours_next():
    user_make("alice")
    response = Client().post(
        "/login/?next=/jobs/7", {"username": "alice", "password": PASSWORD, "next": "/jobs/7"}
    )
    assert response["Location"] == "/jobs/7"


@pytest.mark.parametrize("path", ["/", "/jobs/12", "/downloads", "/import/wizard/step-2"])
def test_anonymous_users_are_sent_to_login(path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("path", ["/api/nothing-here/", "/v1/nothing-here", "/static/none.js"])
def test_the_catch_all_leaves_other_areas_alone(path):
    assert Client().get(path).status_code == 404


def test_login_without_its_slash_is_redirected_to_the_login_page():
    response = Client().get("/login")
    assert response.status_code == 301
    assert response["Location"] == "/login/"


def test_the_console_loads_the_vite_build(built):
    alice = user_make("alice")

    response = client_for(alice).get("/jobs/12")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<script type="module" src="/static/console/assets/index-abc123.js"></script>' in html
    assert '<link rel="stylesheet" href="/static/console/assets/index-def456.css">' in html
    assert '<link rel="stylesheet" href="/static/console/assets/vendor-2.css">' in html
    assert '<link rel="modulepreload" href="/static/console/assets/vendor-1.js">' in html
    config = json.loads(
        re.search(r'<script id="console-config" type="application/json">(.*?)</script>', html)[1]
    )
    assert config == {
        "user": {"username": "alice", "id": alice.pk},
        "csrfHeader": "X-CSRFToken",
        "packageMaxBytes": 512 * 1024 * 1024,  # the server's PACKAGE_MAX_PACKED_BYTES, for the wizard
    }
    assert "window.CONSOLE" in html
    assert "csrftoken" in response.cookies


def test_the_wizard_size_limit_is_the_server_setting(built, settings):
    settings.PACKAGE_MAX_PACKED_BYTES = 64 * 1024 * 1024

    html = client_for(user_make("alice")).get("/").content.decode()

    config = json.loads(
        re.search(r'<script id="console-config" type="application/json">(.*?)</script>', html)[1]
    )
    assert config["packageMaxBytes"] == 64 * 1024 * 1024


def test_an_unbuilt_console_says_how_to_build_it(unbuilt):
    response = client_for(user_make("alice")).get("/")
    text = re.sub(r"<[^>]+>", "", response.content.decode())
    assert "The console's frontend is not built: run make run (or npm run build in frontend/)" in text


def test_logout_is_a_post():
    client = client_for(user_make("alice"))
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert client.get("/api/session/").status_code == 403


def test_admin_pages_never_show_connection_or_access_key_secrets():
    admin = user_make("root", is_staff=True, is_superuser=True)
    workspace = workspace_make("ws", admin=admin)
    connection = connection_create(
        workspace=workspace, user=admin, name="doctest", type="DWS", secrets={"password": "Adm1n-Pa55-Secret"}
    )
    client = client_for(admin)

    for url in (
        f"/admin/connections/dataconnection/{connection.pk}/change/",
        "/admin/connections/dataconnection/",
    ):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Adm1n-Pa55-Secret" not in html
        assert connection.secrets_encrypted not in html
        assert "secrets_encrypted" not in html

    key, secret = access_key_create(user=admin)
    for url in (f"/admin/workspaces/accesskey/{key.pk}/change/", "/admin/workspaces/accesskey/"):
        html = client.get(url).content.decode()
        assert key.access_key_id in html
        assert secret not in html and key.secret_encrypted not in html
    assert client.get(f"/admin/workspaces/workspace/{workspace.pk}/change/").status_code == 200
