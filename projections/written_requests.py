"""Written-requests view: each request a person made in writing (GDPR Art. 12(3)) with its clock: who answers it,
what right, when it arrived and is due, whether extended, answered or overdue; ids, dates and states only."""

from __future__ import annotations

from functools import singledispatchmethod
from typing import ClassVar
from uuid import UUID

from events.written_requests import (
    WrittenRequestAnswered,
    WrittenRequestExtended,
    WrittenRequestOverdue,
    WrittenRequestRecorded,
    WrittenRequestStatus,
)
from projections.dispatching import DispatchingView, not_handled
from projections.record_requests import utc_text
from projections.viewdb import Cursor, Row, ViewDatabase


class WrittenRequestView(DispatchingView):
    name = "written_requests"
    schema: ClassVar[dict[str, str]] = {
        "view_written_requests": (
            "CREATE TABLE IF NOT EXISTS view_written_requests (id TEXT PRIMARY KEY, seq BIGINT NOT NULL, "
            "subject_id TEXT NOT NULL, agency_id TEXT NOT NULL, request_right TEXT NOT NULL, "
            "received_at TEXT NOT NULL, due_at TEXT NOT NULL, extended INTEGER NOT NULL, status TEXT NOT NULL, "
            "answered_at TEXT, overdue INTEGER NOT NULL)"
        ),
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS ix_written_requests_open ON view_written_requests (status, due_at)",
        "CREATE INDEX IF NOT EXISTS ix_written_requests_agency ON view_written_requests (agency_id, seq)",
    )

    on = singledispatchmethod(not_handled)

    @on.register
    def _(self, event: WrittenRequestRecorded, cursor: Cursor, notification_id: int) -> None:
        cursor.execute(
            "INSERT INTO view_written_requests (id, seq, subject_id, agency_id, request_right, received_at, due_at, "
            "extended, status, overdue) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, 0)",
            (
                str(event.originator_id),
                notification_id,
                str(event.about),
                str(event.agency_id),
                event.right.value,
                utc_text(event.received_at),
                utc_text(event.due_at),
                WrittenRequestStatus.OPEN.value,
            ),
        )

    @on.register
    def _(self, event: WrittenRequestExtended, cursor: Cursor, notification_id: int) -> None:
        cursor.execute(
            "UPDATE view_written_requests SET due_at = ?, extended = 1, overdue = 0 WHERE id = ?",
            (utc_text(event.due_at), str(event.originator_id)),
        )

    @on.register
    def _(self, event: WrittenRequestAnswered, cursor: Cursor, notification_id: int) -> None:
        cursor.execute(
            "UPDATE view_written_requests SET status = ?, answered_at = ? WHERE id = ?",
            (WrittenRequestStatus.ANSWERED.value, utc_text(event.timestamp), str(event.originator_id)),
        )

    @on.register
    def _(self, event: WrittenRequestOverdue, cursor: Cursor, notification_id: int) -> None:
        cursor.execute("UPDATE view_written_requests SET overdue = 1 WHERE id = ?", (str(event.originator_id),))


class WrittenRequestQueries:
    def __init__(self, database: ViewDatabase) -> None:
        self.database = database

    def of_agency(self, agency_id: UUID | None, limit: int) -> list[Row]:
        """The newest requests an agency answers (None: every agency's, for the data protection officer)."""
        where, params = ("WHERE agency_id = ?", [str(agency_id)]) if agency_id else ("", [])
        return self.database.query(
            f"SELECT * FROM view_written_requests {where} ORDER BY seq DESC LIMIT ?",
            [*params, limit],
        )

    def open_due(self, now: str) -> list[Row]:
        """Open requests past their due time not yet marked overdue."""
        return self.database.query(
            "SELECT * FROM view_written_requests WHERE status = ? AND due_at < ? AND overdue = 0",
            (WrittenRequestStatus.OPEN.value, now),
        )
