"""A small database handle for read models and key rows: SQLite file or PostgreSQL, one SQL dialect (`?`).

Views can be rebuilt from the log and store their position with their rows, so their handle is opened with
`durable=False`: a commit does not wait for the disk, and what a power cut loses is applied again from the log.
Anything that cannot be rebuilt (subject keys) uses a durable handle.

`scrub` makes deleted rows gone from the files, not only from the tables (after an erasure): SQLite overwrites
deleted content (`secure_delete`) and the WAL is checkpointed and truncated; PostgreSQL rewrites the tables into
new files (`VACUUM FULL`) and, with `wal_recycle=off`, switches and checkpoints the WAL so that old segments,
with their records and full-page images of the old rows, are deleted.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool
from psycopg_pool.base import AttemptWithBackoff

Row = dict[str, Any]

# psycopg_pool waits a whole second before its first reconnect attempt (then doubles): a request arriving just
# after the server came back would wait past its bounded timeout for a connection. Retry sooner (the pools'
# backoff is a class constant of the library's; this sets it for every pool of the process).
AttemptWithBackoff.INITIAL_DELAY = 0.1

SCRUB_ATTEMPTS = 40  # a checkpoint waits this many times for readers still on the WAL (about 8 s in all)


class ScrubIncomplete(RuntimeError):
    """Deleted data may still be in the database's files (readers kept the WAL busy): retry the scrub."""


class Cursor(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Any: ...
    def insert_rows(self, insert: str, rows: Sequence[Sequence[Any]], conflict: str = "") -> None:
        """Insert `rows` with `insert` ("INSERT INTO t (a, b)") and an optional ON CONFLICT clause, `conflict`,
        the cheapest way the database has. A DO UPDATE clause must not meet the same key twice in one call
        (PostgreSQL refuses to update a row twice in one statement)."""

    def fetchall(self) -> list[Any]: ...
    def fetchone(self) -> Any: ...

    @property
    def rowcount(self) -> int: ...


class ViewDatabase(ABC):
    """Runs statements for views; `transaction()` commits everything inside it at once or nothing."""

    dialect: str

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Cursor]:
        """A cursor whose statements commit together when the block ends without an error."""

    @abstractmethod
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """A read of rows as dictionaries, outside any write transaction."""

    @abstractmethod
    def tuples(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """A read whose rows come as plain tuples: for bulk reads that would only unpack dictionaries again."""

    @abstractmethod
    def scrub(self, tables: Sequence[str]) -> None:
        """Leave no copy of rows deleted or overwritten in `tables` in any file of the database (see above);
        raises `ScrubIncomplete` if that could not be done now."""

    @abstractmethod
    def close(self) -> None:
        """Release connections."""


class _SQLiteCursor(sqlite3.Cursor):
    def insert_rows(self, insert: str, rows: Sequence[Sequence[Any]], conflict: str = "") -> None:
        """One prepared statement stepped per row in C: the cheapest way on SQLite."""
        if rows:
            self.executemany(f"{insert} VALUES ({', '.join('?' * len(rows[0]))}) {conflict}", rows)


class SQLiteViewDatabase(ViewDatabase):
    """One writer connection (transactions take turns) and a connection per reading thread (reads run side by side)."""

    dialect = "sqlite"

    def __init__(self, path: Path, durable: bool) -> None:
        self._path = path
        self._synchronous = "FULL" if durable else "NORMAL"
        self._lock = threading.RLock()
        self._connection = self._connect()
        self._readers = threading.local()
        self._all: list[sqlite3.Connection] = [self._connection]

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(str(self._path), check_same_thread=False, isolation_level=None, timeout=30)
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"PRAGMA synchronous={self._synchronous}")
        connection.execute("PRAGMA secure_delete=ON")  # erased keys and purged rows are overwritten
        return connection

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        with self._lock:
            cursor = self._connection.cursor(_SQLiteCursor)
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield cursor
            except BaseException:
                self._connection.rollback()
                raise
            else:
                self._connection.commit()
            finally:
                cursor.close()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """A read outside any write transaction: in WAL mode it sees the last commit and takes no database lock."""
        return [dict(row) for row in self._read(sql, params, sqlite3.Row)]

    def tuples(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._read(sql, params, None)

    def _read(self, sql: str, params: Sequence[Any], row_factory: Any) -> list[Any]:
        reader: sqlite3.Connection | None = getattr(self._readers, "connection", None)
        if reader is None:
            reader = self._readers.connection = self._connect()
            with self._lock:
                self._all.append(reader)
        cursor = reader.cursor()
        cursor.row_factory = row_factory
        try:
            return cursor.execute(sql, params).fetchall()
        finally:
            cursor.close()

    def scrub(self, tables: Sequence[str]) -> None:
        """Deleted rows are already overwritten in the pages (`secure_delete`); copy the WAL into the main file and
        truncate it to nothing, waiting for readers still on it."""
        for attempt in range(SCRUB_ATTEMPTS):
            with self._lock:
                busy, _, _ = self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy == 0:
                return
            time.sleep(0.01 * (attempt + 1))
        raise ScrubIncomplete(f"{self._path.name}: readers kept the WAL busy; it still holds deleted rows")

    def close(self) -> None:
        with self._lock:
            for connection in self._all:
                connection.close()
            self._all.clear()


class _PostgresCursor:
    """Adapts psycopg's `%s` placeholders to the `?` the views are written with. Statements are pipelined, so a
    batch of view updates costs one round trip; each statement that returns rows gets its own psycopg cursor, so
    reading its result (which waits for it) gets its own rows."""

    def __init__(self, connection: psycopg.Connection[Any], pipeline: psycopg.Pipeline) -> None:
        self._connection = connection
        self._pipeline = pipeline
        self._writes = connection.cursor()
        self._last: psycopg.Cursor[Any] | None = None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _PostgresCursor:
        returns_rows = sql.lstrip()[:6].upper() == "SELECT" or "RETURNING" in sql.upper()
        self._last = self._connection.cursor(row_factory=dict_row) if returns_rows else self._writes
        self._last.execute(sql.replace("?", "%s"), params)
        return self

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> _PostgresCursor:
        self._last = self._writes
        self._writes.executemany(sql.replace("?", "%s"), rows)
        return self

    def insert_rows(self, insert: str, rows: Sequence[Sequence[Any]], conflict: str = "") -> None:
        """One statement whatever the number of rows: each column goes as an array through `unnest`, sent binary
        (`%b`). Row by row, psycopg's pipeline costs about 20 µs of Python per row, and a rebuild writes tens of
        thousands."""
        if not rows:
            return
        columns = [list(column) for column in zip(*rows, strict=True)]
        arrays = ", ".join(f"%b::{_array_type(column)}" for column in columns)
        self.execute(f"{insert} SELECT * FROM unnest({arrays}) {conflict}", columns)

    def _statement(self) -> psycopg.Cursor[Any]:
        if self._last is None:
            raise psycopg.ProgrammingError("no statement was executed")
        return self._last

    def fetchall(self) -> list[Any]:
        return self._statement().fetchall()

    def fetchone(self) -> Any:
        return self._statement().fetchone()

    @property
    def rowcount(self) -> int:
        self._pipeline.sync()
        return self._statement().rowcount


def _array_type(column: list[Any]) -> str:
    """Views store text and integers only; an all-NULL column is text."""
    return "bigint[]" if any(isinstance(value, int) for value in column) else "text[]"


class PostgresViewDatabase(ViewDatabase):
    """A pool of at most `max_size` connections, each checked before it is handed out (so that the first use after
    the server came back does not fail on a connection it had closed). A caller waits at most `timeout` seconds for
    one, then gets `psycopg_pool.PoolTimeout` (an `OperationalError`); a lost connection is given up after
    `timeout` seconds of failed reconnects, so that the next caller's wait starts a fresh attempt."""

    dialect = "postgres"

    def __init__(self, conninfo: str, durable: bool, max_size: int = 8, timeout: float = 30.0) -> None:
        # Autocommit: a read is one statement and one round trip; `transaction()` still begins and commits.
        options: dict[str, Any] = {"autocommit": True}
        if not durable:
            options["options"] = "-c synchronous_commit=off"
        self._pool = ConnectionPool(
            conninfo,
            min_size=1,
            max_size=max_size,
            kwargs=options,
            open=True,
            timeout=timeout,
            reconnect_timeout=timeout,
            check=ConnectionPool.check_connection,
            name="views" if not durable else "store",
        )

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        with (
            self._pool.connection() as connection,
            connection.pipeline() as pipeline,
            connection.transaction(),
        ):
            yield _PostgresCursor(connection, pipeline)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self._pool.connection() as connection, connection.cursor(row_factory=dict_row) as cursor:
            return cursor.execute(sql.replace("?", "%s"), params).fetchall()

    def tuples(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._pool.connection() as connection:
            return list(connection.execute(sql.replace("?", "%s"), params, binary=True).fetchall())

    def scrub(self, tables: Sequence[str]) -> None:
        """Rewrite the tables into new files (the old ones are truncated at commit), then start a new WAL segment
        and checkpoint, so that every older segment is removed (`wal_recycle=off`; see `erasure_settings`)."""
        with self._pool.connection() as connection:
            for table in tables:
                connection.execute(f"VACUUM FULL {table}")
            connection.execute("SELECT pg_switch_wal()")
            connection.execute("CHECKPOINT")

    def close(self) -> None:
        self._pool.close()
