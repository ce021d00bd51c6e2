"""Login lockout (django-axes, factory.api.accounts.lockout): after AXES_FAILURE_LIMIT failed logins for one
username from one address, that pair is refused on every login route, the right password included, with
a message that says what happened and what to do; other addresses and other usernames are not affected,
and `manage.py axes_reset` clears it."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client

from tests.builders import PASSWORD, user_make

pytestmark = pytest.mark.django_db
JSON = "application/json"
LIMIT = 3
ATTACKER = "203.0.113.7"
MESSAGE = (
    "Too many failed logins for this username from your address: logging in is locked. "
    "Try again in 15 minutes, or ask an administrator to clear it."
)


@pytest.fixture(autouse=True)
def _lockout(settings) -> None:
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _api_login(client: Client, username: str, password: str, address: str = ATTACKER):
    return client.post(
        "/api/session/login/", {"username": username, "password": password}, JSON, REMOTE_ADDR=address
    )


def test_the_api_login_locks_a_username_from_one_address(settings) -> None:
    user_make("dev")
    user_make("other")
    client = Client()
    for _ in range(LIMIT - 1):
        wrong = _api_login(client, "dev", "guess")
        assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_credentials"

    locked = _api_login(client, "dev", "guess")  # the failure that reaches the limit
    assert locked.status_code == 429
    assert locked.json() == {
        "message": MESSAGE,
        "code": "login_locked_out",
        "extra": {"fields": {}, "retryAfterSeconds": 900},
    }
    assert locked["Retry-After"] == "900"

    # The right password no longer helps from that address, and no session is made.
    right = _api_login(client, "dev", PASSWORD)
    assert right.status_code == 429 and right.json()["code"] == "login_locked_out"
    assert client.get("/api/session/").status_code == 403

    # The user from their own address, and another user from the attacker's, still log in.
    assert _api_login(Client(), "dev", PASSWORD, address="198.51.100.20").status_code == 200
    assert _api_login(Client(), "other", PASSWORD).status_code == 200

    # An administrator clears the lockout.
    call_command("axes_reset", verbosity=0)
    assert _api_login(client, "dev", PASSWORD).status_code == 200
    assert client.get("/api/session/").json()["user"]["username"] == "dev"


def test_the_login_page_tells_a_locked_out_user_what_to_do() -> None:
    user_make("alice")
    client = Client(enforce_csrf_checks=True)
    client.get("/login/")
    token = client.cookies["csrftoken"].value

    def post(password: str):
        return client.post(
            "/login/",
            {"username": "alice", "password": password, "csrfmiddlewaretoken": token},
            REMOTE_ADDR=ATTACKER,
        )

    for _ in range(LIMIT - 1):
        wrong = post("nope")
        assert (
            wrong.status_code == 200
            and "Please enter a correct username and password" in wrong.content.decode()
        )

    for password in ("nope", PASSWORD):
        page = post(password)
        assert page.status_code == 429
        html = page.content.decode()
        assert re.search(rf'<div class="errors" role="alert">{re.escape(MESSAGE)}</div>', html)
        assert 'value="alice"' in html  # the form is there again, the username kept
        assert "sessionid" not in client.cookies or not client.cookies["sessionid"].value
    assert AccessAttempt.objects.filter(username="alice", ip_address=ATTACKER).exists()


def test_the_admin_login_is_locked_out_too() -> None:
    user_make("root", is_staff=True)
    client = Client()
    for _ in range(LIMIT):
        answer = client.post(
            "/admin/login/", {"username": "root", "password": "nope", "next": "/admin/"}, REMOTE_ADDR=ATTACKER
        )
    assert answer.status_code == 429 and MESSAGE in answer.content.decode()
    right = client.post(
        "/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"}, REMOTE_ADDR=ATTACKER
    )
    assert right.status_code == 429
    assert client.get("/admin/").status_code == 302  # still sent to the login page


def test_a_success_clears_the_count() -> None:
    """A user who mistypes now and then is never locked out: each success starts the count again."""
    user_make("dev")
    client = Client()
    for _ in range(3):
        for _ in range(LIMIT - 1):
            assert _api_login(client, "dev", "typo").status_code == 400
        assert _api_login(client, "dev", PASSWORD).status_code == 200


def test_the_address_behind_a_proxy_is_the_one_the_proxy_saw(settings) -> None:
    """With LOGIN_LOCKOUT_PROXY_COUNT=1, the address the proxy appended to X-Forwarded-For is counted,
    not the proxy's own, and not what the client wrote into the header itself."""
    settings.LOGIN_LOCKOUT_PROXY_COUNT = 1
    user_make("dev")
    proxy = "10.0.0.2"

    def through_proxy(forwarded_for: str, password: str = "guess"):
        return Client().post(
            "/api/session/login/",
            {"username": "dev", "password": password},
            JSON,
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    for spoofed in range(LIMIT):  # a different invented first entry each time: still one client
        through_proxy(f"192.0.2.{spoofed}, {ATTACKER}")
    assert through_proxy(ATTACKER, PASSWORD).status_code == 429
    assert through_proxy("198.51.100.20", PASSWORD).status_code == 200  # another client of the proxy
