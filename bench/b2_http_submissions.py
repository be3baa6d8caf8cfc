"""B2: referral submissions/s and latency through HTTP (uvicorn, load from wrk) against the same server's no-op
endpoint."""

from __future__ import annotations

from datetime import timedelta

from bench.fill import SUBMITTER
from bench.harness import BenchStore, Row, Scale, ratio_row
from bench.http_load import bench_server_command, latency_row, running_server
from bench.server import TRIVIAL_PATH
from bench.wrk import warm_then_wrk
from hub.kernel.config import Settings
from hub.registry.demo import seed_demo
from hub.service import Hub
from tests.conftest import distinct_child_referral

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
        trivial = warm_then_wrk(
            url, "POST", [TRIVIAL_PATH], headers, scale.http_seconds, scale.clients, distinct_child_referral
        )
        hub = warm_then_wrk(
            url, "POST", ["/v1/referrals"], headers, scale.http_seconds, scale.clients, distinct_child_referral
        )
    throughput = ratio_row(
        "B2",
        store.kind,
        f"HTTP submissions/s, {scale.clients} wrk connections",
        hub.requests_per_second,
        trivial.requests_per_second,
        "req/s",
        0.5 if store.kind == "sqlite" else 0.35,  # the goals: PostgreSQL gets closer later
        failures=hub.failures + trivial.failures,
        p50_ms=hub.p50_ms,
        trivial_p50_ms=trivial.p50_ms,
    )
    return [throughput, latency_row("B2", store.kind, "HTTP submission", hub, trivial)]
