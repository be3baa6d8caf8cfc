"""HTTP load from `wrk` (a C load generator, Debian's package), so that B2 and B3 measure the server, not the client.

Every request has the same method and headers; the paths are sent in turn, and submissions each send their own
body from a file written beforehand (one JSON body a line, sent in turn by `bench/wrk_requests.lua`), so that no
two are the same.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.http_load import LoadResult

SCRIPT = Path(__file__).resolve().parent / "wrk_requests.lua"
THREADS = 1  # one epoll loop keeps up with 32 connections and leaves the most CPU to the server
WARM_UP_SECONDS = 2
BODIES_PER_SECOND = 4000  # more bodies than any run sends, so that none is sent twice
WARM_UP_FIRST = 10_000_000  # warm-up bodies are numbered from here, apart from the measured ones


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise RuntimeError("wrk is missing: run scripts/ensure-wrk.sh (Debian's 'wrk' package)")
    return path


def run_wrk(
    url: str,
    method: str,
    paths: Sequence[str],
    headers: dict[str, str],
    seconds: int,
    connections: int,
    body: Callable[[int], Any] | None = None,
    first: int = 0,
) -> LoadResult:
    """`connections` keep-alive connections sending requests for `seconds`, to `paths` in turn; with `body`, the
    requests send `body(first)`, `body(first + 1)`, ..."""
    with tempfile.TemporaryDirectory(prefix="hub-wrk-") as directory:
        header_file = Path(directory) / "headers"
        header_file.write_text("".join(f"{name}: {value}\n" for name, value in headers.items()))
        path_file = Path(directory) / "paths"
        path_file.write_text("".join(f"{path}\n" for path in paths))
        body_file = "-"
        if body is not None:
            body_file = str(Path(directory) / "bodies")
            numbers = range(first, first + BODIES_PER_SECOND * seconds)
            Path(body_file).write_text("".join(json.dumps(body(number)) + "\n" for number in numbers))
        completed = subprocess.run(  # noqa: S603 - Debian's wrk with our own script
            [
                wrk_path(),
                f"--threads={THREADS}",
                f"--connections={connections}",
                f"--duration={seconds}s",
                "--timeout=10s",
                f"--script={SCRIPT}",
                url + paths[0],
                "--",
                method,
                str(header_file),
                str(path_file),
                body_file,
                str(THREADS),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    summary = json.loads(completed.stdout.strip().splitlines()[-1])
    return LoadResult(
        requests_per_second=summary["requests"] / (summary["duration_us"] / 1e6),
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        failures=summary["non_ok"] + summary["socket_errors"],
    )


def warm_then_wrk(
    url: str,
    method: str,
    paths: Sequence[str],
    headers: dict[str, str],
    seconds: int,
    connections: int,
    body: Callable[[int], Any] | None = None,
) -> LoadResult:
    """A short warm-up run (its own bodies), then the measured run."""
    run_wrk(url, method, paths, headers, WARM_UP_SECONDS, connections, body, WARM_UP_FIRST)
    return run_wrk(url, method, paths, headers, seconds, connections, body)
