"""Promotion in Chromium: tick doc1 in the tree, Promote Job with a profile that remaps its connection
doctest to production's dws_prod, see the change-set, promote, and find doc1 in the production workspace
on dws_prod; the Deployments room lists the promotion with its counts.

Run with the services and a built console (see test_console.py).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from factory.connections.services import connection_create
from factory.development.models import Job
from factory.promotion.models import Promotion
from tests.builders import profile_make, workspace_make
from tests.e2e.conftest import jobs_menu, login, shot, tree_item

pytestmark = pytest.mark.e2e

# The change-set and the apply run in the Celery worker; the dialog polls the promotion meanwhile.
WORKER_MS = 60_000


def test_promote_a_ticked_job_with_a_profile_that_remaps_its_connection(page, demo, live_worker):
    production = workspace_make("production", admin=demo.admin)
    connection_create(
        workspace=production, user=demo.admin, name="dws_prod", type="DWS", config={"host": "10.9.9.9"}
    )
    profile_make(
        workspace=demo.workspace,
        user=demo.admin,
        name="to_production",
        target={"kind": "workspace", "workspaceId": production.pk},
        mappings=[{"kind": "connection", "name": "doctest", "connectionType": "DWS", "replace": "dws_prod"}],
        rewriteRules=[],
    )
    login(page, "admin")
    jobs_menu(page, "Show Check Box")
    tree_item(page, "doc1").locator(".tree-check").click()
    expect(tree_item(page, "doc1")).to_have_attribute("aria-checked", "true")

    jobs_menu(page, "Promote Job")
    dialog = page.get_by_role("dialog", name="Promote")
    expect(dialog).to_contain_text("doc1")
    expect(dialog.get_by_label("Profile")).to_contain_text("to_production → production")
    dialog.get_by_label("Note").fill("first release of doc1")
    dialog.get_by_role("button", name="Show changes").click()
    dialog = page.get_by_role("dialog", name="Promote to production")
    expect(dialog.get_by_role("status", name="Change-set")).to_contain_text("2 new", timeout=WORKER_MS)
    shot(page, "40-promote-change-set")
    assert not Job.objects.filter(workspace=production).exists()

    dialog.get_by_role("button", name="Promote 2 objects").click()
    expect(dialog).to_contain_text("Promoted: 2 created", timeout=WORKER_MS)
    job = Job.objects.get(workspace=production, name="doc1")
    properties = {p["name"]: p["value"] for p in job.document["nodes"][0]["properties"]}
    assert properties["connectionName"] == "dws_prod"
    dialog.get_by_role("button", name="Close", exact=True).click()

    page.get_by_role("navigation", name="Console").get_by_role("link", name="Deployments").click()
    row = page.get_by_role("row", name=f"Promotion {Promotion.objects.get().pk}")
    expect(row).to_contain_text("to_production")
    expect(row).to_contain_text("first release of doc1")
    expect(row).to_contain_text("2 created")
    expect(row).to_contain_text("Succeeded")
    shot(page, "41-deployments-room")

    # Undo… leads to production's Import History, where the promotion's import can be undone; and in
    # production's tree doc1 is there.
    row.get_by_role("button", name=f"Undo promotion {Promotion.objects.get().pk}").click()
    page.get_by_role("heading", name="Import History", level=1).wait_for()
    expect(page.get_by_label("Workspace", exact=True)).to_have_value(str(production.pk))
    expect(page.get_by_role("table", name="Imports")).to_contain_text("2 created")
    expect(tree_item(page, "doc1")).to_be_visible()
