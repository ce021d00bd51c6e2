"""Promotion to a remote console in Chromium: tick doc1, Promote Job with a profile whose target is the
second console of the test harness (another process, over HTTP with AK/SK), wait while its change-set is
read from there, promote, and find the promotion in the Deployments room with its objects; doc1 is on the
remote with connection doctest replaced by prod_dws.

Run with the services and a built console (see test_console.py).
"""

from __future__ import annotations

import json
import re

import pytest
from huaweicloudsdkdgc.v1.model import ShowJobRequest
from playwright.sync_api import expect

from factory.promotion.models import Promotion
from tests.builders import profile_make
from tests.e2e.conftest import jobs_menu, login, shot, tree_item

pytestmark = pytest.mark.e2e

REMOTE_TIMEOUT_MS = 60_000


def test_promote_a_ticked_job_to_a_remote_console(page, demo, live_worker, second_console, staging_bucket):
    workspace = second_console.workspace_new()
    # The demo workspace's admin allows the staging bucket (the profile's folder is checked against it).
    demo.workspace.obs_allow_list = [*demo.workspace.obs_allow_list, staging_bucket]
    demo.workspace.save(update_fields=["obs_allow_list"])
    profile_make(
        workspace=demo.workspace,
        user=demo.admin,
        name="to_remote",
        target={
            "kind": "remote",
            "endpoint": second_console.url,
            "projectId": second_console.project_id,
            "remoteWorkspaceId": workspace,
            "obsFolder": f"obs://{staging_bucket}/promotions/",
            "accessKey": second_console.ak,
            "secretKey": second_console.sk,
        },
        mappings=[{"kind": "connection", "name": "doctest", "connectionType": "DWS", "replace": "prod_dws"}],
        rewriteRules=[],
    )
    login(page, "admin")
    jobs_menu(page, "Show Check Box")
    tree_item(page, "doc1").locator(".tree-check").click()

    jobs_menu(page, "Promote Job")
    dialog = page.get_by_role("dialog", name="Promote")
    expect(dialog.get_by_label("Profile")).to_contain_text(f"to_remote → {second_console.url}")
    since_last = f"Everything changed since the last promotion to {second_console.url}"
    expect(dialog.get_by_role("radio", name=since_last)).to_be_visible()
    dialog.get_by_label("Note").fill("doc1 to the other console")
    dialog.get_by_role("button", name="Show changes").click()

    dialog = page.get_by_role("dialog", name=f"Promote to {second_console.url}")
    expect(dialog.get_by_role("status", name="Change-set")).to_contain_text(
        "2 new", timeout=REMOTE_TIMEOUT_MS
    )
    expect(dialog).to_contain_text("staged at obs://")
    shot(page, "45-promote-remote-change-set")

    dialog.get_by_role("button", name="Promote 2 objects").click()
    expect(dialog).to_contain_text("Promoted: 2 created", timeout=REMOTE_TIMEOUT_MS)
    dialog.get_by_role("button", name="Close", exact=True).click()

    page.get_by_role("navigation", name="Console").get_by_role("link", name="Deployments").click()
    promotion = Promotion.objects.get()
    row = page.get_by_role("row", name=f"Promotion {promotion.pk}")
    expect(row).to_contain_text(second_console.url)
    expect(row).to_contain_text("2 created")
    expect(row).to_contain_text("Succeeded")
    expect(row).to_contain_text("Undo: local targets only")
    expect(row.get_by_role("button", name=f"Undo promotion {promotion.pk}")).to_have_count(0)
    shot(page, "46-deployments-remote")
    row.get_by_role("button", name=f"Objects of promotion {promotion.pk}").click()
    objects = page.get_by_role("table", name="Remote objects")
    expect(objects.get_by_role("row", name=re.compile(r"job doc1 new"))).to_contain_text("successful")

    shown = second_console.client().show_job(ShowJobRequest(workspace=workspace, job_name="doc1"))
    properties = {p["name"]: p["value"] for p in json.loads(shown.raw_content)["nodes"][0]["properties"]}
    assert properties["connectionName"] == "prod_dws"
