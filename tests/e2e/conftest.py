"""Browser tests of the console: the demo workspace in the test database, a logged-in Chromium page, and
screenshots of the main screens for docs/screenshots/.

The console must be built first (``make frontend``, or ``cd frontend && npm run build``): the tests drive
the real single-page app that Django serves from static/console/.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from factory.demo.services import demo_seed
from factory.workspaces.models import Membership, Workspace
from tests.connections.pg import pg_login  # noqa: F401 (fixture: a PostgreSQL login for the Test button)

REPO_ROOT = Path(__file__).resolve().parents[2]
MANIFEST = REPO_ROOT / "static" / "console" / ".vite" / "manifest.json"
# Screenshots go to test-results/screenshots/ on every run; `SCREENSHOTS=docs` (make screenshots) refreshes
# the committed ones in docs/screenshots/ instead, so that a test run leaves the work tree clean.
SCREENSHOTS = (
    REPO_ROOT / "docs" / "screenshots"
    if os.environ.get("SCREENSHOTS") == "docs"
    else REPO_ROOT / "test-results" / "screenshots"
)
PASSWORD = "e2e-Passw0rd!"


@dataclass
class Demo:
    workspace: Workspace
    developer: Any
    admin: Any


@pytest.fixture(autouse=True)
def _console_built() -> None:
    if not MANIFEST.exists():
        pytest.fail(
            "the console is not built: run `make frontend` (or `cd frontend && npm ci && npm run build`) first",
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(transactional_db, tmp_path) -> Demo:
    """The demo workspace of `make run` (doc1 on connection doctest, 30 jobs in directories, another DWS
    connection dws_backup), with known passwords for admin and developer."""
    demo_seed(var_dir=tmp_path)
    users = get_user_model().objects
    developer, admin = users.get(username="developer"), users.get(username="admin")
    for user in (developer, admin):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    workspace = Membership.objects.select_related("workspace").get(user=developer).workspace
    return Demo(workspace=workspace, developer=developer, admin=admin)


def login(page: Any, username: str = "developer", password: str = PASSWORD) -> None:
    page.set_viewport_size({"width": 1600, "height": 900})  # a console-sized window for the screenshots
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log In").click()
    page.get_by_role("tree", name="Jobs directory").wait_for()


def logout(page: Any) -> None:
    """The user menu's Log Out: back on the login page."""
    page.get_by_role("button", name=re.compile(r"^User menu for ")).click()
    page.get_by_role("menuitem", name="Log Out").click()
    page.get_by_role("button", name="Log In").wait_for()


def workspace_settings(page: Any) -> Any:
    """The top bar's Workspace Settings dialog, open."""
    page.get_by_role("button", name="Workspace Settings").click()
    dialog = page.get_by_role("dialog", name="Workspace Settings")
    dialog.get_by_text("OBS Allow-List", exact=True).wait_for()  # read or editable, once loaded
    return dialog


def allow_list_add(dialog: Any, entry: str) -> None:
    """Add entry: a new row of the OBS allow-list, filled in."""
    dialog.get_by_role("button", name="Add entry").click()
    dialog.get_by_role("textbox", name=re.compile(r"^Allow-list entry \d+$")).last.fill(entry)


def jobs_tree(page: Any) -> Any:
    return page.get_by_role("tree", name="Jobs directory")


def tree_item(page: Any, name: str) -> Any:
    return jobs_tree(page).get_by_role("treeitem", name=name, exact=True)


def open_job(page: Any, name: str) -> None:
    """Double-click a job in the directory: its canvas opens in a tab."""
    tree_item(page, name).dblclick()
    page.get_by_role("toolbar", name=f"{name} toolbar").wait_for()
    page.locator(".tab-panel:not([hidden]) .flow-node").first.wait_for()


def jobs_menu(page: Any, item: str) -> None:
    page.get_by_role("button", name="Jobs menu").click()
    page.get_by_role("menuitem", name=item, exact=True).click()


def shot(page: Any, name: str) -> None:
    """A screenshot of what the user sees now, kept as <name>.png under SCREENSHOTS."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(250)  # let transitions (progress bars, fit-view) settle
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def job_names_in(zip_path: Path) -> set[str]:
    """The jobs in a package, whichever of DataArts' two layouts it uses."""
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
    found = set()
    for name in names:
        match = re.fullmatch(r"jobs/(?:[^/]+/)?([^/]+)\.job", name)
        if match:
            found.add(match.group(1))
    return found


def connection_create_by_clicking(page: Any, name: str, login_: Any) -> None:
    """The Connections room's Create Data Connection: a DWS connection to the harness's PostgreSQL with
    ``login_``'s user and password typed in, tested (it connects), then saved."""
    from playwright.sync_api import expect

    page.get_by_role("navigation", name="Console").get_by_role("link", name="Connections").click()
    page.get_by_role("button", name="Create Data Connection").click()
    dialog = page.get_by_role("dialog", name="Create Data Connection")
    expect(dialog.get_by_label("Data Connection Type")).to_have_value("DWS")
    dialog.get_by_label("Name", exact=True).fill(name)
    dialog.get_by_label("Host", exact=True).fill(login_.host)
    dialog.get_by_label("Port", exact=True).fill(str(login_.port))
    dialog.get_by_label("Username", exact=True).fill(login_.user)
    dialog.get_by_label("Password", exact=True).fill(login_.password)
    dialog.get_by_role("button", name="Test").click()
    expect(dialog.get_by_role("status", name="Test result")).to_contain_text(
        f"Test succeeded: connected to postgres {login_.version} as {login_.user}", timeout=15_000
    )
    shot(page, "02-create-connection")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(
        page.get_by_role("table", name="Data connections").get_by_role("button", name=name, exact=True)
    ).to_be_visible()
