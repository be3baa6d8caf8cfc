"""Application recorders that commit new subject data keys in the same transaction as the events sealed under them.

Sealing an event about a new person makes a data key that is only pending (`SubjectKeyStore.pending`). The
recorder writes every pending key before the events, in the events' own transaction, so a submission about new
people costs one commit, and an event can never be durable while its key is not. A key row that another writer
stored first for the same person (another process sealing at the same moment) aborts the transaction with an
`IntegrityError`, which callers already retry; a tombstone (the person was erased meanwhile) aborts it with
`KeyDestroyed`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Identifier

from hub.kernel.subject_keys import NewKey, SubjectKeyStore


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
        return self._insert_with_new_keys(super().insert_events, stored_events, kwargs)

    def _insert_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], new_keys: Sequence[NewKey] = (), **kwargs: Any
    ) -> None:
        self._store_new_keys(curs, new_keys)
        super()._insert_events(curs, stored_events, **kwargs)
