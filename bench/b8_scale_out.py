"""B8: HTTP submissions/s with two API processes ÷ with one, on PostgreSQL, as the scale-out stack runs them.

Each run has its own database and the same workers as separate processes (`hub worker projections` and
`checkpoints`); the API processes (B2's server) serve `HUB_ROLES=api` only, and the clients' connections are
spread evenly over them. On one machine the processes share its cores with PostgreSQL and the load generator,
so the figure says whether a second process adds work done or only contention.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from bench.b2_http_submissions import seeded_store_with_token
from bench.fill import SUBMITTER
from bench.harness import BenchStore, Row, Scale, ratio_row
from bench.http_load import (
    ROOT,
    LoadResult,
    Request,
    bench_server_command,
    hub_environment,
    running_server,
    warm_then_drive,
)
from hub.kernel.config import Settings
from tests.conftest import distinct_child_referral

HUB = [sys.executable, "-c", "from adapters.cli import main; main()"]
WORKERS = ("projections", "checkpoints")
SCALE_OUT_GOAL = 1.0


@contextmanager
def running_workers(settings: Settings) -> Iterator[None]:
    """The background roles as their own processes, stopped at the end."""
    processes = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [*HUB, "worker", role],
            cwd=ROOT,
            env=hub_environment(settings),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for role in WORKERS
    ]
    try:
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def submissions_per_second(store: BenchStore, scale: Scale, api_processes: int) -> LoadResult:
    settings = store.fresh(f"b8_{api_processes}")
    headers = seeded_store_with_token(settings, SUBMITTER)
    with ExitStack() as stack:
        stack.enter_context(running_workers(settings))
        urls = [
            stack.enter_context(running_server(bench_server_command(), settings, HUB_ROLES="api"))[0]
            for _ in range(api_processes)
        ]
        return warm_then_drive(
            urls,
            lambda number: Request("POST", "/v1/referrals", headers, distinct_child_referral(number)),
            scale.http_requests,
            scale.clients,
            201,
        )


def run(store: BenchStore, scale: Scale) -> list[Row]:
    what = f"HTTP submissions/s, two API processes ÷ one, {scale.clients} clients"
    if store.cluster is None:
        return [Row("B8", store.kind, what, None, "", note="PostgreSQL only: SQLite serves one process")]
    one = submissions_per_second(store, scale, 1)
    two = submissions_per_second(store, scale, 2)
    return [
        ratio_row(
            "B8",
            store.kind,
            what,
            two.requests_per_second,
            one.requests_per_second,
            "req/s",
            SCALE_OUT_GOAL,
            scale.http_requests,
            failures=one.failures + two.failures,
            p99_ms=two.p99_ms,
            one_process_p99_ms=one.p99_ms,
        )
    ]
