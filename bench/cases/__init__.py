"""The benchmarks, by name, in the order they run, and what they share.

Each case is a function ``(bench: Bench) -> Result``. ``Result.figures()`` is what ``bench/results.json``
holds per benchmark: ``{n, seconds, limit_seconds, ratio, peak_rss_mb, queries}`` (``None`` where a figure
does not apply); ``Result.detail`` holds the rest (phases, sizes, per-task figures) for
``bench/results-detail.json``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the models load only once Django is set up
    from bench.generate import World

NAMES = (
    "export_first",
    "export",
    "import",
    "import_overwrite",
    "import_preview",
    "import_undo",
    "tree_folder",
    "tree_root",
    "browser_tree",
    "browser_canvas",
)
FIGURES = ("n", "seconds", "limit_seconds", "ratio", "peak_rss_mb", "queries")


@dataclass
class Result:
    n: int
    seconds: float | None
    limit_seconds: float | None = None
    peak_rss_mb: float | None = None
    queries: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.seconds is None or not self.limit_seconds:
            return None
        return round(self.seconds / self.limit_seconds, 2)

    def figures(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "seconds": None if self.seconds is None else round(self.seconds, 4),
            "limit_seconds": None if self.limit_seconds is None else round(self.limit_seconds, 4),
            "ratio": self.ratio,
            "peak_rss_mb": self.peak_rss_mb,
            "queries": self.queries,
        }


@dataclass
class Bench:
    """What the cases share: the generated world, how tasks run, a scratch directory, and what earlier
    cases left for later ones (the exported package, the web server)."""

    world: World
    tasks: Any  # runtime.WorkerTasks or runtime.EagerTasks
    workdir: Path
    web_url: Callable[[], str] | None = None  # starts the web server on first use
    package: Path | None = None  # the export's zip
    obs_path: str | None = None  # the same zip in OBS, for the import
    limit_state: set[str] = field(default_factory=set)  # which raw limits have populated bench_limit
    cleanups: list[Callable[[], None]] = field(default_factory=list)
    cache: dict[str, Any] = field(default_factory=dict)


def case_get(name: str) -> Callable[[Bench], Result]:
    from bench.cases import browser, export, imports, preview, tree, undo

    cases: dict[str, Callable[[Bench], Result]] = {
        "export_first": export.export_first_case,
        "export": export.export_case,
        "import": imports.import_case,
        "import_overwrite": imports.import_overwrite_case,
        "import_preview": preview.import_preview_case,
        "import_undo": undo.import_undo_case,
        "tree_folder": tree.tree_folder_case,
        "tree_root": tree.tree_root_case,
        "browser_tree": browser.browser_tree_case,
        "browser_canvas": browser.browser_canvas_case,
    }
    return cases[name]
