"""The console in Chromium, as a user clicks through it: the reference's worked example (with the
import's changes and a changed job's diff before it writes), export of jobs picked with check boxes,
import from the local PC when OBS is unavailable (and the same package again: all unchanged, nothing
written), a hard lock failing one job, and the versions diff and Download Center. Each test leaves
screenshots of its screens in docs/screenshots/.

Run with the services (PostgreSQL, Redis, SeaweedFS) and a built console:
``make frontend && .venv/bin/python -m devtools.servers run -- .venv/bin/python -m pytest tests/e2e``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from factory.connections.models import DataConnection
from factory.development.models import Job
from factory.development.services import job_lock, job_unlock
from factory.workspaces.models import LockPolicy, Role
from factory.workspaces.services import membership_set, workspace_update
from tests.builders import user_make
from tests.e2e.conftest import (
    Demo,
    allow_list_add,
    connection_create_by_clicking,
    job_names_in,
    jobs_menu,
    login,
    logout,
    open_job,
    shot,
    tree_item,
    workspace_settings,
)

pytestmark = pytest.mark.e2e


def export_via_api(demo: Demo, job_name: str, target: Path) -> Path:
    """A package of one job, exported the way the console's Export button asks for it."""
    client = Client()
    client.force_login(demo.developer)
    job = Job.objects.get(workspace=demo.workspace, name=job_name)
    response = client.post(
        f"/api/workspaces/{demo.workspace.pk}/exports/", {"jobIds": [job.pk]}, "application/json"
    )
    assert response.status_code == 200, response.content
    target.write_bytes(b"".join(response.streaming_content))
    return target


def import_dialog(page):
    jobs_menu(page, "Import Job")
    wizard = page.get_by_role("dialog", name="Import Job")
    expect(wizard.get_by_role("group", name="File Location")).to_be_visible()
    return wizard


def changes_step(wizard, summary: str):
    """Next at the choices: the wizard previews them and shows what the import would change."""
    wizard.get_by_role("button", name="Next").click()
    expect(wizard.get_by_role("status").filter(has_text=re.compile(r"\d+ new"))).to_have_text(
        summary, timeout=30_000
    )
    expect(wizard.get_by_label("Skip unchanged objects")).to_be_checked()
    return wizard.get_by_role("list", name="Changes")


def test_the_reference_worked_example_by_clicking(
    page, demo, live_worker, obs_bucket, s3, tmp_path, pg_login
):
    """The reference's worked example, every step a click: create a second DWS connection (dws_prod, its
    password typed in, Test against the harness's PostgreSQL), export doc1 from its canvas, put the zip
    into OBS, delete connection doctest in the Connections room (the confirmation lists doc1), Import Job
    from OBS, pick dws_prod, Next: doc1 is changed, its diff shows the DWS SQL node coloured with its
    connection's change; Import 1 object, Close: the canvas shows doc1's DWS SQL node on dws_prod. The demo
    workspace may use its demo bucket only: its admin first allows the test's bucket too."""
    login(page, "admin")
    settings_dialog = workspace_settings(page)
    expect(settings_dialog.get_by_label("Allow-list entry 1")).to_have_value("dlf-demo")
    allow_list_add(settings_dialog, obs_bucket)
    settings_dialog.get_by_role("button", name="Save").click()
    expect(settings_dialog).to_be_hidden()
    demo.workspace.refresh_from_db()
    assert demo.workspace.obs_allow_list == ["dlf-demo", obs_bucket]
    logout(page)

    login(page)
    shot(page, "01-console")
    connection_create_by_clicking(page, "dws_prod", pg_login)
    prod = DataConnection.objects.get(workspace=demo.workspace, name="dws_prod")
    assert prod.secret_fields == ["password"] and pg_login.password not in prod.secrets_encrypted

    open_job(page, "doc1")
    node = page.locator(".flow-node", has_text="DWS_SQL_1")
    expect(node).to_contain_text("doctest")
    shot(page, "03-canvas")

    page.get_by_role("toolbar", name="doc1 toolbar").get_by_role("button", name="Export").click()
    export = page.get_by_role("dialog", name="Export Job")
    expect(export.get_by_label("Export jobs only")).to_be_checked()
    expect(export.get_by_label("Developed")).to_be_checked()
    shot(page, "04-export-dialog")
    with page.expect_download() as download:
        export.get_by_role("button", name="OK").click()
    assert download.value.suggested_filename == "DLF_doc1.zip"
    package = tmp_path / "DLF_doc1.zip"
    download.value.save_as(package)
    assert job_names_in(package) == {"doc1"}
    expect(export).to_be_hidden()

    s3.upload_file(str(package), obs_bucket, "exports/DLF_doc1.zip")

    page.get_by_role("navigation", name="Console").get_by_role("link", name="Connections").click()
    room = page.get_by_role("table", name="Data connections")
    room.get_by_role("button", name="Delete doctest").click()
    confirm = page.get_by_role("dialog", name="Delete data connection doctest")
    expect(confirm.get_by_role("list", name="Used by")).to_contain_text("Job doc1")
    shot(page, "05-delete-connection")
    confirm.get_by_role("button", name="Delete").click()
    expect(confirm).to_be_hidden()
    expect(room.get_by_role("button", name="doctest", exact=True)).to_have_count(0)
    assert not DataConnection.objects.filter(workspace=demo.workspace, name="doctest").exists()
    page.get_by_role("tab", name="doc1").click()  # back to the open canvas

    wizard = import_dialog(page)
    expect(wizard.get_by_label("OBS", exact=True)).to_be_checked()
    expect(wizard.get_by_label("Overwrite")).to_be_checked()
    wizard.get_by_role("button", name="Browse").click()
    wizard.get_by_role("option", name=obs_bucket).click()
    wizard.get_by_role("option", name="exports/").click()
    wizard.get_by_role("option", name=re.compile(r"^DLF_doc1\.zip")).click()
    expect(wizard.get_by_label("Select File from OBS")).to_have_value(
        f"obs://{obs_bucket}/exports/DLF_doc1.zip"
    )
    shot(page, "05-import-select-file")
    wizard.get_by_role("button", name="Next").click()

    replacement = wizard.get_by_label("Replacement for connection doctest")
    expect(replacement).to_be_visible(timeout=30_000)
    expect(wizard.get_by_role("button", name="Next")).to_be_disabled()
    expect(wizard).to_contain_text("Select a replacement for dws data connection doctest.")
    replacement.select_option("dws_prod")
    expect(wizard.get_by_role("button", name="Next")).to_be_enabled()
    shot(page, "06-import-check-contents")

    # The changes before anything is written: doc1 changes, its diff is the DAG with the node coloured.
    changes = changes_step(wizard, "0 new, 1 changed, 0 unchanged")
    row = changes.get_by_role("button", name=re.compile(r"^Changed\s*job\s*doc1"))
    expect(row).to_contain_text("nodes ~1")
    shot(page, "06c-import-changes")
    row.click()
    diff = wizard.get_by_role("region", name="Changes of job doc1")
    changed = diff.locator('.react-flow__node.diff-modified[data-id="DWS_SQL_1"]')
    expect(changed).to_be_visible(timeout=10_000)
    expect(changed.locator(".flow-node")).to_have_css("background-color", "rgb(255, 247, 220)")
    connection = diff.get_by_role("table", name="Property changes").get_by_role(
        "row", name=re.compile("connectionName")
    )
    expect(connection).to_contain_text('"dws_prod"')
    shot(page, "06d-import-change-diff")
    diff.get_by_role("button", name="← All changes").click()
    expect(changes).to_be_visible()
    wizard.get_by_role("button", name="Import 1 object").click()

    expect(wizard.get_by_role("button", name="Download Report")).to_be_visible(timeout=30_000)
    expect(wizard).to_contain_text("1 overwritten")
    shot(page, "07-import-report")
    wizard.get_by_role("button", name="Close", exact=True).click()
    expect(wizard).to_be_hidden()

    # The open canvas reloads: the DWS SQL node now uses the connection picked in the wizard.
    expect(node).to_contain_text("dws_prod")
    node.click()
    expect(page.get_by_label("Data Connection", exact=True)).to_have_value("dws_prod")
    doc1 = Job.objects.get(workspace=demo.workspace, name="doc1")
    assert {"name": "connectionName", "value": "dws_prod"} in [
        {k: p.get(k) for k in ("name", "value")} for n in doc1.document["nodes"] for p in n["properties"]
    ]


def test_export_three_jobs_in_two_directories_picked_with_check_boxes(page, demo, tmp_path):
    login(page)
    tree_item(page, "ods").click()
    tree_item(page, "dws").click()
    jobs_menu(page, "Show Check Box")
    for name in ("ods_customers_ingest", "ods_orders_ingest"):
        tree_item(page, name).locator(".tree-check").click()
        expect(tree_item(page, name)).to_have_attribute("aria-checked", "true")
    # The keyboard works too: focus a job, Space ticks it.
    tree_item(page, "dws_sales_daily").click()
    page.keyboard.press("Space")
    expect(tree_item(page, "dws_sales_daily")).to_have_attribute("aria-checked", "true")
    expect(tree_item(page, "ods")).to_have_attribute("aria-checked", "mixed")
    expect(tree_item(page, "dws")).to_have_attribute("aria-checked", "mixed")
    expect(tree_item(page, "Jobs")).to_have_attribute("aria-checked", "mixed")
    expect(tree_item(page, "ods_partner_api")).to_have_attribute("aria-checked", "false")
    shot(page, "02-tree-check-boxes")

    jobs_menu(page, "Export Job")
    export = page.get_by_role("dialog", name="Export Job")
    expect(export).to_contain_text("3 jobs")
    with page.expect_download() as download:
        export.get_by_role("button", name="OK").click()
    assert download.value.suggested_filename == "jobs.zip"
    package = tmp_path / "jobs.zip"
    download.value.save_as(package)
    assert job_names_in(package) == {"ods_customers_ingest", "ods_orders_ingest", "dws_sales_daily"}

    # Hide Check Box clears the selection.
    jobs_menu(page, "Hide Check Box")
    expect(tree_item(page, "ods_orders_ingest")).not_to_have_attribute("aria-checked", "true")


def test_a_ticked_directory_with_one_job_unticked_exports_the_rest(page, demo, tmp_path):
    """The export gets the directory and the exclusion, not every job id of it."""
    ods = set(
        Job.objects.filter(workspace=demo.workspace, directory__path="/ods").values_list("name", flat=True)
    )
    assert "ods_partner_api" in ods and len(ods) > 2
    login(page)
    jobs_menu(page, "Show Check Box")
    tree_item(page, "ods").locator(".tree-check").click()
    tree_item(page, "ods").click()  # expand it
    expect(tree_item(page, "ods_partner_api")).to_have_attribute("aria-checked", "true")
    tree_item(page, "ods_partner_api").locator(".tree-check").click()
    expect(tree_item(page, "ods")).to_have_attribute("aria-checked", "mixed")
    expect(page.locator(".tree-selection-bar")).to_contain_text("1 directory except 1 job")

    with page.expect_request(re.compile(r"/exports/$")) as sent:
        jobs_menu(page, "Export Job")
        export = page.get_by_role("dialog", name="Export Job")
        expect(export).to_contain_text("1 directory except 1 job")
        with page.expect_download() as download:
            export.get_by_role("button", name="OK").click()
    body = sent.value.post_data_json
    partner = Job.objects.get(workspace=demo.workspace, name="ods_partner_api")
    assert body["directoryIds"] == [partner.directory_id] and body["excludeJobIds"] == [partner.pk]
    assert "jobIds" not in body
    package = tmp_path / "jobs.zip"
    download.value.save_as(package)
    assert job_names_in(package) == ods - {"ods_partner_api"}


def test_export_workspace_job_changed_since_a_time(page, demo, tmp_path):
    """DataArts' "Export Workspace Job": every job of the workspace changed since the time given."""
    jobs = Job.objects.filter(workspace=demo.workspace)
    jobs.update(updated_at=datetime(2020, 1, 1, tzinfo=UTC))
    jobs.filter(name__in=("doc1", "ods_partner_api")).update(updated_at=datetime(2024, 6, 1, tzinfo=UTC))

    login(page)
    jobs_menu(page, "Export Workspace Job")
    export = page.get_by_role("dialog", name="Export Workspace Job")
    expect(export.get_by_label("Export jobs only")).to_be_checked()
    expect(export.get_by_label("Developed")).to_be_checked()
    export.get_by_label("Export jobs and their dependency scripts and resource definitions").check()
    export.get_by_label("Changed since (optional)").fill("2024-01-01T00:00")
    shot(page, "04b-export-workspace-job")
    with page.expect_download() as download:
        export.get_by_role("button", name="OK").click()
    assert download.value.suggested_filename == "jobs.zip"
    package = tmp_path / "jobs.zip"
    download.value.save_as(package)
    assert job_names_in(package) == {"doc1", "ods_partner_api"}


def test_import_from_the_local_pc_when_obs_is_unavailable(page, demo, live_worker, settings, tmp_path):
    settings.OBS_ENDPOINT = ""  # the live server runs in this process: from now on it has no OBS
    package = export_via_api(demo, "dws_user_profile", tmp_path / "DLF_dws_user_profile.zip")
    Job.objects.filter(workspace=demo.workspace, name="dws_user_profile").delete()

    login(page)
    wizard = import_dialog(page)
    expect(wizard.get_by_label("OBS", exact=True)).to_be_disabled()
    expect(wizard).to_contain_text("OBS is unavailable")
    expect(wizard.get_by_label("Local")).to_be_checked()
    wizard.get_by_label("File", exact=True).set_input_files(str(package))
    shot(page, "05b-import-local-file")
    wizard.get_by_role("button", name="Next").click()

    expect(wizard.get_by_role("heading", name="Jobs (1)")).to_be_visible(timeout=30_000)
    expect(wizard.get_by_role("row", name=re.compile(r"^dws_user_profile"))).to_contain_text("New")
    changes = changes_step(wizard, "1 new, 0 changed, 0 unchanged")
    expect(changes.get_by_role("button", name=re.compile(r"^New\s*job\s*dws_user_profile"))).to_be_visible()
    wizard.get_by_role("button", name="Import 1 object").click()
    expect(wizard.get_by_role("button", name="Download Report")).to_be_visible(timeout=30_000)
    expect(wizard).to_contain_text("1 created")
    wizard.get_by_role("button", name="Close", exact=True).click()

    # Close refreshed the tree: the job is back in its directory.
    tree_item(page, "dws").click()
    expect(tree_item(page, "dws_user_profile")).to_be_visible()
    job = Job.objects.get(workspace=demo.workspace, name="dws_user_profile")
    versions = job.versions.count()

    # The same package again: every object is unchanged, the import writes nothing and says so.
    wizard = import_dialog(page)
    wizard.get_by_label("File", exact=True).set_input_files(str(package))
    wizard.get_by_role("button", name="Next").click()
    expect(wizard.get_by_role("row", name=re.compile(r"^dws_user_profile"))).to_contain_text(
        "Exists", timeout=30_000
    )
    changes = changes_step(wizard, "0 new, 0 changed, 1 unchanged")
    expect(
        changes.get_by_role("button", name=re.compile(r"^Unchanged\s*job\s*dws_user_profile"))
    ).to_be_visible()
    expect(wizard).to_contain_text("nothing will be written")
    shot(page, "07c-import-all-unchanged")
    wizard.get_by_role("button", name="Import 0 objects").click()
    expect(wizard.get_by_role("button", name="Download Report")).to_be_visible(timeout=30_000)
    expect(wizard.get_by_role("status").filter(has_text="The import finished.")).to_contain_text(
        "1 unchanged"
    )
    expect(wizard.get_by_role("heading", name="Unchanged (1)")).to_be_visible()
    wizard.get_by_role("button", name="Close", exact=True).click()
    job.refresh_from_db()
    assert job.versions.count() == versions


def test_a_job_hard_locked_by_someone_else_is_reported_as_failed(page, demo, live_worker, tmp_path):
    workspace = demo.workspace
    workspace.lock_policy = LockPolicy.HARD
    workspace.save(update_fields=["lock_policy"])
    carol = user_make("carol")
    membership_set(workspace=workspace, user=carol, role=Role.DEVELOPER)
    package = export_via_api(demo, "doc1", tmp_path / "DLF_doc1.zip")
    doc1 = Job.objects.get(workspace=workspace, name="doc1")
    if doc1.lock_holder_id:
        job_unlock(job=doc1, user=doc1.lock_holder)
    job_lock(job=Job.objects.get(pk=doc1.pk), user=carol)

    login(page)
    expect(tree_item(page, "doc1")).to_contain_text("Locked by carol")
    wizard = import_dialog(page)
    wizard.get_by_label("Local").check()
    wizard.get_by_label("File", exact=True).set_input_files(str(package))
    wizard.get_by_role("button", name="Next").click()

    row = wizard.get_by_role("row", name=re.compile(r"^doc1"))
    expect(row).to_contain_text("Locked by carol", timeout=30_000)
    expect(wizard).to_contain_text("cannot be overwritten")
    shot(page, "06b-import-blocked-by-hard-lock")
    changes_step(wizard, "0 new, 0 changed, 0 unchanged, 1 failed")
    wizard.get_by_role("button", name="Import 0 objects").click()

    failed = wizard.get_by_role("table").filter(has_text="Reason")
    expect(failed).to_be_visible(timeout=30_000)
    expect(wizard).to_contain_text("1 failed")
    expect(failed.get_by_role("row", name=re.compile("doc1"))).to_contain_text("carol")
    shot(page, "07b-import-report-failed")
    doc1.refresh_from_db()
    assert doc1.lock_holder == carol
    assert any(
        p.get("value") == "doctest" for n in doc1.document["nodes"] for p in n.get("properties", [])
    ), "doc1 must be untouched"


def test_versions_compare_and_the_download_center(page, demo, live_worker, obs_bucket):
    workspace_update(workspace=demo.workspace, user=demo.admin, obs_allow_list=["dlf-demo", obs_bucket])
    login(page)
    # A pipeline opened from the keyboard: focus its row, Enter.
    tree_item(page, "ops").click()
    tree_item(page, "ops_daily_pipeline").click()
    page.keyboard.press("Enter")
    pipeline = page.get_by_role("toolbar", name="ops_daily_pipeline toolbar")
    expect(pipeline).to_be_visible()
    expect(page.locator(".flow-node")).to_have_count(5)
    expect(page.locator(".react-flow__edge")).to_have_count(4)
    page.locator(".flow-node", has_text="ingest").click()
    expect(page.get_by_role("complementary", name="Node properties")).to_contain_text("Subjob")
    shot(page, "03b-canvas-pipeline")

    open_job(page, "doc1")
    toolbar = page.get_by_role("toolbar", name="doc1 toolbar")
    if toolbar.get_by_role("button", name="Lock", exact=True).is_visible():
        toolbar.get_by_role("button", name="Lock", exact=True).click()
    expect(toolbar).to_contain_text("Locked by you")

    page.locator(".flow-node", has_text="DWS_SQL_1").click()
    database = page.get_by_label("Database", exact=True)
    database.fill("analytics")
    database.press("Enter")
    expect(toolbar.get_by_role("button", name="Save")).to_be_enabled()
    toolbar.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()

    toolbar.get_by_role("button", name="Versions").click()
    versions = page.get_by_role("region", name="Versions")
    versions.get_by_label("Select version 1 to compare").check()
    shot(page, "08-versions")
    versions.get_by_role("button", name="Compare with development state").click()
    compare = page.get_by_role("dialog", name="Compare Versions")
    expect(compare).to_contain_text("Submitted version 1")
    expect(compare).to_contain_text("Development state")
    expect(compare).to_contain_text("analytics")
    # The structural diff: the job's DAG with the changed node coloured, beside its property change.
    differences = compare.get_by_role("region", name="Differences")
    expect(differences).to_contain_text("nodes: 1 modified")
    changed = differences.locator('.react-flow__node.diff-modified[data-id="DWS_SQL_1"]')
    expect(changed).to_be_visible()
    expect(changed.locator(".flow-node")).to_have_css("background-color", "rgb(255, 247, 220)")
    changes = differences.get_by_role("table", name="Property changes")
    row = changes.get_by_role("row", name=re.compile("database"))
    expect(row).to_contain_text('"analytics"')
    shot(page, "09-versions-diff")
    compare.get_by_role("button", name="Close dialog").click()

    toolbar.get_by_role("button", name="Export").click()
    export = page.get_by_role("dialog", name="Export Job")
    export.get_by_label("Export jobs and their dependency scripts and resource definitions").check()
    export.get_by_label("OBS Folder (optional)").fill(f"obs://{obs_bucket}/packages/")
    export.get_by_role("button", name="OK").click()
    expect(export.get_by_role("progressbar", name="Export progress")).to_be_visible()
    expect(export).to_contain_text("The package is ready.", timeout=30_000)
    export.get_by_role("link", name="Download Center").click()
    expect(page.get_by_role("heading", name="Download Center")).to_be_visible()
    downloads = page.get_by_role("table", name="Exported packages")
    expect(downloads).to_contain_text("DLF_doc1.zip")
    expect(downloads).to_contain_text(f"obs://{obs_bucket}/packages/")
    expect(downloads).to_contain_text("Succeeded")
    shot(page, "10-download-center")
