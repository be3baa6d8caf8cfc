"""B3: access events recorded/s against raw single-row transactions/s, and audited referral reads/s through HTTP
(each appends an access event; load from wrk) against the same server's no-op endpoint."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from bench.fill import fill_referrals
from bench.harness import BenchStore, Row, Scale, per_second, ratio_row
from bench.http_load import bench_server_command, latency_row, running_server
from bench.raw_transactions import single_row_transactions_per_second
from bench.server import TRIVIAL_PATH
from bench.wrk import warm_then_wrk
from hub.kernel.config import Settings
from hub.registry.demo import seed_demo
from hub.service import Hub
from policies import access

READER = "tukums.cm"
REFERRALS = 50
TOKEN_LIFETIME = timedelta(hours=4)


def recordings_per_second(settings: Settings, count: int, threads: int) -> float:
    """Access events recorded/s by `threads` concurrent callers of `record_access`, without HTTP in the way."""
    hub = Hub(settings)
    try:
        seed_demo(hub)
        principal = hub.authenticate(hub.issue_token(READER))
        decision = access.decide_inbox_read(principal)

        def record(calls: int) -> None:
            for _ in range(calls):
                hub.record_access(principal, decision, "inbox.read", "inbox:bench", "bench")

        def record_concurrently() -> None:
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(record, [count // threads] * threads))

        return per_second(count // threads * threads, record_concurrently)
    finally:
        hub.close()


def run(store: BenchStore, scale: Scale) -> list[Row]:
    raw = single_row_transactions_per_second(store.fresh("b3_raw"), scale.http_requests)
    recorded = recordings_per_second(store.fresh("b3_core"), scale.http_requests, scale.clients)
    settings = store.fresh("b3")
    hub = Hub(settings)
    try:
        seed_demo(hub)
        referral_ids = fill_referrals(hub, REFERRALS)
        headers = {"Authorization": f"Bearer {hub.issue_token(READER, TOKEN_LIFETIME)}"}
    finally:
        hub.close()

    paths = [f"/v1/referrals/{referral_id}" for referral_id in referral_ids]
    with running_server(bench_server_command(), settings) as (url, _):
        trivial = warm_then_wrk(url, "GET", [TRIVIAL_PATH], headers, scale.http_seconds, scale.clients)
        reads = warm_then_wrk(url, "GET", paths, headers, scale.http_seconds, scale.clients)
    return [
        ratio_row(
            "B3",
            store.kind,
            f"access events recorded/s, {scale.clients} threads, no HTTP",
            recorded,
            raw,
            "events/s",
            1.0,
            scale.http_requests,
        ),
        ratio_row(
            "B3",
            store.kind,
            f"audited HTTP reads/s ÷ no-op, {scale.clients} wrk connections",
            reads.requests_per_second,
            trivial.requests_per_second,
            "req/s",
            0.5,
            failures=reads.failures + trivial.failures,
            p50_ms=reads.p50_ms,
            trivial_p50_ms=trivial.p50_ms,
            raw_transactions_per_second=raw,
        ),
        latency_row("B3", store.kind, "audited HTTP read", reads, trivial),
    ]
