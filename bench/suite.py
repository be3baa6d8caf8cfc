"""The one list of benchmarks, and running the chosen ones on every chosen store."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from bench import (
    b1_submissions,
    b2_http_submissions,
    b3_audited_reads,
    b4_rebuild,
    b5_audit_verify,
    b6_kafka_relay,
    b7_policy_decisions,
    b8_scale_out,
    memory,
)
from bench.harness import BenchStore, Row, Scale, open_stores
from tests.pg import Cluster

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Benchmark:
    id: str
    what: str
    run: Callable[[BenchStore, Scale], list[Row]] | None = None
    waits_for: str = ""


LINEAR_ENOUGH = 0.7  # a rate that falls by less than this over a 100-fold larger log counts as linear cost

BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark("B1", "submissions/s via the application service", b1_submissions.run),
    Benchmark("B2", "submissions/s and p99 via HTTP", b2_http_submissions.run),
    Benchmark("B3", "audited reads/s via HTTP", b3_audited_reads.run),
    Benchmark("B4", "projection rebuild events/s", b4_rebuild.run),
    Benchmark("B5", "`hub audit verify` leaves/s", b5_audit_verify.run),
    Benchmark("B6", "Kafka relay messages published/s", b6_kafka_relay.run),
    Benchmark("B7", "policy decisions/s", b7_policy_decisions.run),
    Benchmark("B8", "HTTP submissions/s, two API processes ÷ one", b8_scale_out.run),
    Benchmark("MEM", "peak RSS of `hub serve` with a large store", memory.run),
)


def run_suite(
    scale: Scale, kinds: tuple[str, ...], only: frozenset[str] = frozenset(), cluster: Cluster | None = None
) -> list[Row]:
    """Run each chosen benchmark on each store; a benchmark that breaks gives a row saying so, not a crash."""
    chosen = [benchmark for benchmark in BENCHMARKS if not only or benchmark.id in only]
    rows: list[Row] = []
    with open_stores(kinds, cluster) as stores:
        for benchmark in chosen:
            for store in stores:
                rows.extend(_run_one(benchmark, store, scale))
    return rows + growth_rows(rows)


def growth_rows(rows: list[Row]) -> list[Row]:
    """For benchmarks run at several sizes: the rate at the largest size over the rate at the smallest.

    Cost that grows linearly with the log keeps the rate (events/s) the same, so the figure stays near 1.
    """
    grown = []
    for id, store in sorted({(row.id, row.store) for row in rows if row.size and row.value}):
        sized = sorted(
            (row for row in rows if (row.id, row.store) == (id, store) and row.size and row.value), key=_size
        )
        if len(sized) < 2 or sized[0].size == sized[-1].size:
            continue
        smallest, largest = sized[0], sized[-1]
        factor = (largest.value or 0.0) / (smallest.value or 1.0)
        grown.append(
            Row(
                id=id,
                store=store,
                what=f"growth: rate at {largest.size:,} ÷ rate at {smallest.size:,}",
                value=factor,
                unit="×",
                ratio=factor,
                goal=f"≥ {LINEAR_ENOUGH} (linear cost)",
                passed=factor >= LINEAR_ENOUGH,
                size=largest.size,
            )
        )
    return grown


def _size(row: Row) -> int:
    return row.size or 0


def _run_one(benchmark: Benchmark, store: BenchStore, scale: Scale) -> list[Row]:
    if benchmark.run is None:
        return [
            Row(
                benchmark.id,
                store.kind,
                benchmark.what,
                None,
                "",
                note=f"not measured: waits for {benchmark.waits_for}",
            )
        ]
    log.info("running %s on %s", benchmark.id, store.kind)
    try:
        return benchmark.run(store, scale)
    except Exception as error:
        log.error("%s on %s failed:\n%s", benchmark.id, store.kind, traceback.format_exc())
        return [Row(benchmark.id, store.kind, benchmark.what, None, "", passed=False, note=f"failed: {error!r}")]
