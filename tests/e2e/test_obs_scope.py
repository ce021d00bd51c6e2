"""The workspace's OBS allow-list in Chromium: an admin narrows it to one folder in Workspace Settings,
then a developer's OBS picker offers only that folder and an export into it replaces the package already
there only once "Overwrite a file of the same name" is ticked.

Run with the services and a built console (see test_console.py).
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import allow_list_add, jobs_menu, login, logout, open_job, shot, workspace_settings

pytestmark = pytest.mark.e2e

OLD_PACKAGE = b"an older package that nobody asked to replace"


def test_an_admin_restricts_obs_to_a_folder_and_exports_replace_nothing_unasked(
    page, demo, live_worker, obs_bucket, s3
):
    s3.put_object(Bucket=obs_bucket, Key="team/DLF_doc1.zip", Body=OLD_PACKAGE)
    s3.put_object(Bucket=obs_bucket, Key="other/DLF_doc1.zip", Body=OLD_PACKAGE)
    team = f"{obs_bucket}/team/"

    # The admin: a bad entry is refused beside its row and changes nothing; then the list becomes one
    # folder and the lock policy hard, and the top bar shows the new policy at once.
    login(page, "admin")
    settings = workspace_settings(page)
    allow_list_add(settings, "Bad_Bucket")
    settings.get_by_role("button", name="Save").click()
    refusal = settings.get_by_role("alert").filter(has_text="not a valid bucket name")
    expect(refusal).to_be_visible()
    expect(settings.get_by_label("Allow-list entry 2")).to_have_attribute("aria-invalid", "true")
    demo.workspace.refresh_from_db()
    assert demo.workspace.obs_allow_list == ["dlf-demo"]
    shot(page, "11-workspace-settings-refused")

    settings.get_by_label("Allow-list entry 2").fill(team)
    expect(refusal).to_be_hidden()
    settings.get_by_role("button", name="Remove entry 1").click()
    expect(settings.get_by_label("Allow-list entry 1")).to_have_value(team)
    settings.get_by_label("Hard lock").check()
    settings.get_by_role("button", name="Save").click()
    expect(settings).to_be_hidden()
    expect(page.locator(".ws-meta")).to_contain_text("hard lock")
    demo.workspace.refresh_from_db()
    assert demo.workspace.obs_allow_list == [team]
    assert demo.workspace.lock_policy == "hard"
    logout(page)

    # The developer reads the settings but cannot change them.
    login(page)
    settings = workspace_settings(page)
    expect(settings.get_by_role("list", name="OBS allow-list")).to_have_text(
        f"obs://{team} and the folders below it"
    )
    expect(settings.get_by_role("button", name="Save")).to_have_count(0)
    expect(settings.get_by_label("Allow-list entry 1")).to_have_count(0)
    settings.get_by_role("button", name="Close", exact=True).click()

    # The OBS picker's root: that folder only (no bucket, not the demo bucket); the bucket above it is
    # not offered as a place to go.
    jobs_menu(page, "Import Job")
    wizard = page.get_by_role("dialog", name="Import Job")
    wizard.get_by_role("button", name="Browse").click()
    files = wizard.get_by_role("listbox", name="OBS files")
    expect(files.get_by_role("option")).to_have_count(1)
    expect(files.get_by_role("option")).to_have_text(team)
    shot(page, "12-obs-picker-allowed-folder")
    files.get_by_role("option", name=team).click()
    expect(files.get_by_role("option", name=re.compile(r"^DLF_doc1\.zip"))).to_be_visible()
    crumbs = wizard.get_by_role("navigation", name="OBS location")
    expect(crumbs.get_by_role("button", name=obs_bucket, exact=True)).to_have_count(0)
    expect(crumbs.get_by_role("button", name="team")).to_be_visible()
    wizard.get_by_role("button", name="Cancel").click()
    expect(wizard).to_be_hidden()

    # Export: a folder outside the list is refused under the field; into the allowed folder, the
    # package's name is taken and nothing is replaced until the box is ticked.
    open_job(page, "doc1")
    page.get_by_role("toolbar", name="doc1 toolbar").get_by_role("button", name="Export").click()
    export = page.get_by_role("dialog", name="Export Job")
    folder = export.get_by_label("OBS Folder (optional)")
    folder.fill(f"obs://{obs_bucket}/other/")
    export.get_by_role("button", name="OK").click()
    expect(export.get_by_role("alert")).to_contain_text("outside the OBS allow-list")

    folder.fill(f"obs://{team}")
    expect(export).to_contain_text(f"The package will be written to obs://{team}DLF_doc1.zip.")
    overwrite = export.get_by_label("Overwrite a file of the same name")
    expect(overwrite).not_to_be_checked()
    export.get_by_role("button", name="OK").click()
    exists = export.get_by_role("alert").filter(has_text="already exists")
    expect(exists).to_contain_text(f"obs://{team}DLF_doc1.zip")
    expect(export.get_by_role("progressbar", name="Export progress")).to_have_count(0)
    shot(page, "13-export-refuses-to-overwrite")
    assert s3.get_object(Bucket=obs_bucket, Key="team/DLF_doc1.zip")["Body"].read() == OLD_PACKAGE

    overwrite.check()
    expect(exists).to_be_hidden()
    export.get_by_role("button", name="OK").click()
    expect(export).to_contain_text("The package is ready.", timeout=30_000)
    written = s3.get_object(Bucket=obs_bucket, Key="team/DLF_doc1.zip")["Body"].read()
    assert "jobs/doc1.job" in zipfile.ZipFile(io.BytesIO(written)).namelist()
    # The folder outside the list was never written to.
    assert s3.get_object(Bucket=obs_bucket, Key="other/DLF_doc1.zip")["Body"].read() == OLD_PACKAGE
