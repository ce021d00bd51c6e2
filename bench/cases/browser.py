"""The console in Chromium (Playwright driving Debian's ``/usr/bin/chromium``) against gunicorn on the bench
database, logged in as a member of the 5 N-job workspace only.

- ``browser_tree``: from navigation start (``performance.timeOrigin``) until the job tree is interactive:
  its first job rows are rendered and a click on the first one has taken effect (the row is selected).
  One cold load (empty cache) first, then ``REPEATS`` warm loads; ``seconds`` is the warm median.
- ``browser_canvas``: from the double-click on the 200-node job in the tree until its canvas shows all
  200 ``.react-flow__node`` elements; ``REPEATS`` times, each on a fresh load of the console; the median.

Times are read in the page (``performance.now()``), so Playwright's own round trips do not count, except
for the click itself, which is part of "a click works".
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bench.cases import Bench, Result
from bench.generate import BROWSER_USER, CANVAS_JOB, CANVAS_NODES
from bench.measure import median
from bench.runtime import REPO_ROOT, BenchError

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MANIFEST = REPO_ROOT / "static" / "console" / ".vite" / "manifest.json"
REPEATS = 5
TIMEOUT_MS = 120_000
TREE = '[role=tree][aria-label="Jobs directory"]'
FIRST_ROW = f"{TREE} .tree-element[role=treeitem]"
ROWS_SHOWN = f"() => document.querySelector('{FIRST_ROW}') ? performance.now() : false"
ROW_SELECTED = (
    f"() => {{ const row = document.querySelector('{FIRST_ROW}'); "
    "return row && row.getAttribute('aria-selected') === 'true' ? performance.now() : false; }"
)
CANVAS_SHOWN = f"() => document.querySelectorAll('.react-flow__node').length >= {CANVAS_NODES} ? performance.now() : false"
DBLCLICK_NOTED = (
    "() => { window.__benchDblclick = null; document.addEventListener('dblclick', "
    "() => { window.__benchDblclick = performance.now(); }, { capture: true, once: true }); }"
)


def _preflight(bench: Bench) -> str:
    if not MANIFEST.exists():
        raise BenchError(
            f"the console is not built ({MANIFEST} is missing): run `cd frontend && npm run build`"
        )
    if not CHROMIUM.exists():
        raise BenchError(f"Chromium is not installed at {CHROMIUM}: `apt-get install chromium`")
    if bench.web_url is None:
        raise BenchError("no web server in this run (the browser benchmarks need `python -m bench`)")
    return bench.web_url()


class _Browser:
    """A logged-in Chromium page on the console."""

    def __init__(self, base_url: str, password: str) -> None:
        # Playwright's sync API runs an event loop in this thread; Django would call ORM use here "async".
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        from playwright.sync_api import sync_playwright

        self.playwright = sync_playwright().start()
        try:
            self.browser = self.playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            self.context = self.browser.new_context(
                base_url=base_url, viewport={"width": 1400, "height": 900}
            )
            self.context.set_default_timeout(TIMEOUT_MS)
            self.page = self.context.new_page()
            self._login(password)
        except BaseException:
            self.close()
            raise

    def _login(self, password: str) -> None:
        page = self.page
        page.goto("/login/")
        page.fill("#id_username", BROWSER_USER)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)

    def value(self, expression: str) -> float:
        return float(self.page.wait_for_function(expression, polling="raf", timeout=TIMEOUT_MS).json_value())

    def load(self) -> float:
        """Navigate to the console; milliseconds from navigation start until the first job row shows."""
        self.page.goto("/", wait_until="commit")
        return self.value(ROWS_SHOWN)

    def close(self) -> None:
        browser = getattr(self, "browser", None)
        try:
            if browser is not None:
                browser.close()
        finally:
            self.playwright.stop()


def browser_tree_case(bench: Bench) -> Result:
    base_url = _preflight(bench)
    world = bench.world
    browser = _Browser(base_url, world.password)
    runs: list[dict[str, Any]] = []
    try:
        # A fresh context has an empty cache: the first load is the cold one.
        for _ in range(1 + REPEATS):
            shown = browser.load()
            browser.page.click(FIRST_ROW)
            ready = browser.value(ROW_SELECTED)
            runs.append({"rows_shown_ms": round(shown, 1), "interactive_ms": round(ready, 1)})
    finally:
        browser.close()
    warm = runs[1:]
    return Result(
        n=world.tree_jobs,
        seconds=median([run["interactive_ms"] for run in warm]) / 1000,
        detail={
            "what": "the job tree of bench_tree: first rows rendered and a click on one taken effect",
            "cold_interactive_seconds": runs[0]["interactive_ms"] / 1000,
            "warm_rows_shown_median_seconds": median([run["rows_shown_ms"] for run in warm]) / 1000,
            "runs": runs,
        },
    )


def browser_canvas_case(bench: Bench) -> Result:
    base_url = _preflight(bench)
    world = bench.world
    browser = _Browser(base_url, world.password)
    runs: list[float] = []
    try:
        browser.load()  # a first load, so that every measured run has the assets cached alike
        for _ in range(REPEATS):
            browser.load()
            row = browser.page.locator(f'{TREE} [role=treeitem][aria-label="{CANVAS_JOB}"]')
            if not row.is_visible():
                raise BenchError(f"the job {CANVAS_JOB} is not visible at the top of the tree's root")
            browser.page.evaluate(DBLCLICK_NOTED)
            row.dblclick()
            shown = browser.value(CANVAS_SHOWN)
            clicked = browser.page.evaluate("() => window.__benchDblclick")
            if clicked is None:
                raise BenchError("the double-click on the job was not seen by the page")
            runs.append(round(shown - float(clicked), 1))
    finally:
        browser.close()
    return Result(
        n=CANVAS_NODES,
        seconds=median(runs) / 1000,
        detail={"what": f"double-click {CANVAS_JOB} until {CANVAS_NODES} canvas nodes show", "runs_ms": runs},
    )
