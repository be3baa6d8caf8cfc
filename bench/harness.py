"""What every benchmark shares: the size of a run, the stores it runs on, its result rows and a stopwatch."""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from hub.kernel.config import Settings
from tests.pg import Cluster, start_cluster


@dataclass(frozen=True)
class Scale:
    """How much work each benchmark does; `quick` is the default, `full` adds the 1M-event runs."""

    name: str
    submissions: int
    http_requests: int
    rebuild_sizes: tuple[int, ...]
    memory_events: int
    http_seconds: int = 10  # how long wrk loads the server in B2 and B3
    clients: int = 32


SCALES = {
    "tiny": Scale(
        "tiny", submissions=20, http_requests=64, rebuild_sizes=(200,), memory_events=200, http_seconds=2, clients=8
    ),
    "quick": Scale("quick", submissions=400, http_requests=1000, rebuild_sizes=(10_000,), memory_events=10_000),
    "full": Scale(
        "full",
        submissions=2000,
        http_requests=10_000,
        rebuild_sizes=(10_000, 100_000, 1_000_000),
        memory_events=1_000_000,
        http_seconds=30,
    ),
}


@dataclass
class Row:
    """One line of the table: the hub's figure, the raw baseline's, their ratio and whether the goal is met."""

    id: str
    store: str
    what: str
    value: float | None
    unit: str
    baseline: float | None = None
    ratio: float | None = None
    goal: str = ""
    passed: bool | None = None
    size: int | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def ratio_row(
    id: str,
    store: str,
    what: str,
    value: float,
    baseline: float,
    unit: str,
    minimum: float,
    size: int | None = None,
    **extra: Any,
) -> Row:
    """A row whose goal is `value / baseline >= minimum`."""
    ratio = value / baseline if baseline else None
    return Row(
        id=id,
        store=store,
        what=what,
        value=value,
        unit=unit,
        baseline=baseline,
        ratio=ratio,
        goal=f"ratio ≥ {minimum}",
        passed=ratio is not None and ratio >= minimum,
        size=size,
        extra=extra,
    )


def per_second(count: int, work: Callable[[], object]) -> float:
    """Run `work` once and return `count` divided by the seconds it took."""
    started = time.perf_counter()
    work()
    return count / (time.perf_counter() - started)


class BenchStore:
    """One kind of store (SQLite files in a temp dir, or databases in a throwaway PostgreSQL cluster)."""

    def __init__(self, kind: str, directory: Path, cluster: Cluster | None = None) -> None:
        self.kind = kind
        self.directory = directory
        self.cluster = cluster

    def fresh(self, label: str) -> Settings:
        """Settings for a new, empty store of this kind (its own keys too)."""
        name = f"{label}_{uuid.uuid4().hex[:8]}"
        if self.cluster is not None:
            store = self.cluster.create_database(name)
        else:
            store = str(self.directory / f"{name}.sqlite")
        return Settings(store=store, key_dir=self.directory / f"{name}-keys", _env_file=None)


@contextmanager
def open_stores(kinds: tuple[str, ...], cluster: Cluster | None = None) -> Iterator[list[BenchStore]]:
    """The stores to run on; starts a throwaway PostgreSQL cluster (with fsync) unless one is given."""
    directory = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    owned: Cluster | None = None
    try:
        stores = []
        for kind in kinds:
            if kind == "postgres":
                if cluster is None:
                    owned = cluster = start_cluster(fsync=True)
                stores.append(BenchStore(kind, directory, cluster))
            else:
                stores.append(BenchStore(kind, directory))
        yield stores
    finally:
        if owned is not None:
            owned.stop()
            shutil.rmtree(owned.directory, ignore_errors=True)
        shutil.rmtree(directory, ignore_errors=True)
