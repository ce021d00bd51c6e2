"""The directory tree over the query cache in Chromium: a directory larger than a page loads page by
page as the user scrolls to its end, and a write (a batch delete of a ticked directory) refreshes what
the tree shows without reloading the console.

Run with the services and a built console (see tests/e2e/test_console.py).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from factory.development.models import Job
from factory.development.services.directories import directory_ensure
from tests.builders import job_make
from tests.e2e.conftest import jobs_menu, jobs_tree, login, tree_item

pytestmark = pytest.mark.e2e

JOBS = 230  # more than one page of the tree (200)


def test_a_large_directory_pages_in_and_a_batch_delete_refreshes_the_tree(page, demo):
    bulk = directory_ensure(workspace=demo.workspace, category="job", path="/bulk")
    for n in range(JOBS):
        job_make(workspace=demo.workspace, directory=bulk, name=f"bulk_{n:03d}", owner="developer")
    login(page)
    tree_item(page, "bulk").click()  # expand it
    expect(tree_item(page, "bulk_000")).to_be_visible()
    assert tree_item(page, f"bulk_{JOBS - 1:03d}").count() == 0  # the second page is not loaded yet

    # Scrolling to the end (the keyboard's End) shows the last page's note, which loads the next page.
    tree_item(page, "bulk_000").click()
    last = tree_item(page, f"bulk_{JOBS - 1:03d}")
    for _ in range(20):
        jobs_tree(page).press("End")
        if last.count():
            break
        page.wait_for_timeout(250)
    expect(last).to_be_visible()

    jobs_tree(page).press("Home")  # back to the top, where the directory's row is
    jobs_menu(page, "Show Check Box")
    tree_item(page, "bulk").locator(".tree-check").click()
    expect(tree_item(page, "bulk")).to_have_attribute("aria-checked", "true")
    jobs_menu(page, "Delete Job")
    dialog = page.get_by_role("dialog", name="Delete Job")
    expect(dialog).to_contain_text(f"Delete the {JOBS} selected jobs?")
    dialog.get_by_role("button", name="Delete").click()
    expect(dialog).to_be_hidden()

    # The delete invalidated the tree: the expanded directory refetched and shows it is empty.
    assert not Job.objects.filter(workspace=demo.workspace, directory=bulk).exists()
    expect(tree_item(page, "bulk_000")).to_have_count(0)
    expect(last).to_have_count(0)
    expect(jobs_tree(page).get_by_text("Empty")).to_be_visible()
    expect(tree_item(page, "ods")).to_be_visible()  # the rest of the tree is still there
