"""The frontend's generated API types, checked against the server: `python -m devtools.api_schema [--write]`.

`frontend/src/api/schema.d.ts` is what openapi-typescript makes of `manage.py spectacular`'s schema. Without
`--write` this exits 1 when the committed file differs from what the current tree produces (so `make test`
catches an API change whose frontend types were not regenerated); with `--write` it regenerates the file.

The schema needs Django's settings but no services: it runs with a throwaway VAR_DIR (settings generate key
files there) and without DATABASE_URL or CELERY_BROKER_URL, so it works on a fresh clone and never touches
the developer's var/.
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRONTEND = ROOT / "frontend"
TYPES = FRONTEND / "src" / "api" / "schema.d.ts"


def generate(work: Path) -> str:
    """The schema.d.ts that the current tree produces."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env["VAR_DIR"] = str(work / "var")
    schema = work / "openapi.yaml"
    subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--file", str(schema)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    out = work / "schema.d.ts"
    # The pinned openapi-typescript from frontend/node_modules (npx would fetch another one when missing).
    binary = FRONTEND / "node_modules" / ".bin" / "openapi-typescript"
    if not binary.exists():
        sys.exit("frontend/node_modules is missing: run `make frontend/node_modules/.installed` first")
    subprocess.run(
        [str(binary), str(schema), "-o", str(out)],
        cwd=FRONTEND,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out.read_text(encoding="utf-8")


def main(argv: list[str]) -> int:
    write = "--write" in argv
    with tempfile.TemporaryDirectory(prefix="api-schema-") as tmp:
        fresh = generate(Path(tmp))
    current = TYPES.read_text(encoding="utf-8") if TYPES.exists() else ""
    if fresh == current:
        print(f"{TYPES.relative_to(ROOT)} matches the server's schema")
        return 0
    if write:
        TYPES.write_text(fresh, encoding="utf-8")
        print(f"{TYPES.relative_to(ROOT)} regenerated")
        return 0
    diff = difflib.unified_diff(
        current.splitlines(keepends=True),
        fresh.splitlines(keepends=True),
        fromfile=f"{TYPES.relative_to(ROOT)} (committed)",
        tofile="schema.d.ts (from manage.py spectacular now)",
        n=1,
    )
    sys.stdout.writelines(list(diff)[:200])
    print(
        f"\n{TYPES.relative_to(ROOT)} is stale: the API changed since it was generated. "
        "Run `.venv/bin/python -m devtools.api_schema --write` and commit it with the change.",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
