"""Leave unresolved, in Chromium: a package whose job runs a script this workspace does not have (and a
node of a type the registry does not know) is imported with the script left unresolved, as DataArts does;
the wizard warns about the unknown node, the report and the job's canvas flag the node that will fail.

Run with the services and a built console:
``make frontend && .venv/bin/python -m devtools.servers run -- .venv/bin/python -m pytest tests/e2e/test_unresolved.py``.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from factory.development.models import Job
from tests.builders import node, package_bytes, package_dws_job
from tests.e2e.conftest import jobs_menu, login, open_job, shot

pytestmark = pytest.mark.e2e

MISSING = "script load_missing does not exist in this workspace"


def test_a_missing_script_left_unresolved_imports_the_job_and_flags_its_node(
    page, demo, live_worker, tmp_path
):
    doc = package_dws_job("trips_unresolved", script="load_missing", directory="/")
    doc["nodes"].append(
        node("odd", "MysteryNode", {"anything": "x"}, preNodeName=["DWS_SQL_1"], location={"x": 260, "y": 20})
    )
    package = tmp_path / "DLF_trips_unresolved.zip"
    package.write_bytes(package_bytes(jobs=[doc]))

    login(page)
    jobs_menu(page, "Import Job")
    wizard = page.get_by_role("dialog", name="Import Job")
    wizard.get_by_label("Local").check()
    wizard.get_by_label("File", exact=True).set_input_files(str(package))
    wizard.get_by_role("button", name="Next").click()

    # Step 2: the unknown node type is a warning above Next; the missing script blocks Next until chosen.
    warnings = wizard.get_by_role("list", name="Import warnings")
    expect(warnings).to_contain_text(
        "Job trips_unresolved: node odd: unknown type MysteryNode, its references are not checked.",
        timeout=30_000,
    )
    next_button = wizard.get_by_role("button", name="Next")
    expect(next_button).to_be_disabled()
    expect(wizard).to_contain_text("Select a replacement for script load_missing, or leave it unresolved.")
    leave = wizard.get_by_role("checkbox", name="Leave script load_missing unresolved")
    leave.check()
    expect(wizard.get_by_label("Replacement for script load_missing")).to_be_disabled()
    expect(wizard).to_contain_text(
        "The job is imported and fails when scheduled until script load_missing exists."
    )
    shot(page, "08-import-leave-unresolved")
    expect(next_button).to_be_enabled()
    next_button.click()

    # The changes: one new job; importing it writes it.
    expect(wizard.get_by_role("status").filter(has_text="1 new")).to_have_text(
        "1 new, 0 changed, 0 unchanged", timeout=30_000
    )
    wizard.get_by_role("button", name="Import 1 object").click()

    # The report: the job is created and its node listed as left unresolved.
    expect(wizard.get_by_role("button", name="Download Report")).to_be_visible(timeout=30_000)
    expect(wizard).to_contain_text("1 created")
    left = wizard.get_by_role("region", name="Left unresolved")
    expect(
        left.get_by_role("listitem", name=f"Unresolved in job trips_unresolved: node DWS_SQL_1: {MISSING}")
    ).to_be_visible()
    shot(page, "09-import-report-unresolved")
    wizard.get_by_role("button", name="Close", exact=True).click()
    expect(wizard).to_be_hidden()
    job = Job.objects.get(workspace=demo.workspace, name="trips_unresolved")
    assert [p["value"] for p in job.document["nodes"][0]["properties"] if p["name"] == "scriptName"] == [
        "load_missing"
    ]

    # The job's canvas: the node carries the flag, with what is missing; its Script field is in error.
    open_job(page, "trips_unresolved")
    panel = page.locator(".tab-panel:not([hidden])")
    flag = panel.get_by_role("img", name=f"Unresolved reference: {MISSING}")
    expect(flag).to_be_visible()
    expect(flag).to_have_attribute("title", re.compile(r"fails when scheduled"))
    expect(panel.locator('.flow-node[data-node-name="odd"]').get_by_role("img")).to_have_count(0)
    panel.locator('.flow-node[data-node-name="DWS_SQL_1"]').click()
    properties = panel.get_by_role("complementary", name="Node properties")
    expect(properties.get_by_role("note", name=f"Script: {MISSING}")).to_be_visible()
    expect(properties.locator(".field.invalid")).to_have_count(1)
    shot(page, "10-canvas-unresolved-node")
