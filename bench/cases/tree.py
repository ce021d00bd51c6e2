"""The directory API: one folder of N/2 jobs, and the root of a 5 N-job workspace (5,000 and 50,000 at N=10,000).

Measured: server time of ``GET /api/workspaces/<id>/tree/?category=job[&parent=<id>]`` (the first page of
200 elements, as the console asks for it), through Django's whole request handling in this process (the
test client: middleware, session authentication, the view, serialization, JSON rendering), after three
warm-up requests. ``seconds`` is the median; the p95 is in the detail (the target is on the p95).
Queries: per request (the same for every request). No limit applies.
"""

from __future__ import annotations

from django.test import Client

from bench.cases import Bench, Result
from bench.measure import counting, median, percentile, timed
from bench.runtime import BenchError

REPEATS = 50
WARM_UP = 3


def _measure(bench: Bench, *, parent_id: int | None, expected_count: int, n: int, what: str) -> Result:
    world = bench.world
    client = Client()
    client.force_login(world.admin)
    url = f"/api/workspaces/{world.tree_id}/tree/?category=job&offset=0&limit=200"
    if parent_id is not None:
        url += f"&parent={parent_id}"
    seconds: list[float] = []
    queries: set[int] = set()
    size = 0
    for attempt in range(WARM_UP + REPEATS):
        with counting() as counted, timed() as elapsed:
            response = client.get(url)
        if response.status_code != 200:
            raise BenchError(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
        if attempt < WARM_UP:
            body = response.json()
            if body["count"] != expected_count:
                raise BenchError(f"GET {url} counted {body['count']} jobs, not {expected_count}")
            size = len(response.content)
            continue
        seconds.append(elapsed[0])
        queries.add(counted.queries)
    return Result(
        n=n,
        seconds=median(seconds),
        queries=max(queries),
        detail={
            "what": what,
            "median_seconds": round(median(seconds), 5),
            "p95_seconds": round(percentile(seconds, 0.95), 5),
            "max_seconds": round(max(seconds), 5),
            "requests": REPEATS,
            "elements_in_folder": expected_count,
            "response_bytes": size,
            "queries_vary": len(queries) > 1,
        },
    )


def tree_folder_case(bench: Bench) -> Result:
    world = bench.world
    return _measure(
        bench,
        parent_id=world.folder_id,
        expected_count=world.folder_jobs,
        n=world.folder_jobs,
        what="/big_folder of bench_tree, first page of 200",
    )


def tree_root_case(bench: Bench) -> Result:
    world = bench.world
    return _measure(
        bench,
        parent_id=None,
        expected_count=world.tree_root_jobs,
        n=world.tree_jobs,
        what="the root of bench_tree (its directories and the first 200 of its root jobs)",
    )
