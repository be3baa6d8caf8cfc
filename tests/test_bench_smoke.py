"""The benchmark harness runs end to end at a tiny size on both stores, so it cannot rot (no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.harness import SCALES
from bench.report import write_json
from bench.suite import BENCHMARKS, run_suite
from tests.pg import Cluster

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.postgres
def test_every_benchmark_gives_a_row_per_store_and_the_results_file_has_them(
    pg_cluster: Cluster, tmp_path: Path
) -> None:
    scale = SCALES["tiny"]
    rows = run_suite(scale, ("sqlite", "postgres"), cluster=pg_cluster)
    output = tmp_path / "results.json"
    write_json(rows, scale, output)

    document = json.loads(output.read_text())
    assert document["machine"]["cpus"] >= 1
    assert "ratio" in document["note"]
    recorded = {(row["id"], row["store"]) for row in document["rows"]}
    assert recorded == {(benchmark.id, store) for benchmark in BENCHMARKS for store in ("sqlite", "postgres")}
    for row in document["rows"]:
        if next(b for b in BENCHMARKS if b.id == row["id"]).run is None:
            assert row["value"] is None
            assert row["note"].startswith("not measured: waits for issue")
        elif row["note"].startswith("PostgreSQL only"):
            assert (row["id"], row["store"], row["value"]) == ("B8", "sqlite", None)
        else:
            assert row["note"] == "", row["note"]
            assert row["value"] > 0
            assert row["baseline"] > 0
            assert isinstance(row["passed"], bool)
            assert row["extra"].get("failures", 0) == 0


def test_unknown_benchmark_ids_and_stores_are_refused() -> None:
    for arguments in (["--only", "B99"], ["--stores", "mysql"]):
        result = subprocess.run(
            [sys.executable, "-m", "bench", "--scale", "tiny", *arguments], cwd=ROOT, capture_output=True, text=True
        )
        assert result.returncode != 0
        assert "unknown" in result.stderr


def test_the_step_comparisons_and_the_request_profile_run() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.steps", "--tiny", "--rounds", "1", "--profile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    for step in ("shared commits", "registry cache", "token cache"):
        assert f"round 1 {step}: " in result.stdout
    assert "of it: the append (group commit)" in result.stdout
