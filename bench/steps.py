"""What each of issue 22's steps gives, each measured against the same work without it, back to back in one run.

`python -m bench.steps [--store sqlite|postgres] [--rounds N]` prints, per step, the rate with the step, the rate
without it and their ratio, for each round (the machine is shared: only ratios within one round mean anything):

- shared commits: 16 threads submitting referrals through the service, with group commit ÷ one commit each;
- registry cache: `Core.authenticate` of a cached token, with registry lookups cached ÷ read from the view each time;
- token cache: `Core.authenticate` with the verified-token cache ÷ verifying the signature every time.

`--profile` adds one caller's no-op and submission through the app (in process), split into the parts of the
request by the wall-clock time spent in each (cProfile sees only one thread, and a request runs in several).
"""

from __future__ import annotations

import argparse
import inspect
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import count
from typing import Any

import fastapi.dependencies.utils
import fastapi.routing
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from bench.fill import SUBMITTER, distinct_draft
from bench.harness import open_stores, per_second
from bench.server import TRIVIAL_PATH, trivial
from hub.api.app import create_app
from hub.kernel.config import Settings
from hub.kernel.core import ONE_ITEM_CONFLICTS, Core
from hub.kernel.group_commit import GroupCommitter
from hub.kernel.token_cache import VerifiedTokens
from hub.people.service import SubjectService
from hub.referrals.service import ReferralService
from hub.registry.demo import seed_demo
from hub.service import Hub
from projections.registry import RegistryQueries
from tests.conftest import distinct_child_referral

THREADS = 16


@dataclass(frozen=True)
class Sizes:
    submissions: int = 320
    authentications: int = 2000
    profiled: int = 200  # requests of each kind in the profile


TINY = Sizes(submissions=32, authentications=50, profiled=5)  # for the smoke test: runs, measures nothing
# The parts of a request timed (wall clock, summed over the requests, whichever thread runs them).
PARTS = (
    ("dependencies: authentication, body validation, rate limits", fastapi.routing, "solve_dependencies"),
    ("  of them: sync dependencies (thread pool hops included)", fastapi.dependencies.utils, "run_in_threadpool"),
    ("    of them: Core.authenticate", Core, "authenticate"),
    ("  of them: body validation", fastapi.dependencies.utils, "request_body_to_args"),
    ("endpoint", fastapi.routing, "run_endpoint_function"),
    ("  of it: ReferralService.submit", ReferralService, "submit"),
    ("    of it: resolving the people", SubjectService, "resolve"),
    ("    of it: the append (group commit)", Core, "append_shared"),
    ("response model and encoding", fastapi.routing, "serialize_response"),
    ("JSON rendering", JSONResponse, "render"),
)


def submissions_per_second(hub: Hub, shared: bool, numbers: count[int], sizes: Sizes) -> float:
    """THREADS threads submitting distinct referrals; with `shared` false, a committer of one item a batch."""
    if not shared:
        hub.shared_appends.close()
        hub.shared_appends = GroupCommitter(hub._append_together, max_wait=0, max_batch=1, isolate=ONE_ITEM_CONFLICTS)
    principal = hub.principal_for(SUBMITTER)
    drafts = [distinct_draft(next(numbers)) for _ in range(sizes.submissions)]
    lock = threading.Lock()

    def work(_: int) -> None:
        while True:
            with lock:
                if not drafts:
                    return
                draft = drafts.pop()
            hub.referrals.submit(principal, draft)

    def run() -> None:
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(work, range(THREADS)))

    return per_second(sizes.submissions, run)


def authentications_per_second(hub: Hub, sizes: Sizes) -> float:
    token = hub.issue_token(SUBMITTER)
    hub.authenticate(token)
    times = sizes.authentications
    return per_second(times, lambda: [hub.authenticate(token) for _ in range(times)])


def with_and_without(settings: Settings, step: str, numbers: count[int], sizes: Sizes) -> tuple[float, float]:
    rates = []
    for enabled in (True, False):
        hub = Hub(settings)
        try:
            if step == "shared commits":
                rates.append(submissions_per_second(hub, enabled, numbers, sizes))
                continue
            if step == "registry cache" and not enabled:
                hub.registry_queries = RegistryQueries(hub.views_db)
            if step == "token cache" and not enabled:
                hub.verified_tokens = VerifiedTokens(hub.clock, max_entries=0)
            rates.append(authentications_per_second(hub, sizes))
        finally:
            hub.close()
    return rates[0], rates[1]


class Spans:
    """Wall-clock seconds spent in chosen functions (sync or async), summed; the functions are wrapped in place."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._lock = threading.Lock()
        self._originals: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)
        self._originals.append((owner, name, original))

        def add(started: float) -> None:
            with self._lock:
                self.seconds[label] += time.perf_counter() - started

        if inspect.iscoroutinefunction(original):

            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    add(started)

            setattr(owner, name, timed_async)
        else:

            def timed(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    add(started)

            setattr(owner, name, timed)

    def restore(self) -> None:
        for owner, name, original in reversed(self._originals):
            setattr(owner, name, original)


def profile(settings: Settings, sizes: Sizes) -> None:
    """One caller's no-op and submission through the app in process, split into the parts of the request."""
    hub = Hub(settings)
    try:
        app = create_app(hub, follow_in_background=False)
        app.add_api_route(TRIVIAL_PATH, trivial, methods=["GET", "POST"])
        headers = {"Authorization": f"Bearer {hub.issue_token(SUBMITTER)}"}
        bodies = iter(distinct_child_referral(number) for number in count(50_000))
        with TestClient(app) as client:
            for path, label in ((TRIVIAL_PATH, "no-op"), ("/v1/referrals", "submission")):
                for _ in range(10):
                    client.post(path, json=next(bodies), headers=headers)
                spans = Spans()
                for part, owner, name in PARTS:
                    spans.wrap(owner, name, part)
                started = time.perf_counter()
                try:
                    for _ in range(sizes.profiled):
                        client.post(path, json=next(bodies), headers=headers)
                finally:
                    spans.restore()
                total = time.perf_counter() - started
                print(f"{label}: {total / sizes.profiled * 1000:.2f} ms a request (one caller, in process, TestClient)")
                for part, _, _ in PARTS:
                    print(f"  {part}: {spans.seconds[part] / sizes.profiled * 1000:.2f} ms")
    finally:
        hub.close()


def rounds(settings_for: Callable[[str], Settings], count_of_rounds: int, sizes: Sizes) -> None:
    numbers = count()
    for number in range(count_of_rounds):
        for step in ("shared commits", "registry cache", "token cache"):
            with_step, without = with_and_without(settings_for(f"{step}-{number}"), step, numbers, sizes)
            unit = "submissions/s" if step == "shared commits" else "authentications/s"
            print(f"round {number + 1} {step}: {with_step:,.0f} ÷ {without:,.0f} {unit} = {with_step / without:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.steps", description=__doc__)
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--tiny", action="store_true", help="a few calls each (the smoke test)")
    arguments = parser.parse_args()
    sizes = TINY if arguments.tiny else Sizes()
    with open_stores((arguments.store,)) as [store]:

        def seeded(label: str) -> Settings:
            settings = store.fresh(label.replace(" ", "_"))
            hub = Hub(settings)
            try:
                seed_demo(hub)
            finally:
                hub.close()
            return settings

        if arguments.profile:
            profile(seeded("profile"), sizes)
        rounds(seeded, arguments.rounds, sizes)


if __name__ == "__main__":
    main()
