"""The raw baseline of B3: single-row INSERT transactions/s, one after another, straight to sqlite3 or psycopg."""

from __future__ import annotations

import sqlite3

import psycopg

from bench.harness import per_second
from hub.kernel.config import Settings

PAYLOAD = "x" * 300
CREATE = "CREATE TABLE raw_rows (id BIGINT PRIMARY KEY, payload TEXT NOT NULL)"


def single_row_transactions_per_second(settings: Settings, count: int) -> float:
    if settings.uses_postgres:
        return _postgres(settings.postgres_conninfo(), count)
    return _sqlite(str(settings.sqlite_path), count)


def _sqlite(path: str, count: int) -> float:
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute(CREATE)

        def insert() -> None:
            for row_id in range(count):
                connection.execute("INSERT INTO raw_rows VALUES (?, ?)", (row_id, PAYLOAD))

        return per_second(count, insert)
    finally:
        connection.close()


def _postgres(conninfo: str, count: int) -> float:
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(CREATE)

        def insert() -> None:
            for row_id in range(count):
                connection.execute("INSERT INTO raw_rows VALUES (%s, %s)", (row_id, PAYLOAD))

        return per_second(count, insert)
