"""The results: ``bench/results.json`` (the figures), ``bench/results-detail.json`` (everything else), a table.

Targets (N = 10,000 and 50,000 on a 2-core machine): an export of unchanged jobs within 1.2x of its
limit (the first export of a workspace has no ratio target), import within 2x, the change-set (the
inspection with its preview) within 1.5x of the inspection alone, peak memory under 300 MB
for all of them, the tree API's p95 under 100 ms. Query counts must not
grow with N; one run cannot show that, comparing runs at two N does (see docs/benchmarks.md).
"""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

from bench.cases import FIGURES, NAMES, Result

RESULTS = Path(__file__).resolve().parent / "results.json"
MAX_RATIO = {"export": 1.2, "import": 2.0, "import_overwrite": 2.0, "import_preview": 1.5}
MAX_PEAK_MB = {"export_first": 300.0, "export": 300.0, "import": 300.0, "import_overwrite": 300.0}
MAX_P95_SECONDS = {"tree_folder": 0.1, "tree_root": 0.1}


def detail_path(results: Path) -> Path:
    return results.with_name(results.stem + "-detail.json")


def target_misses(name: str, result: Result) -> list[str]:
    """What of the issue's targets this result misses (empty: all met, or none applies)."""
    misses = []
    ratio = result.ratio
    if name in MAX_RATIO and ratio is not None and ratio > MAX_RATIO[name]:
        misses.append(f"ratio {ratio} > {MAX_RATIO[name]}")
    peak = result.peak_rss_mb
    if name in MAX_PEAK_MB and peak is not None and peak > MAX_PEAK_MB[name]:
        misses.append(f"peak {peak} MB > {MAX_PEAK_MB[name]:.0f} MB")
    p95 = result.detail.get("p95_seconds")
    if name in MAX_P95_SECONDS and p95 is not None and p95 > MAX_P95_SECONDS[name]:
        misses.append(f"p95 {p95 * 1000:.0f} ms > {MAX_P95_SECONDS[name] * 1000:.0f} ms")
    return misses


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        mem_kb = 0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def _fmt(value: Any, spec: str = "") -> str:
    if value is None:
        return "-"
    return format(value, spec) if spec else str(value)


def table(results: dict[str, Result], errors: dict[str, str]) -> str:
    header = f"{'benchmark':<17}{'n':>8}{'seconds':>10}{'limit s':>10}{'ratio':>7}{'peak MB':>9}{'queries':>9}  notes"
    lines = [header, "-" * len(header)]
    for name in NAMES:
        if name in errors:
            lines.append(f"{name:<17}{'':>8}{'':>10}{'':>10}{'':>7}{'':>9}{'':>9}  FAILED: {errors[name]}")
            continue
        if name not in results:
            continue
        r = results[name]
        notes = []
        if "p95_seconds" in r.detail:
            notes.append(f"p95 {r.detail['p95_seconds'] * 1000:.1f} ms")
        misses = target_misses(name, r)
        notes.append("MISSED: " + "; ".join(misses) if misses else "")
        lines.append(
            f"{name:<17}{r.n:>8}{_fmt(r.seconds, '.3f'):>10}{_fmt(r.limit_seconds, '.3f'):>10}"
            f"{_fmt(r.ratio):>7}{_fmt(r.peak_rss_mb):>9}{_fmt(r.queries):>9}  {' '.join(n for n in notes if n)}"
        )
    return "\n".join(lines)


def _load(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def results_write(
    path: Path,
    results: dict[str, Result],
    errors: dict[str, str],
    *,
    context: dict[str, Any],
    merge: bool,
) -> None:
    """Write the figures (merged into the existing file when only some benchmarks ran)."""
    figures = _load(path) if merge else {}
    details = _load(detail_path(path)) if merge else {}
    details.setdefault("benchmarks", {})
    for name in NAMES:
        if name in results:
            figures[name] = results[name].figures()
            details["benchmarks"][name] = {
                **results[name].figures(),
                "detail": results[name].detail,
                "misses": target_misses(name, results[name]),
                "run": context,
            }
        elif name in errors:
            figures[name] = dict.fromkeys(FIGURES)
            details["benchmarks"][name] = {"error": errors[name], "run": context}
    ordered = {name: figures[name] for name in NAMES if name in figures}
    path.write_text(json.dumps(ordered, indent=2) + "\n")
    details["last_run"] = context
    detail_path(path).write_text(json.dumps(details, indent=2, default=str) + "\n")
