"""``python -m bench [--jobs N] [--only export,import,...]``: run the benchmarks, write bench/results.json.

Needs PostgreSQL (DATABASE_URL), and for the export/import benchmarks a broker (CELERY_BROKER_URL, Redis)
and OBS (OBS_*, SeaweedFS): ``make bench`` runs this under ``python -m devtools.servers run --need
postgres,redis,seaweedfs``, which starts whichever of them the environment does not give.

The run owns everything it uses: a database ``bench_<pid>`` on that server (migrated, filled by
``bench.generate``, dropped at the end), a scratch directory (VAR_DIR: keys, media, static files, logs),
a Celery queue, a Celery worker and, for the browser benchmarks, gunicorn.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from bench.cases import NAMES, Bench, Result, case_get
from bench.measure import load_average, timed
from bench.report import RESULTS, detail_path, machine, results_write, table
from bench.runtime import BenchError, WebServer, WorkerTasks, database_create, database_drop
from devtools.processes import Terminated, install_termination_handlers

TASK_CASES = {"export_first", "export", "import", "import_overwrite", "import_preview", "import_undo"}
BROWSER_CASES = {"browser_tree", "browser_canvas"}


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--jobs",
        type=int,
        default=int(os.environ.get("BENCH_JOBS") or 10_000),
        help="N: jobs of the exported workspace (the tree workspace has 5 N); default $BENCH_JOBS or 10000",
    )
    parser.add_argument("--only", default="", help=f"comma-separated subset of: {', '.join(NAMES)}")
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"default {RESULTS}")
    parser.add_argument("--keep", action="store_true", help="keep the database and the scratch directory")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(NAMES)
    unknown = sorted(set(names) - set(NAMES))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(NAMES)}")
    if args.jobs < 10:
        parser.error("--jobs must be at least 10")
    args.names = [n for n in NAMES if n in names]
    args.merge = set(args.names) != set(NAMES)  # a subset updates its entries of an existing results file
    return args


def _environment(workdir: Path, database_url: str, jobs: int) -> str:
    """Point this process (and the processes it starts) at the bench's database, files and queue, before
    Django reads its settings."""
    var = workdir / "var"
    (var / "staticfiles").mkdir(parents=True)  # STATIC_ROOT: WhiteNoise warns when it is missing
    queue = f"bench-{os.getpid()}-{secrets.token_hex(3)}"
    os.environ.update(
        DATABASE_URL=database_url,
        VAR_DIR=str(var),
        MEDIA_ROOT=str(var / "media"),
        CELERY_QUEUE=queue,
        DJANGO_SETTINGS_MODULE="factory.settings",
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
    )
    # The console's own caps on one export and one package, raised to fit a workspace of N jobs (about
    # four scripts each) when N is beyond them; a real deployment sets them the same way.
    os.environ.setdefault("EXPORT_MAX_OBJECTS", str(max(10_000, 2 * jobs)))
    os.environ.setdefault("PACKAGE_MAX_ENTRIES", str(max(100_000, 6 * jobs + 1_000)))
    # The manifest lists every entry (about 300 bytes and 6 JSON values each).
    os.environ.setdefault("PACKAGE_MAX_ENTRY_BYTES", str(max(64 * 1024 * 1024, 2_400 * jobs)))
    os.environ.setdefault("PACKAGE_MAX_JSON_VALUES", str(max(1_000_000, 48 * jobs)))
    os.environ.pop("OBS_BUCKET", None)  # export artifacts on the local filesystem: the limit writes there too
    return queue


def _run(args: argparse.Namespace, workdir: Path, queue: str, context: dict[str, Any]) -> tuple[dict, dict]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.generate import world_generate

    with timed() as migrating:
        call_command("migrate", verbosity=0, interactive=False)
    context["postgresql"] = connection.cursor().connection.info.server_version
    _log(f"migrated in {migrating[0]:.1f}s; generating N={args.jobs} (and {5 * args.jobs} small jobs)")
    with timed() as generating:
        world = world_generate(jobs=args.jobs)
    with timed() as settling, connection.cursor() as cursor:
        # What autovacuum would have done by the time anyone exports a workspace this size: statistics
        # for the planner, hint bits and the visibility map; otherwise the first reads pay for them.
        cursor.execute("VACUUM (ANALYZE)")
    _log(f"vacuumed and analyzed in {settling[0]:.1f}s")
    context["generation_seconds"] = round(generating[0], 1)
    context["generated"] = {**world.source.__dict__, "tree_jobs": world.tree_jobs}
    _log(
        f"generated in {generating[0]:.1f}s: {world.source.jobs} jobs ({world.source.nodes} nodes), "
        f"{world.source.scripts} scripts, {world.tree_jobs} jobs in the tree workspace"
    )

    env = dict(os.environ)
    tasks: Any = None
    web: WebServer | None = None
    if TASK_CASES & set(args.names):
        tasks = WorkerTasks(env=env, queue=queue, workdir=workdir)  # started by each benchmark that needs it
        _log(f"Celery worker: queue {queue}, log {tasks.log_path}")

    def web_url() -> str:
        nonlocal web
        if web is None:
            call_command("collectstatic", interactive=False, verbosity=0)
            web = WebServer(env=env, workdir=workdir)
            web.start()
            _log(f"gunicorn up on {web.url}")
        return web.url

    bench = Bench(world=world, tasks=tasks, workdir=workdir, web_url=web_url)
    results: dict[str, Result] = {}
    errors: dict[str, str] = {}
    merge = args.merge
    try:
        for name in args.names:
            _log(f"{name}...")
            began, load = time.monotonic(), load_average()
            try:
                if name in TASK_CASES:
                    tasks.restart()  # a fresh pool process: this benchmark's peak memory is its own
                results[name] = case_get(name)(bench)
                results[name].detail["load_average"] = [load, load_average()]
            except BenchError as exc:
                errors[name] = str(exc)
                _log(f"{name} FAILED: {exc}")
            except Exception as exc:  # a bug here or in the console: record it, run the other benchmarks
                errors[name] = f"{type(exc).__name__}: {exc}"
                _log(f"{name} FAILED:\n{traceback.format_exc()}")
            finally:
                # Written after every benchmark: a run that dies later keeps what it measured.
                results_write(args.output, results, errors, context=context, merge=merge)
            if name in errors:
                continue
            r = results[name]
            _log(
                f"{name}: {r.seconds:.3f}s (limit {r.limit_seconds}, ratio {r.ratio}, peak {r.peak_rss_mb} MB, "
                f"{r.queries} queries) [{time.monotonic() - began:.0f}s with setup]"
            )
    finally:
        for cleanup in bench.cleanups:
            try:
                cleanup()
            except Exception as exc:  # cleaning up must not hide the results
                _log(f"cleanup failed: {exc}")
        if tasks is not None:
            tasks.close()
        if web is not None:
            web.close()
        from django.db import connections

        connections.close_all()
    return results, errors


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    server_url = os.environ.get("DATABASE_URL", "")
    install_termination_handlers()
    workdir = Path(tempfile.mkdtemp(prefix=f"factory-bench-{os.getpid()}-"))
    database = f"bench_{os.getpid()}"
    context: dict[str, Any] = {
        "command": " ".join(["python -m bench", *(argv if argv is not None else sys.argv[1:])]),
        "jobs": args.jobs,
        "started": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "machine": machine(),
    }
    created = False
    try:
        bench_url = database_create(server_url, database)
        created = True
        queue = _environment(workdir, bench_url, args.jobs)
        results, errors = _run(args, workdir, queue, context)
    except (BenchError, Terminated) as exc:
        _log(f"stopped: {exc or type(exc).__name__}")
        return 1
    finally:
        if args.keep:
            _log(f"kept database {database} and {workdir}")
        else:
            if created:
                database_drop(server_url, database)
            shutil.rmtree(workdir, ignore_errors=True)
    results_write(args.output, results, errors, context=context, merge=args.merge)
    print(table(results, errors))
    _log(f"wrote {args.output} and {detail_path(args.output)}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
