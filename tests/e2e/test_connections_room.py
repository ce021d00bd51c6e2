"""The Connections room in Chromium: an edit that leaves the password blank keeps it (Test still connects
with it, and it is never shown), and an environment variable named like a secret is flagged until masked,
after which its value is stored encrypted and shown only as set."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from factory.connections.models import DataConnection
from factory.connections.services import connection_create
from factory.crypto import secret_decrypt, secrets_decrypt
from factory.development.models import EnvironmentVariable
from tests.e2e.conftest import login, shot

pytestmark = pytest.mark.e2e


def open_room(page, tab: str | None = None) -> None:
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Connections").click()
    if tab:
        page.get_by_role("tab", name=tab).click()


def test_an_edit_with_a_blank_password_keeps_the_stored_one(page, demo, pg_login):
    connection_create(
        workspace=demo.workspace,
        user=demo.developer,
        name="dws_prod",
        type="DWS",
        config={
            "host": pg_login.host,
            "port": pg_login.port,
            "userName": pg_login.user,
            "database": "postgres",
        },
        secrets={"password": pg_login.password},
    )
    login(page)
    open_room(page)
    page.get_by_role("button", name="Edit dws_prod").click()
    dialog = page.get_by_role("dialog", name="Data Connection dws_prod")
    password = dialog.get_by_label("Password", exact=True)
    expect(password).to_have_value("")  # never shown back
    expect(password).to_have_attribute("placeholder", "Set (leave blank to keep it)")
    dialog.get_by_label("Description").fill("production warehouse")
    dialog.get_by_role("button", name="Test").click()
    expect(dialog.get_by_role("status", name="Test result")).to_contain_text(
        f"Test succeeded: connected to postgres {pg_login.version} as {pg_login.user}", timeout=15_000
    )
    dialog.get_by_label("Port", exact=True).fill("70000")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_text("A port is from 1 to 65535.")).to_be_visible()
    dialog.get_by_label("Port", exact=True).fill(str(pg_login.port))
    shot(page, "connections-edit")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()

    table = page.get_by_role("table", name="Data connections")
    expect(table.get_by_role("row", name="dws_prod")).to_contain_text("production warehouse")
    saved = DataConnection.objects.get(workspace=demo.workspace, name="dws_prod")
    assert secrets_decrypt(ciphertext=saved.secrets_encrypted) == {"password": pg_login.password}
    assert pg_login.password not in page.content()


def test_an_environment_variable_named_like_a_secret_is_flagged_until_masked(page, demo):
    login(page)
    open_room(page, "Environment Variables")
    page.get_by_role("button", name="Create Environment Variable").click()
    dialog = page.get_by_role("dialog", name="Create Environment Variable")
    dialog.get_by_label("Parameter").fill("db_password")
    dialog.get_by_label("Value").fill("Hunter2-Secret")
    expect(dialog).to_contain_text("Named like a secret but not masked")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()

    table = page.get_by_role("table", name="Environment variables")
    row = table.get_by_role("row", name="db_password")
    expect(row).to_contain_text("Not masked")
    expect(row).to_contain_text("Hunter2-Secret")
    shot(page, "connections-env-warning")

    page.get_by_role("button", name="Edit db_password").click()
    dialog = page.get_by_role("dialog", name="Environment Variable db_password")
    dialog.get_by_label("Masked").check()
    expect(dialog).not_to_contain_text("Named like a secret but not masked")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()

    expect(row).to_contain_text("Masked (set)")
    expect(row).not_to_contain_text("Not masked")
    expect(table).not_to_contain_text("Hunter2-Secret")
    variable = EnvironmentVariable.objects.get(workspace=demo.workspace, name="db_password")
    assert variable.masked and variable.value == ""
    assert secret_decrypt(ciphertext=variable.value_encrypted) == "Hunter2-Secret"
