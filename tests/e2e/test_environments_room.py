"""The Environments room in Chromium: an admin creates an environment profile to another workspace with a
connection mapping and a rewrite rule (a catastrophic expression refused at its field first), and sees it
listed; a developer may only read it.

Run with the services and a built console (see test_console.py).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from factory.promotion.models import EnvironmentProfile
from tests.builders import workspace_make
from tests.e2e.conftest import login, logout, shot

pytestmark = pytest.mark.e2e


def open_room(page) -> None:
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Environments").click()
    page.get_by_role("heading", name="Environments", level=1).wait_for()


def test_an_admin_creates_a_profile_with_a_mapping_and_a_rewrite_rule(page, demo):
    production = workspace_make("production", admin=demo.admin)
    login(page, "admin")
    open_room(page)
    expect(page.get_by_role("table", name="Environment profiles")).to_contain_text("No environment profiles.")
    page.get_by_role("button", name="Create Environment Profile").click()
    dialog = page.get_by_role("dialog", name="Create Environment Profile")
    dialog.get_by_label("Name", exact=True).fill("to_production")
    dialog.get_by_label("Target workspace").select_option(label="production")
    dialog.get_by_role("button", name="Add mapping").click()
    dialog.get_by_label("Mapping 1 kind").select_option("connection")
    dialog.get_by_label("Mapping 1 connection type").select_option("DWS")
    dialog.get_by_label("Mapping 1 name").fill("doctest")
    dialog.get_by_label("Mapping 1 replacement").fill("dws_prod")
    dialog.get_by_role("button", name="Add rewrite rule").click()
    dialog.get_by_label("Rule 1 find").fill("dev_dw.")
    dialog.get_by_label("Rule 1 replace").fill("prod_dw.")
    # An expression that could run for ever: the server refuses it, at its row.
    dialog.get_by_role("button", name="Add rewrite rule").click()
    dialog.get_by_label("Rule 2 find").fill("(a+)+$")
    dialog.get_by_label("Rule 2 replace").fill("x")
    dialog.get_by_label("Rule 2 regular expression").check()
    dialog.get_by_role("button", name="Save").click()
    rules = dialog.get_by_role("group", name="Rewrite rules")
    expect(rules.get_by_role("alert")).to_contain_text("a repeated group can take exponential time")
    shot(page, "30-environment-profile-form")
    assert not EnvironmentProfile.objects.exists()

    dialog.get_by_role("button", name="Remove rule 2").click()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    table = page.get_by_role("table", name="Environment profiles")
    row = table.get_by_role("row").filter(has_text="to_production")
    expect(row).to_contain_text("Workspace production")
    expect(row.get_by_role("cell").nth(2)).to_have_text("1")  # mappings
    expect(row.get_by_role("cell").nth(3)).to_have_text("1")  # rewrite rules
    shot(page, "31-environments-room")

    profile = EnvironmentProfile.objects.get()
    assert (profile.workspace, profile.target_workspace) == (demo.workspace, production)
    assert profile.mappings == [
        {"kind": "connection", "name": "doctest", "connectionType": "DWS", "replace": "dws_prod"}
    ]
    assert profile.rewrite_rules == [
        {"find": "dev_dw.", "replace": "prod_dw.", "regex": False, "wholeWord": True}
    ]

    # Opened again, the form shows what was saved.
    table.get_by_role("button", name="Edit to_production").click()
    dialog = page.get_by_role("dialog", name="Environment Profile to_production")
    expect(dialog.get_by_label("Mapping 1 replacement")).to_have_value("dws_prod")
    expect(dialog.get_by_label("Rule 1 find")).to_have_value("dev_dw.")
    dialog.get_by_role("button", name="Cancel").click()

    # A developer reads the profile but cannot change it.
    logout(page)
    login(page, "developer")
    open_room(page)
    expect(page.get_by_role("button", name="Create Environment Profile")).to_have_count(0)
    page.get_by_role("button", name="View to_production").click()
    dialog = page.get_by_role("dialog", name="Environment Profile to_production")
    expect(dialog.get_by_label("Mapping 1 name")).to_be_disabled()
    expect(dialog.get_by_role("button", name="Save")).to_have_count(0)
