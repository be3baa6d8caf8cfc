"""One active holder of a job among all the hub's processes (the checkpoint signer, the due work), the others
standing by: elected by a PostgreSQL session advisory lock.

The holder keeps the lock on a connection of its own and checks it before each round; when the holder dies its
session ends and the lock is free, so a standby takes over at its next round (a second or so). The server
drops a session whose peer stopped answering within about ten seconds (TCP keepalives of the session), so that
a vanished host does not keep the lock either. On SQLite there is one process, which always holds it.

Work done under the lock must still be safe if two holders overlap for a moment (a holder that lost its
connection learns so only at its next round): the audit tree's writes are guarded by its size, the due work's
events by their streams' versions.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any

import psycopg

from hub.kernel.config import Settings

log = logging.getLogger(__name__)

ELECTION_ROUND_SECONDS = 1.0  # how often a standby asks for the lock (and so how soon it takes over)

# The server-side keepalives of the lock's session: how soon PostgreSQL ends the session of a vanished holder.
SESSION_KEEPALIVES = "-c tcp_keepalives_idle=5 -c tcp_keepalives_interval=2 -c tcp_keepalives_count=2"


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for the job `name` (PostgreSQL advisory locks are keyed by a bigint)."""
    return int.from_bytes(hashlib.sha256(f"referral-hub/{name}".encode()).digest()[:8], "big", signed=True)


class Election:
    """Whether this process is the one that does the job `name` now (see the module's docstring)."""

    def __init__(self, settings: Settings, name: str) -> None:
        self.name = name
        self._settings = settings
        self._key = lock_key(name)
        self._connection: psycopg.Connection[Any] | None = None
        self._held = not settings.uses_postgres

    def holds(self) -> bool:
        """Take the lock if it is free, or confirm that this process still holds it; False while another does
        or while the database is unreachable."""
        if not self._settings.uses_postgres:
            return True
        try:
            connection = self._connect()
            if self._held:
                connection.execute("SELECT 1")
            else:
                row = connection.execute("SELECT pg_try_advisory_lock(%s)", (self._key,)).fetchone()
                self._change(bool(row and row[0]))
        except psycopg.Error as error:
            self._lost(error)
        return self._held

    def _connect(self) -> psycopg.Connection[Any]:
        if self._connection is None or self._connection.closed:
            self._connection = psycopg.connect(
                self._settings.postgres_conninfo(), autocommit=True, options=SESSION_KEEPALIVES
            )
        return self._connection

    def _change(self, held: bool) -> None:
        if held and not self._held:
            log.info("%s: this process now holds the lock and does the work", self.name)
        self._held = held

    def _lost(self, error: psycopg.Error) -> None:
        if self._held:
            log.warning("%s: lost the lock (%s); standing by", self.name, type(error).__name__)
        self._held = False
        self.release()

    def release(self) -> None:
        """Give the lock up (and close its session), so that a standby takes over at its next round."""
        if self._connection is not None:
            if self._held and not self._connection.closed:
                with contextlib.suppress(psycopg.Error):  # a lost session has released it already
                    self._connection.execute("SELECT pg_advisory_unlock(%s)", (self._key,))
            self._connection.close()
            self._connection = None
        self._held = not self._settings.uses_postgres


def elected(election: Election, work: Callable[[], object], every: float = 0.0) -> Callable[[], None]:
    """A round that runs `work` only while this process holds `election`'s lock, and then at most every `every`
    seconds (at once on taking over): run the round often, so that a standby takes over within seconds even when
    the work itself is due only every minute."""
    last_run: float | None = None

    def round_if_holder() -> None:
        nonlocal last_run
        if not election.holds():
            last_run = None
            return
        now = time.monotonic()
        if last_run is None or now - last_run >= every:
            last_run = now
            work()

    return round_if_holder
