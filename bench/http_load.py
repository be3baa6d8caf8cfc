"""Starts a server process for a store and drives it with many concurrent HTTP clients, timing every request."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from bench.harness import Row
from hub.kernel.config import Settings
from tests.pg import free_port

ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT_SECONDS = 600
P99_GOAL_MS = 50.0


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    json: Any = None


@dataclass(frozen=True)
class LoadResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    failures: int


def latency_row(id: str, store: str, what: str, result: LoadResult, trivial: LoadResult) -> Row:
    """The p99 latency of `result` against its goal, with the no-op endpoint's p99 as the baseline."""
    return Row(
        id=id,
        store=store,
        what=f"{what} p99 latency (p50 {result.p50_ms:.1f} ms)",
        value=result.p99_ms,
        unit="ms",
        baseline=trivial.p99_ms,
        ratio=result.p99_ms / trivial.p99_ms if trivial.p99_ms else None,
        goal=f"p99 ≤ {P99_GOAL_MS:g} ms",
        passed=result.p99_ms <= P99_GOAL_MS,
        extra={"p50_ms": result.p50_ms, "trivial_p50_ms": trivial.p50_ms},
    )


def hub_environment(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a hub process on `settings`' store, plus `extra` settings (HUB_ROLES, say)."""
    return (
        os.environ
        | extra
        | {
            "HUB_STORE": settings.store,
            "HUB_KEY_DIR": str(settings.key_dir),
            "HUB_DEMO": "false",
            "HUB_RATE_LIMIT_USER_PER_MINUTE": "0",  # the load comes from one benchmark user on purpose
            "HUB_RATE_LIMIT_AGENCY_PER_MINUTE": "0",
        }
    )


@contextmanager
def running_server(command: Sequence[str], settings: Settings, **extra: str) -> Iterator[tuple[str, int]]:
    """Start `command` (which must listen on the port appended to it), wait until it answers; yields (url, pid)."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [*command, "--port", str(port)],
        cwd=ROOT,
        env=hub_environment(settings, **extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, process)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_until_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise RuntimeError(f"server exited with {process.returncode}: {stderr[-2000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not become ready")


def bench_server_command() -> list[str]:
    return [sys.executable, "-m", "bench.server"]


def drive(
    url: str | Sequence[str], make_request: Callable[[int], Request], total: int, clients: int, ok: int
) -> LoadResult:
    """Send `total` requests from `clients` concurrent keep-alive connections (spread evenly over the servers when
    `url` is several); a status other than `ok` fails."""
    urls = [url] if isinstance(url, str) else list(url)
    return asyncio.run(_drive(urls, make_request, total, clients, ok))


class Connection:
    """A minimal HTTP/1.1 keep-alive client, so that the load generator costs little of the shared CPUs."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, url: str) -> Connection:
        parts = urlsplit(url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        return cls(reader, writer)

    async def send(self, request: Request) -> int:
        body = b"" if request.json is None else json.dumps(request.json).encode()
        lines = [f"{request.method} {request.path} HTTP/1.1", "Host: bench", f"Content-Length: {len(body)}"]
        if body:
            lines.append("Content-Type: application/json")
        lines.extend(f"{name}: {value}" for name, value in request.headers.items())
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return status

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


async def _drive(
    urls: Sequence[str], make_request: Callable[[int], Request], total: int, clients: int, ok: int
) -> LoadResult:
    latencies: list[float] = []
    failures = 0
    counter = iter(range(total))
    connections = [await Connection.open(urls[index % len(urls)]) for index in range(clients)]

    async def one_client(connection: Connection) -> None:
        nonlocal failures
        for index in counter:
            request = make_request(index)
            started = time.perf_counter()
            status = await connection.send(request)
            latencies.append(time.perf_counter() - started)
            if status != ok:
                failures += 1

    started = time.perf_counter()
    await asyncio.gather(*(one_client(connection) for connection in connections))
    elapsed = time.perf_counter() - started
    for connection in connections:
        await connection.close()
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive")
    return LoadResult(total / elapsed, quantiles[49] * 1000, quantiles[98] * 1000, failures)


def warm_then_drive(
    url: str | Sequence[str], make_request: Callable[[int], Request], total: int, clients: int, ok: int
) -> LoadResult:
    """Warm up with requests numbered after the measured ones, so that no two requests are the same."""
    drive(url, lambda index: make_request(total + index), clients * 2, clients, ok)
    return drive(url, make_request, total, clients, ok)
