"""B3: audited referral reads/s through HTTP (each appends an access event) against raw single-row transactions/s."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from bench.fill import fill_referrals
from bench.harness import BenchStore, Row, Scale, per_second, ratio_row
from bench.http_load import Request, bench_server_command, running_server, warm_then_drive
from bench.raw_transactions import single_row_transactions_per_second
from bench.server import TRIVIAL_PATH
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

    def read(index: int) -> Request:
        return Request("GET", f"/v1/referrals/{referral_ids[index % len(referral_ids)]}", headers)

    with running_server(bench_server_command(), settings) as (url, _):
        trivial = warm_then_drive(
            url, lambda _: Request("GET", TRIVIAL_PATH, headers), scale.http_requests, scale.clients, 200
        )
        reads = warm_then_drive(url, read, scale.http_requests, scale.clients, 200)
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
            f"audited HTTP reads/s, {scale.clients} clients (p99 {reads.p99_ms:.0f} ms)",
            reads.requests_per_second,
            raw,
            "req/s",
            1.0,
            scale.http_requests,
            failures=reads.failures,
            p50_ms=reads.p50_ms,
            p99_ms=reads.p99_ms,
            trivial_http_per_second=trivial.requests_per_second,
        ),
    ]
