"""Whether an error means the store is unreachable (the server away, a connection lost, no connection in time),
which callers answer with 503 `store_unavailable` and a `Retry-After`, never 500."""

from __future__ import annotations

import psycopg
from eventsourcing import persistence

# psycopg_pool.PoolTimeout and the server's shutdown errors (AdminShutdown, CannotConnectNow) are OperationalErrors;
# the event store's library wraps psycopg's errors in its own classes of the same names.
STORE_ERRORS: tuple[type[Exception], ...] = (
    psycopg.OperationalError,
    psycopg.InterfaceError,
    persistence.OperationalError,
    persistence.InterfaceError,
)
RETRY_AFTER_SECONDS = 2


def store_outage(error: BaseException) -> bool:
    """`error`, or an error it was raised from, says the store could not be reached."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, STORE_ERRORS):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
