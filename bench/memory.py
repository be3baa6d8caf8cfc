"""Peak memory (RSS) of `hub serve` over a large store, next to the same server over an empty one."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import httpx

from bench.fill import filled_store
from bench.harness import BenchStore, Row, Scale
from bench.http_load import running_server
from hub.kernel.config import Settings
from hub.registry.demo import seed_demo
from hub.service import Hub

GOAL_MB = 200.0  # issue 22: at 10M events (BENCH_FULL=1)
READER = "tukums.intake"
READS = 50


def peak_rss_mb(pid: int) -> float:
    """The process's high-water mark of resident memory (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmHWM not reported by /proc")


def served_peak_rss_mb(settings: Settings) -> float:
    hub = Hub(settings)
    try:
        seed_demo(hub)
        headers = {"Authorization": f"Bearer {hub.issue_token(READER, timedelta(hours=4))}"}
    finally:
        hub.close()
    command = [str(Path(sys.executable).with_name("hub")), "serve"]
    with running_server(command, settings) as (url, pid):
        for _ in range(READS):
            httpx.get(f"{url}/v1/inbox", headers=headers, timeout=60).raise_for_status()
        return peak_rss_mb(pid)


def run(store: BenchStore, scale: Scale) -> list[Row]:
    empty = served_peak_rss_mb(store.fresh("mem_empty"))
    large = served_peak_rss_mb(filled_store(store, scale.memory_events))
    return [
        Row(
            id="MEM",
            store=store.kind,
            what="peak RSS of `hub serve` (baseline: empty store)",
            value=large,
            unit="MB",
            baseline=empty,
            ratio=large / empty,
            goal=f"≤ {GOAL_MB:g} MB",
            passed=large <= GOAL_MB,
            size=scale.memory_events,
        )
    ]
