"""Whether an error means the store is unreachable (the server away, a connection lost, no connection in time),
which callers answer with 503 `store_unavailable` and a `Retry-After`, never 500."""

from __future__ import annotations

from urllib.parse import urlsplit

import psycopg
from eventsourcing import persistence

from hub.kernel.config import Settings

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


def why_unreachable(settings: Settings) -> str:
    """What the server says when asked directly for one connection (a refused password, no such database, no
    answer): a pool only says it got no connection in time. The message names the server and user, never the
    password."""
    parts = urlsplit(settings.store)
    where = f"{parts.hostname}:{parts.port or 5432}{parts.path}"
    try:
        psycopg.connect(settings.postgres_conninfo()).close()
    except psycopg.Error as error:
        return f"the store at {where} refused or did not answer: {str(error).strip()}"
    return f"the store at {where} answers now; it did not in time before"
