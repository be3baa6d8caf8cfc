"""The results as a rich table on the terminal and as `bench/results.json` (machine, date, rows)."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.harness import Row, Scale
from tests.pg import postgres_bindir

WIDTH = 160
NOTE = "Every figure is a ratio to a raw baseline measured in the same run on the same machine."


def machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "sqlite": sqlite3.sqlite_version,
        "postgres": _postgres_version(),
    }


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def _postgres_version() -> str:
    try:
        output = subprocess.run(  # noqa: S603 - Debian's own binary
            [str(postgres_bindir() / "postgres"), "--version"], capture_output=True, text=True, check=True
        )
    except (RuntimeError, OSError, subprocess.CalledProcessError):
        return "not installed"
    return output.stdout.strip()


def document(rows: list[Row], scale: Scale) -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "note": NOTE,
        "scale": scale.name,
        "machine": machine(),
        "rows": [row.as_dict() for row in rows],
    }


def write_json(rows: list[Row], scale: Scale, path: Path) -> None:
    path.write_text(json.dumps(document(rows, scale), indent=2, ensure_ascii=False) + "\n")


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:,.1f} {unit}" if value < 100 else f"{value:,.0f} {unit}"


def _verdict(row: Row) -> str:
    if row.passed is None:
        return "[yellow]pending[/yellow]"
    return "[green]yes[/green]" if row.passed else "[red]no[/red]"


def table(rows: list[Row], scale: Scale) -> Table:
    result = Table(title=f"Benchmarks ({scale.name}, {datetime.now(UTC):%Y-%m-%d})", caption=NOTE)
    for column in ("id", "store", "what", "size", "hub", "baseline", "ratio", "goal", "met"):
        result.add_column(column, justify="right" if column in ("size", "hub", "baseline", "ratio") else "left")
    for row in rows:
        result.add_row(
            row.id,
            row.store,
            row.what,
            f"{row.size:,}" if row.size else "",
            _figure(row.value, row.unit),
            _figure(row.baseline, row.unit),
            f"{row.ratio:.2f}" if row.ratio is not None else "—",
            row.goal,
            _verdict(row),
        )
    return result


def print_table(rows: list[Row], scale: Scale) -> None:
    console = Console(width=WIDTH)
    console.print(table(rows, scale))
    for row in rows:
        if row.note:
            console.print(f"{row.id} ({row.store}): {row.note}")
