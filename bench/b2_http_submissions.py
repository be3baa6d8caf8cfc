"""B2: referral submissions/s and latency through HTTP (uvicorn, concurrent clients) against a trivial endpoint."""

from __future__ import annotations

from datetime import timedelta

from bench.fill import SUBMITTER
from bench.harness import BenchStore, Row, Scale, ratio_row
from bench.http_load import Request, bench_server_command, running_server, warm_then_drive
from bench.server import TRIVIAL_PATH
from hub.kernel.config import Settings
from hub.registry.demo import seed_demo
from hub.service import Hub
from tests.conftest import distinct_child_referral

P99_GOAL_MS = 50.0
TOKEN_LIFETIME = timedelta(hours=4)


def seeded_store_with_token(settings: Settings, username: str) -> dict[str, str]:
    hub = Hub(settings)
    try:
        seed_demo(hub)
        return {"Authorization": f"Bearer {hub.issue_token(username, TOKEN_LIFETIME)}"}
    finally:
        hub.close()


def run(store: BenchStore, scale: Scale) -> list[Row]:
    settings = store.fresh("b2")
    headers = seeded_store_with_token(settings, SUBMITTER)
    with running_server(bench_server_command(), settings) as (url, _):
        trivial = warm_then_drive(
            url,
            lambda number: Request("POST", TRIVIAL_PATH, headers, distinct_child_referral(number)),
            scale.http_requests,
            scale.clients,
            200,
        )
        hub = warm_then_drive(
            url,
            lambda number: Request("POST", "/v1/referrals", headers, distinct_child_referral(number)),
            scale.http_requests,
            scale.clients,
            201,
        )
    throughput = ratio_row(
        "B2",
        store.kind,
        f"HTTP submissions/s, {scale.clients} clients",
        hub.requests_per_second,
        trivial.requests_per_second,
        "req/s",
        0.5,
        scale.http_requests,
        failures=hub.failures + trivial.failures,
        p50_ms=hub.p50_ms,
        trivial_p50_ms=trivial.p50_ms,
    )
    latency = Row(
        id="B2",
        store=store.kind,
        what=f"HTTP submission p99 latency (p50 {hub.p50_ms:.1f} ms)",
        value=hub.p99_ms,
        unit="ms",
        baseline=trivial.p99_ms,
        ratio=hub.p99_ms / trivial.p99_ms,
        goal=f"p99 ≤ {P99_GOAL_MS:g} ms",
        passed=hub.p99_ms <= P99_GOAL_MS,
        size=scale.http_requests,
        extra={"p50_ms": hub.p50_ms, "trivial_p50_ms": trivial.p50_ms},
    )
    return [throughput, latency]
