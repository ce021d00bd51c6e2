"""The console's own static assets (favicon, logo) live in the repository's static/ and every page uses them;
the built frontend stays apart in static/console/ (build output, not committed)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from tests.builders import client_for, user_make

pytestmark = pytest.mark.django_db


def test_the_favicon_and_logo_are_committed_assets_and_the_pages_use_them():
    for name in ("favicon.svg", "logo.svg"):
        found = finders.find(name)
        assert found and found.startswith(str(settings.BASE_DIR / "static")), name
        assert open(found, encoding="utf-8").read().startswith("<svg")

    login = Client().get("/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg"' in login and 'src="/static/logo.svg"' in login
    console = client_for(user_make("someone")).get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg"' in console
