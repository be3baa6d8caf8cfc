"""Application recorders that commit new subject data keys in the same transaction as the events sealed under them.

Sealing an event about a new person makes a data key that is only pending (`SubjectKeyStore.pending`). The
recorder writes every pending key before the events, in the events' own transaction, so a submission about new
people costs one commit, and an event can never be durable while its key is not. A key row that another writer
stored first for the same person (another process sealing at the same moment) aborts the transaction with an
`IntegrityError`, which callers already retry; a tombstone (the person was erased meanwhile) aborts it with
`KeyDestroyed`.

The library retries a PostgreSQL call that failed on its connection ten times, each waiting up to the pool's
timeout: half a minute or more while the server is away. The PostgreSQL recorder retries only within
`retry_seconds` instead, so that a request gets its 503 within a few seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, TypeVar

from eventsourcing.persistence import InterfaceError, Notification, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Identifier

from hub.kernel.subject_keys import NewKey, SubjectKeyStore

Result = TypeVar("Result")
RETRY_PAUSE_SECONDS = 0.1


def retry_within(seconds: float, call: Callable[[], Result]) -> Result:
    """`call()`, tried again after a failure of its connection while `seconds` have not passed since the first try."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return call()
        except (InterfaceError, OperationalError):
            if time.monotonic() + RETRY_PAUSE_SECONDS >= deadline:
                raise
            time.sleep(RETRY_PAUSE_SECONDS)


def _unretried(name: str) -> Callable[..., Any]:
    """The library's method `name` without its own retries."""
    method: Callable[..., Any] = getattr(PostgresApplicationRecorder, name)
    return getattr(method, "__wrapped__", method)


class CommitsNewKeys:
    """What both recorders add: take the pending keys, write them first, mark them committed afterwards."""

    keys: SubjectKeyStore | None = None
    placeholder: ClassVar[str]

    def _insert_with_new_keys(
        self, insert: Callable[..., Sequence[int] | None], stored_events: Sequence[StoredEvent], kwargs: dict[str, Any]
    ) -> Sequence[int] | None:
        new_keys = self.keys.pending() if self.keys is not None else []
        notification_ids = insert(stored_events, new_keys=new_keys, **kwargs)
        if new_keys and self.keys is not None:
            self.keys.committed(new_keys)
        return notification_ids

    def _store_new_keys(self, cursor: Any, new_keys: Sequence[NewKey]) -> None:
        if new_keys and self.keys is not None:
            self.keys.write(cursor, new_keys, self.placeholder)


class SQLiteKeyedRecorder(CommitsNewKeys, SQLiteApplicationRecorder):
    placeholder = "?"

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        return self._insert_with_new_keys(super().insert_events, stored_events, kwargs)

    def _insert_events(
        self, c: Any, stored_events: Sequence[StoredEvent], new_keys: Sequence[NewKey] = (), **kwargs: Any
    ) -> Sequence[int] | None:
        if new_keys:
            c.execute("PRAGMA secure_delete=ON")  # a key row moved by a page split leaves no copy behind
        self._store_new_keys(c, new_keys)
        return super()._insert_events(c, stored_events, **kwargs)


class PostgresKeyedRecorder(CommitsNewKeys, PostgresApplicationRecorder):
    """Also stores event states compressed with LZ4 rather than PostgreSQL's default pglz: a sealed referral is
    about 2.3 kB, over the size where PostgreSQL compresses, and LZ4 reads back about a third faster."""

    placeholder = "%s"
    retry_seconds = 2.0
    _library_insert_events = _unretried("insert_events")
    _library_select_events = _unretried("select_events")
    _library_select_notifications = _unretried("select_notifications")
    _library_max_notification_id = _unretried("max_notification_id")

    def _create_table(self, curs: Any) -> None:
        super()._create_table(curs)
        schema, table = self.datastore.schema, self.events_table_name
        curs.execute(
            "SELECT attcompression FROM pg_attribute "
            "WHERE attrelid = to_regclass(format('%%I.%%I', %s::text, %s::text)) AND attname = 'state'",
            (schema, table),
        )
        row = curs.fetchone()
        if row is not None and row["attcompression"] != "l":
            curs.execute(SQL("ALTER TABLE {} ALTER COLUMN state SET COMPRESSION lz4").format(Identifier(schema, table)))

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        def insert(events: Sequence[StoredEvent], **options: Any) -> Sequence[int] | None:
            ids: Sequence[int] | None = retry_within(
                self.retry_seconds, lambda: self._library_insert_events(events, **options)
            )
            return ids

        return self._insert_with_new_keys(insert, stored_events, kwargs)

    def select_events(self, *args: Any, **kwargs: Any) -> Sequence[StoredEvent]:
        return retry_within(self.retry_seconds, lambda: self._library_select_events(*args, **kwargs))

    def select_notifications(self, *args: Any, **kwargs: Any) -> Sequence[Notification]:
        return retry_within(self.retry_seconds, lambda: self._library_select_notifications(*args, **kwargs))

    def max_notification_id(self) -> int | None:
        head: int | None = retry_within(self.retry_seconds, self._library_max_notification_id)
        return head

    def _insert_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], new_keys: Sequence[NewKey] = (), **kwargs: Any
    ) -> None:
        self._store_new_keys(curs, new_keys)
        super()._insert_events(curs, stored_events, **kwargs)
