"""Per-user and per-agency request limits (moving one-minute windows); over the limit is 429 with Retry-After.

Counters live in this process (`limits` in-memory storage): with several API processes, each enforces its own
share; a shared store (`limits` supports Redis) would make them global.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from policies.decision import Citizen, Principal


class RateLimited(Exception):
    """Over a limit: the API answers a 429 problem, a web page a 429 page, both with Retry-After."""

    def __init__(self, scope: str, retry_after: int) -> None:
        super().__init__(f"too many requests for this {scope}; retry later")
        self.scope = scope
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class RateLimits:
    """One instance per application, counting API calls and web pages alike."""

    def __init__(self, per_user_per_minute: int, per_agency_per_minute: int) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._rules: list[tuple[str, RateLimitItem]] = [
            (scope, RateLimitItemPerMinute(amount))
            for scope, amount in (("user", per_user_per_minute), ("agency", per_agency_per_minute))
            if amount > 0
        ]

    def check(self, principal: Principal | Citizen) -> None:
        """Count one request for the user and their agency (a citizen: for the person alone, at the user's limit);
        raise RateLimited when either is over its limit."""
        for scope, item in self._rules:
            if isinstance(principal, Citizen):
                if scope != "user":
                    continue
                key = f"citizen:{principal.subject_id}"
            else:
                key = str(principal.user_id if scope == "user" else principal.agency_id)
            if not self._limiter.hit(item, scope, key):
                reset = self._limiter.get_window_stats(item, scope, key).reset_time
                raise RateLimited(scope, max(1, math.ceil(reset - time.time())))
