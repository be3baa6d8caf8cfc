"""`python -m bench`: run the benchmarks, print the table, write bench/results.json."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import signal
import sys
from pathlib import Path

from bench.harness import SCALES
from bench.report import print_table, write_json
from bench.suite import BENCHMARKS, run_suite

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results.json"


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    default_scale = "full" if os.environ.get("BENCH_FULL") == "1" else "quick"
    parser.add_argument("--scale", choices=sorted(SCALES), default=default_scale, help="quick (default) or full")
    parser.add_argument("--stores", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--only", default="", help="comma-separated ids, e.g. B1,B3 (default: all)")
    parser.add_argument("--rebuild-sizes", default="", help="B4 sizes, e.g. 10000,100000 (default: by scale)")
    parser.add_argument("--memory-events", type=int, default=0, help="events in the store for MEM (default: by scale)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    return parser.parse_args()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("kafka").setLevel(logging.WARNING)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    arguments = parse_arguments()
    scale = SCALES[arguments.scale]
    if arguments.rebuild_sizes:
        scale = dataclasses.replace(
            scale, rebuild_sizes=tuple(int(size) for size in arguments.rebuild_sizes.split(","))
        )
    if arguments.memory_events:
        scale = dataclasses.replace(scale, memory_events=arguments.memory_events)
    kinds = tuple(kind.strip() for kind in arguments.stores.split(",") if kind.strip())
    unknown = set(kinds) - {"sqlite", "postgres"}
    if unknown:
        raise SystemExit(f"unknown store(s): {', '.join(sorted(unknown))}")
    only = frozenset(item.strip().upper() for item in arguments.only.split(",") if item.strip())
    known = {benchmark.id for benchmark in BENCHMARKS}
    if only - known:
        raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(only - known))}")
    rows = run_suite(scale, kinds, only)
    print_table(rows, scale)
    write_json(rows, scale, arguments.output)
    print(f"Wrote {arguments.output}")


if __name__ == "__main__":
    main()
