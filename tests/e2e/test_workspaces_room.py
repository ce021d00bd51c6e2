"""The Workspaces room and the tree menus that move work between owners and workspaces, in Chromium:
staff create a second workspace and switch to it by clicking, an admin manages members (the last admin
stays), Configure Owner on ticked jobs, and Export Workspace Script.

Run with the services and a built console (see test_console.py).
"""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from factory.development.models import Job, Script
from factory.workspaces.models import LockPolicy, Membership, Role, Workspace
from tests.builders import user_make
from tests.e2e.conftest import PASSWORD, jobs_menu, login, logout, shot, tree_item

pytestmark = pytest.mark.e2e


def open_room(page) -> None:
    page.get_by_role("link", name="Workspaces", exact=True).click()
    page.get_by_role("heading", name="Workspaces", level=1).wait_for()


def test_staff_create_a_second_workspace_and_switch_by_clicking(page, demo):
    login(page, "admin")
    open_room(page)
    page.get_by_role("button", name="Create Workspace").click()
    dialog = page.get_by_role("dialog", name="Create Workspace")
    dialog.get_by_label("Workspace Name").fill(demo.workspace.name)
    expect(dialog).to_contain_text(f"You already have a workspace named {demo.workspace.name}.")
    expect(dialog.get_by_role("button", name="Create")).to_be_disabled()
    dialog.get_by_label("Workspace Name").fill("staging")
    dialog.get_by_label("Hard lock").check()
    dialog.get_by_label("Description (optional)").fill("Before production")
    dialog.get_by_role("button", name="Create").click()

    # Landed in the new, empty workspace: the top bar and the page say so.
    expect(page.get_by_role("heading", name="staging", level=1)).to_be_visible()
    staging = Workspace.objects.get(name="staging")
    expect(page.get_by_label("Workspace", exact=True)).to_have_value(str(staging.pk))
    expect(page.locator(".ws-meta")).to_contain_text("admin · hard lock")
    expect(tree_item(page, "doc1")).to_have_count(0)
    assert staging.lock_policy == LockPolicy.HARD and staging.description == "Before production"
    assert Membership.objects.get(workspace=staging).user == demo.admin

    # One click back to the demo workspace from the room, and its jobs are there.
    open_room(page)
    expect(page.get_by_role("table", name="Your workspaces")).to_contain_text("staging")
    shot(page, "20-workspaces-room")
    page.get_by_role("button", name=f"Switch to {demo.workspace.name}").click()
    expect(page.get_by_role("heading", name=demo.workspace.name, level=1)).to_be_visible()
    expect(tree_item(page, "doc1")).to_be_visible()
    expect(page.get_by_label("Workspace", exact=True)).to_have_value(str(demo.workspace.pk))


def test_a_developer_sees_no_create_button_and_only_their_role(page, demo):
    login(page, "developer")
    open_room(page)
    expect(page.get_by_text(f"Your role in {demo.workspace.name}: Developer.")).to_be_visible()
    expect(page.get_by_role("button", name="Create Workspace")).to_have_count(0)
    expect(page.get_by_role("table", name="Members")).to_have_count(0)


def test_an_admin_adds_a_member_changes_a_role_and_keeps_the_last_admin(page, demo):
    carol = user_make("carol")
    carol.set_password(PASSWORD)
    carol.save(update_fields=["password"])
    login(page, "admin")
    open_room(page)
    members = page.get_by_role("table", name="Members")
    expect(members).to_contain_text("developer")

    page.get_by_label("Username", exact=True).fill("carol")
    page.get_by_label("Role of the new member").select_option("viewer")
    page.get_by_role("button", name="Add Member").click()
    expect(page.get_by_label("Role of carol")).to_have_value("viewer")
    assert Membership.objects.get(workspace=demo.workspace, user=carol).role == Role.VIEWER

    page.get_by_label("Role of carol").select_option("developer")
    expect(page.get_by_text("carol is now Developer.")).to_be_visible()
    assert Membership.objects.get(workspace=demo.workspace, user=carol).role == Role.DEVELOPER

    # The only admin can neither leave nor be demoted, and is told why.
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Remove admin").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "admin is the last admin of this workspace and cannot be removed: a workspace needs at least one "
        "admin. Make another member admin first."
    )
    page.get_by_label("Role of admin").select_option("viewer")
    expect(page.get_by_role("alert")).to_contain_text("cannot be given another role")
    assert Membership.objects.get(workspace=demo.workspace, user=demo.admin).role == Role.ADMIN
    shot(page, "21-workspace-members")

    logout(page)
    login(page, "carol")
    open_room(page)
    expect(page.get_by_text(f"Your role in {demo.workspace.name}: Developer.")).to_be_visible()


def test_configure_owner_on_two_ticked_jobs(page, demo):
    login(page)
    tree_item(page, "ods").click()
    jobs_menu(page, "Show Check Box")
    for name in ("ods_customers_ingest", "ods_orders_ingest"):
        tree_item(page, name).locator(".tree-check").click()
    jobs_menu(page, "Configure Owner")
    dialog = page.get_by_role("dialog", name="Configure Owner")
    expect(dialog).to_contain_text("The owner of the 2 ticked jobs becomes the Target Owner.")
    dialog.get_by_label("Target Owner").fill("dana")
    dialog.get_by_role("button", name="OK").click()
    expect(page.get_by_text("Changed the owner of 2 jobs to dana.")).to_be_visible()

    for name in ("ods_customers_ingest", "ods_orders_ingest"):
        expect(tree_item(page, name)).to_have_attribute("aria-description", re.compile(r"Owner dana"))
        job = Job.objects.get(workspace=demo.workspace, name=name)
        assert (job.owner, job.document["basicConfig"]["owner"]) == ("dana", "dana")
    assert Job.objects.get(workspace=demo.workspace, name="ods_partner_api").owner != "dana"


def test_configure_owner_without_ticks_migrates_a_current_owner(page, demo):
    owner = Job.objects.get(workspace=demo.workspace, name="doc1").owner
    theirs = set(Job.objects.filter(workspace=demo.workspace, owner=owner).values_list("name", flat=True))
    login(page)
    jobs_menu(page, "Configure Owner")
    dialog = page.get_by_role("dialog", name="Configure Owner")
    dialog.get_by_label("Current Owner").fill(owner)
    dialog.get_by_label("Target Owner").fill("erin")
    dialog.get_by_role("button", name="Migrate").click()
    expect(
        page.get_by_text(re.compile(rf"Changed the owner of {len(theirs)} jobs? to erin\."))
    ).to_be_visible()
    assert (
        set(Job.objects.filter(workspace=demo.workspace, owner="erin").values_list("name", flat=True))
        == theirs
    )


def test_export_workspace_script_downloads_the_changed_scripts(page, demo, tmp_path):
    scripts = Script.objects.filter(workspace=demo.workspace)
    scripts.update(updated_at=datetime(2020, 1, 1, tzinfo=UTC))
    scripts.filter(name__in=("doc1_script", "dq_check")).update(updated_at=datetime(2024, 6, 1, tzinfo=UTC))

    login(page)
    page.get_by_role("tab", name="Scripts").click()
    page.get_by_role("button", name="Scripts menu").click()
    page.get_by_role("menuitem", name="Export Workspace Script", exact=True).click()
    export = page.get_by_role("dialog", name="Export Workspace Script")
    expect(export).to_contain_text("Exports the scripts of this workspace that changed since the time below")
    export.get_by_label("Changed since (optional)").fill("2024-01-01T00:00")
    with page.expect_download() as download:
        export.get_by_role("button", name="OK").click()
    assert download.value.suggested_filename == "scripts.zip"
    package = tmp_path / "scripts.zip"
    download.value.save_as(package)
    with zipfile.ZipFile(package) as archive:
        names = {
            m.group(1)
            for entry in archive.namelist()
            if (m := re.fullmatch(r"scripts/(?:[^/]+/)?([^/]+)\.script", entry))
        }
    assert names == {"doc1_script", "dq_check"}
