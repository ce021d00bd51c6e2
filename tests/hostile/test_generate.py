"""The corpus generator itself: runnable as a module, deterministic, small on disk, and lazy where a case
is big (the 200 MB script is deflated as it is produced, never held uncompressed)."""

from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc

from tests.harness import REPO_ROOT
from tests.hostile.generate import CASE_NAMES, SPECS, _script_200mb, hostile_case, hostile_packages

MIB = 1024 * 1024


def test_every_case_is_small_on_disk_and_names_a_rule():
    cases = hostile_packages()
    assert [case.name for case in cases] == list(CASE_NAMES) and len(cases) >= 80
    for case in cases:
        assert len(case.data) < 12 * MIB, case.name
        assert case.expected_code.split(".")[0] in ("zip", "json", "schema", "layout", "manifest"), case.name
        assert case.message_fragment, case.name


def test_the_cases_are_the_same_bytes_every_time():
    for name, spec in SPECS.items():
        if name not in ("many_entries_at_default_limit", "script_200mb"):  # the two slow ones
            assert spec.build() == hostile_case(name).data, name


def test_the_200_mb_script_is_produced_in_little_memory():
    tracemalloc.start()
    try:
        data = _script_200mb()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(data) < MIB
    assert peak < 16 * MIB, f"peak {peak / MIB:.1f} MiB"


def test_runnable_as_a_module(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "tests.hostile.generate", str(tmp_path / "out")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    index = json.loads((tmp_path / "out" / "cases.json").read_text(encoding="utf-8"))
    assert [row["name"] for row in index] == list(CASE_NAMES)
    for row in index:
        assert (tmp_path / "out" / f"{row['name']}.zip").stat().st_size == row["size"]
    assert f"wrote {len(CASE_NAMES)} hostile packages" in done.stdout
