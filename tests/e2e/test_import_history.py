"""The Import History in Chromium: import a package through the wizard, open the history, undo the import
after reading its preview, and see the job it created gone and the job it overwrote as it was; then undo
the undo, which applies the import again."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from factory.development.models import Job, ScheduleStatus
from factory.transfer.models import SystemTask, TaskKind
from tests.e2e.conftest import jobs_menu, login, shot, tree_item

pytestmark = pytest.mark.e2e
CHANGED, CREATED = "dws_user_profile", "dws_customer_360"


def test_undo_an_import_from_the_history_and_redo_it(page, demo, live_worker, settings, tmp_path):
    settings.OBS_ENDPOINT = ""  # the live server runs in this process: the wizard imports from the PC
    jobs = Job.objects.filter(workspace=demo.workspace, name__in=[CHANGED, CREATED])
    jobs.update(schedule_status=ScheduleStatus.STOPPED)
    client = Client()
    client.force_login(demo.developer)
    exported = client.post(
        f"/api/workspaces/{demo.workspace.pk}/exports/",
        {"jobIds": sorted(jobs.values_list("pk", flat=True))},
        "application/json",
    )
    assert exported.status_code == 200, exported.content
    package = tmp_path / "two_jobs.zip"
    package.write_bytes(b"".join(exported.streaming_content))
    # Here, one job is deleted (the import creates it) and the other edited (the import overwrites it).
    Job.objects.filter(workspace=demo.workspace, name=CREATED).delete()
    changed = Job.objects.get(workspace=demo.workspace, name=CHANGED)
    Job.objects.filter(pk=changed.pk).update(document={**changed.document, "description": "edited here"})
    before = Job.objects.get(pk=changed.pk).document

    login(page)
    jobs_menu(page, "Import Job")
    wizard = page.get_by_role("dialog", name="Import Job")
    wizard.get_by_label("File", exact=True).set_input_files(str(package))
    wizard.get_by_role("button", name="Next").click()
    expect(wizard.get_by_role("heading", name=re.compile(r"^Jobs \(2\)"))).to_be_visible(timeout=30_000)
    wizard.get_by_role("button", name="Next").click()
    wizard.get_by_role("button", name=re.compile(r"^Import \d+ objects?$")).click(timeout=30_000)
    expect(wizard.get_by_role("button", name="Download Report")).to_be_visible(timeout=30_000)
    wizard.get_by_role("button", name="Close", exact=True).click()
    imported = SystemTask.objects.filter(workspace=demo.workspace, kind=TaskKind.IMPORT).latest("created_at")
    assert Job.objects.filter(workspace=demo.workspace, name=CREATED).exists()

    page.get_by_role("link", name="Import History").click()
    imports = page.get_by_role("table", name="Imports")
    row = imports.get_by_role("row", name=f"Import {imported.public_id}")
    expect(row).to_contain_text("two_jobs.zip")
    expect(row).to_contain_text("1 created")
    expect(row).to_contain_text("Succeeded")
    shot(page, "08-import-history")

    row.get_by_role("button", name=f"Undo {imported.public_id}").click()
    dialog = page.get_by_role("dialog", name="Undo two_jobs.zip")
    preview = dialog.get_by_role("status", name="Undo preview")
    expect(preview).to_contain_text("Restore 1 job to the state before the import", timeout=30_000)
    expect(preview).to_contain_text("delete 1 job")
    shot(page, "08b-undo-preview")
    dialog.get_by_role("button", name="Undo Import").click()
    expect(dialog.get_by_role("status", name="Undo result")).to_contain_text(
        "Undid the import", timeout=30_000
    )
    shot(page, "08c-undo-done")
    dialog.get_by_role("button", name="Close", exact=True).click()

    expect(row).to_contain_text("undone")
    assert not Job.objects.filter(workspace=demo.workspace, name=CREATED).exists()
    assert Job.objects.get(pk=changed.pk).document == before
    # The tree was refreshed: the job the import created is gone from its directory.
    page.get_by_role("link", name="Develop").click()
    tree_item(page, "dws").click()
    expect(tree_item(page, CHANGED)).to_be_visible()
    expect(tree_item(page, CREATED)).to_have_count(0)

    # Redo: undoing the undo applies the import again.
    page.get_by_role("link", name="Import History").click()
    undo = SystemTask.objects.get(kind=TaskKind.UNDO, undoes=imported)
    page.get_by_role("table", name="Imports").get_by_role("row", name=f"Undo {undo.public_id}").get_by_role(
        "button", name=f"Redo {undo.public_id}"
    ).click()
    dialog = page.get_by_role("dialog", name=re.compile(r"^Redo Undo of"))
    expect(dialog.get_by_role("status", name="Undo preview")).to_contain_text(
        "make 1 job again", timeout=30_000
    )
    dialog.get_by_role("button", name="Apply the Import Again").click()
    expect(dialog.get_by_role("status", name="Undo result")).to_contain_text("Undid the undo", timeout=30_000)
    dialog.get_by_role("button", name="Close", exact=True).click()
    assert Job.objects.filter(workspace=demo.workspace, name=CREATED).exists()
    assert Job.objects.get(pk=changed.pk).document != before
