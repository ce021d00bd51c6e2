"""Promotion in Chromium, the canvas and the import wizard: Promote from doc1's canvas (then everything
changed since that promotion), and the import wizard of the production workspace started from the demo
workspace's profile, its replacement of connection doctest preselected, importing with it.

Run with the services and a built console (see test_console.py).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from factory.connections.services import connection_create
from factory.crypto import secret_decrypt
from factory.development.models import EnvironmentVariable, Job
from factory.transfer.exports import DEVELOP, WITH_DEPENDENCIES, ExportRequest, export_write
from tests.builders import profile_make, workspace_make
from tests.e2e.conftest import jobs_menu, login, open_job, shot, tree_item

pytestmark = pytest.mark.e2e

# The change-set and the apply run in the Celery worker; the dialog polls the promotion meanwhile.
WORKER_MS = 60_000


def _production(demo, *, rewrite: bool = False, variables: list[dict[str, object]] | None = None):
    production = workspace_make("production", admin=demo.admin)
    connection_create(
        workspace=production, user=demo.admin, name="dws_prod", type="DWS", config={"host": "10.9.9.9"}
    )
    profile = profile_make(
        workspace=demo.workspace,
        user=demo.admin,
        name="to_production",
        target={"kind": "workspace", "workspaceId": production.pk},
        mappings=[{"kind": "connection", "name": "doctest", "connectionType": "DWS", "replace": "dws_prod"}],
        rewriteRules=[{"find": "doctest_schema", "replace": "prod_schema"}] if rewrite else [],
        environmentVariables=variables or [],
    )
    return production, profile


def _properties(job: Job) -> dict[str, object]:
    return {p["name"]: p["value"] for p in job.document["nodes"][0]["properties"]}


def test_promote_from_the_canvas_then_what_changed_since(page, demo, live_worker):
    production, _ = _production(demo)
    login(page, "admin")
    open_job(page, "doc1")

    page.get_by_role("toolbar", name="doc1 toolbar").get_by_role("button", name="Promote").click()
    dialog = page.get_by_role("dialog", name="Promote")
    expect(dialog.get_by_role("radio", name="doc1")).to_be_checked()
    expect(dialog.get_by_label("Profile")).to_contain_text("to_production → production")
    dialog.get_by_label("Note").fill("doc1 from its canvas")
    dialog.get_by_role("button", name="Show changes").click()
    dialog = page.get_by_role("dialog", name="Promote to production")
    expect(dialog.get_by_role("status", name="Change-set")).to_contain_text("2 new", timeout=WORKER_MS)
    shot(page, "42-promote-from-canvas")
    dialog.get_by_role("button", name="Promote 2 objects").click()
    expect(dialog).to_contain_text("Promoted: 2 created", timeout=WORKER_MS)
    promoted = Job.objects.get(workspace=production, name="doc1")
    assert _properties(promoted)["connectionName"] == "dws_prod"
    dialog.get_by_role("button", name="Close", exact=True).click()

    # doc1 changes in development; "everything changed since the last promotion" takes it alone.
    job = Job.objects.get(workspace=demo.workspace, name="doc1")
    job.document = {**job.document, "description": "second release"}
    job.save(update_fields=["document", "updated_at"])
    page.get_by_role("toolbar", name="doc1 toolbar").get_by_role("button", name="Promote").click()
    dialog = page.get_by_role("dialog", name="Promote")
    dialog.get_by_role("radio", name="Everything changed since the last promotion to production").check()
    dialog.get_by_role("button", name="Show changes").click()
    dialog = page.get_by_role("dialog", name="Promote to production")
    expect(dialog.get_by_role("status", name="Change-set")).to_contain_text("1 changed", timeout=WORKER_MS)
    dialog.get_by_role("button", name=re.compile(r"^Promote \d+ objects?$")).click()
    expect(dialog).to_contain_text("1 overwritten", timeout=WORKER_MS)
    promoted.refresh_from_db()
    assert promoted.document.get("description") == "second release"


def test_the_import_wizard_preselected_by_a_profile(page, demo, live_worker, tmp_path):
    production, profile = _production(
        demo,
        rewrite=True,
        variables=[
            {"name": "DB_HOST", "value": "prod-db.local"},
            {"name": "DB_PASSWORD", "value": "Pw-Prod-9", "masked": True},
        ],
    )
    job = Job.objects.get(workspace=demo.workspace, name="doc1")
    request = ExportRequest(job_ids=(job.pk,), scope=WITH_DEPENDENCIES, status=DEVELOP)
    with tempfile.TemporaryDirectory() as folder:
        written = Path(
            export_write(
                workspace=demo.workspace, user=demo.admin, request=request, out=Path(folder)
            ).location
        )
        package = tmp_path / "DLF_doc1.zip"
        package.write_bytes(written.read_bytes())

    login(page, "admin")
    page.get_by_label("Workspace", exact=True).select_option(str(production.pk))
    page.get_by_role("tree", name="Jobs directory").wait_for()
    jobs_menu(page, "Import Job")
    wizard = page.get_by_role("dialog", name="Import Job")
    wizard.get_by_label("Environment Profile (optional)").select_option(str(profile.pk))
    wizard.get_by_label("Local").check()
    wizard.get_by_label("File", exact=True).set_input_files(str(package))
    shot(page, "43-import-wizard-profile")
    wizard.get_by_role("button", name="Next").click()

    # Step 2 comes filled with the profile's replacement of doctest, editable.
    expect(wizard.get_by_role("status", name="Profile")).to_contain_text("to_production", timeout=30_000)
    expect(wizard.get_by_label(re.compile(r"^Replacement for .*doctest$")).first).to_have_value("dws_prod")
    expect(wizard.get_by_label("Rewrite rule 1 find")).to_have_value("doctest_schema")
    expect(wizard.get_by_label("Rewrite rule 1 replace")).to_have_value("prod_schema")
    expect(wizard.get_by_label("Environment variable 1 name")).to_have_value("DB_HOST")
    expect(wizard.get_by_label("Environment variable 1 value")).to_have_value("prod-db.local")
    # The masked one stays on the server: named, its value nowhere in the page.
    expect(wizard.get_by_role("status", name="Profile").locator("..")).to_contain_text("DB_PASSWORD")
    assert "Pw-Prod-9" not in page.content()
    shot(page, "44-import-wizard-profile-choices")
    wizard.get_by_role("button", name="Next").click()
    expect(wizard.get_by_role("status").filter(has_text=re.compile(r"\d+ new"))).to_contain_text(
        "4 new", timeout=30_000
    )
    changes = wizard.get_by_role("list", name="Changes")
    expect(changes).to_contain_text("Environment variable DB_PASSWORD is created with a masked value")
    expect(changes).to_contain_text("Environment variable DB_HOST is created with 'prod-db.local'")
    wizard.get_by_role("button", name=re.compile(r"^Import 4 objects$")).click()
    expect(wizard.get_by_role("button", name="Download Report")).to_be_visible(timeout=30_000)
    expect(wizard).to_contain_text("4 created")
    wizard.get_by_role("button", name="Close", exact=True).click()

    imported = Job.objects.get(workspace=production, name="doc1")
    assert _properties(imported)["connectionName"] == "dws_prod"
    variables = {v.name: v for v in EnvironmentVariable.objects.filter(workspace=production)}
    assert variables["DB_HOST"].value == "prod-db.local"
    assert variables["DB_PASSWORD"].masked
    assert secret_decrypt(ciphertext=variables["DB_PASSWORD"].value_encrypted) == "Pw-Prod-9"
    expect(tree_item(page, "doc1")).to_be_visible()
