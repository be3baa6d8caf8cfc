"""Record request view: each request's envelope and clocks (no personal data), and the ledger of released records.

The ledger says which (subject, category) an agency holds only because another agency released it to it; the
disclosure policy uses it to stop onward disclosure without a basis of the recipient's own.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import singledispatchmethod
from typing import Any, ClassVar
from uuid import UUID

from events.records import (
    ACTIVE_STATUSES,
    RecordCategoryForwarded,
    RecordCategoryReleased,
    RecordCategoryWithheld,
    RecordRequestAcknowledged,
    RecordRequestAnswered,
    RecordRequestCreated,
    RecordRequestEscalated,
    RecordRequestOverdue,
    RecordRequestRefused,
    RecordRequestReminded,
    RecordRequestStatus,
    RecordRequestWithdrawn,
)
from events.values import DataCategory
from projections.dispatching import DispatchingView, not_handled
from projections.viewdb import Cursor, Row, ViewDatabase

ACTIVE = sorted(status.value for status in ACTIVE_STATUSES)
ACTIVE_MARKS = ", ".join("?" for _ in ACTIVE)


def utc_text(moment: datetime) -> str:
    """A sortable UTC timestamp (fixed width, so text order is time order)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_utc_text(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


class RecordRequestView(DispatchingView):
    name = "record_requests"
    schema: ClassVar[dict[str, str]] = {
        "view_record_requests": (
            "CREATE TABLE IF NOT EXISTS view_record_requests (id TEXT PRIMARY KEY, seq BIGINT NOT NULL, "
            "requester_agency_id TEXT NOT NULL, responder_agency_id TEXT NOT NULL, urgency TEXT NOT NULL, "
            "status TEXT NOT NULL, created_at TEXT NOT NULL, due_at TEXT NOT NULL, answered_at TEXT, "
            "open_categories INTEGER NOT NULL, released_categories INTEGER NOT NULL DEFAULT 0, "
            "reminded INTEGER NOT NULL DEFAULT 0, overdue INTEGER NOT NULL DEFAULT 0, "
            "escalated INTEGER NOT NULL DEFAULT 0, handover_id TEXT, forwarded_from TEXT)"
        ),
        "view_record_request_subjects": (
            "CREATE TABLE IF NOT EXISTS view_record_request_subjects (request_id TEXT NOT NULL, "
            "subject_id TEXT NOT NULL, PRIMARY KEY (request_id, subject_id))"
        ),
        "view_released_records": (
            "CREATE TABLE IF NOT EXISTS view_released_records (request_id TEXT NOT NULL, subject_id TEXT NOT NULL, "
            "category TEXT NOT NULL, recipient_agency_id TEXT NOT NULL, source_agency_id TEXT NOT NULL, "
            "PRIMARY KEY (request_id, subject_id, category))"
        ),
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS ix_record_requests_requester ON view_record_requests (requester_agency_id, seq)",
        "CREATE INDEX IF NOT EXISTS ix_record_requests_responder ON view_record_requests (responder_agency_id, seq)",
        "CREATE INDEX IF NOT EXISTS ix_record_requests_handover ON view_record_requests (handover_id)",
        "CREATE INDEX IF NOT EXISTS ix_released_records_recipient ON view_released_records "
        "(recipient_agency_id, subject_id)",
    )

    def open_work(self, database: ViewDatabase, agency_id: UUID) -> int:
        """Record requests not yet answered that the agency sent or must answer."""
        rows = database.query(
            "SELECT COUNT(*) AS n FROM view_record_requests WHERE (requester_agency_id = ? OR responder_agency_id = ?) "
            f"AND status IN ({ACTIVE_MARKS})",
            (str(agency_id), str(agency_id), *ACTIVE),
        )
        return int(rows[0]["n"])

    on = singledispatchmethod(not_handled)

    @on.register
    def _(self, event: RecordRequestCreated, cursor: Cursor, notification_id: int) -> None:
        self._created(cursor, event, notification_id)

    @on.register
    def _(self, event: RecordRequestAcknowledged, cursor: Cursor, notification_id: int) -> None:
        self._set(cursor, event, "status = ?", (RecordRequestStatus.ACKNOWLEDGED.value,))

    @on.register
    def _(self, event: RecordCategoryReleased, cursor: Cursor, notification_id: int) -> None:
        self._set(cursor, event, "open_categories = open_categories - 1, released_categories = released_categories + 1")
        if not event.onward_allowed:
            self._ledger(cursor, str(event.originator_id), event.category)

    @on.register(RecordCategoryWithheld)
    @on.register(RecordCategoryForwarded)
    def _(self, event: RecordCategoryWithheld | RecordCategoryForwarded, cursor: Cursor, notification_id: int) -> None:
        self._set(cursor, event, "open_categories = open_categories - 1")

    @on.register
    def _(self, event: RecordRequestAnswered, cursor: Cursor, notification_id: int) -> None:
        self._closed(cursor, event, RecordRequestStatus.ANSWERED)

    @on.register
    def _(self, event: RecordRequestRefused, cursor: Cursor, notification_id: int) -> None:
        self._closed(cursor, event, RecordRequestStatus.REFUSED)

    @on.register
    def _(self, event: RecordRequestWithdrawn, cursor: Cursor, notification_id: int) -> None:
        self._closed(cursor, event, RecordRequestStatus.WITHDRAWN)

    @on.register
    def _(self, event: RecordRequestReminded, cursor: Cursor, notification_id: int) -> None:
        self._set(cursor, event, "reminded = 1")

    @on.register
    def _(self, event: RecordRequestOverdue, cursor: Cursor, notification_id: int) -> None:
        self._set(cursor, event, "overdue = 1")

    @on.register
    def _(self, event: RecordRequestEscalated, cursor: Cursor, notification_id: int) -> None:
        self._set(cursor, event, "escalated = 1")

    def _closed(self, cursor: Cursor, event: Any, status: RecordRequestStatus) -> None:
        """Answered, refused or withdrawn: the request ends now."""
        self._set(cursor, event, "status = ?, answered_at = ?", (status.value, utc_text(event.timestamp)))

    @staticmethod
    def _created(cursor: Cursor, event: RecordRequestCreated, notification_id: int) -> None:
        request_id = str(event.originator_id)
        cursor.execute(
            "INSERT INTO view_record_requests (id, seq, requester_agency_id, responder_agency_id, urgency, status, "
            "created_at, due_at, open_categories, handover_id, forwarded_from) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                request_id,
                notification_id,
                str(event.requester_agency_id),
                str(event.responder_agency_id),
                event.urgency.value,
                RecordRequestStatus.OPEN.value,
                utc_text(event.timestamp),
                utc_text(event.due_at),
                len(event.categories),
                str(event.handover_id) if event.handover_id else None,
                str(event.forwarded_from) if event.forwarded_from else None,
            ),
        )
        for subject in event.subjects:
            cursor.execute(
                "INSERT INTO view_record_request_subjects (request_id, subject_id) VALUES (?, ?)",
                (request_id, str(subject.subject_id)),
            )

    @staticmethod
    def _set(cursor: Cursor, event: Any, assignments: str, params: tuple[Any, ...] = ()) -> None:
        cursor.execute(
            f"UPDATE view_record_requests SET {assignments} WHERE id = ?", (*params, str(event.originator_id))
        )

    @staticmethod
    def _ledger(cursor: Cursor, request_id: str, category: DataCategory) -> None:
        cursor.execute(
            "INSERT INTO view_released_records (request_id, subject_id, category, recipient_agency_id, "
            "source_agency_id) SELECT s.request_id, s.subject_id, ?, r.requester_agency_id, r.responder_agency_id "
            "FROM view_record_request_subjects s JOIN view_record_requests r ON r.id = s.request_id "
            "WHERE s.request_id = ?",
            (category.value, request_id),
        )


class RecordRequestQueries:
    def __init__(self, database: ViewDatabase) -> None:
        self.database = database

    def envelope(self, request_id: UUID) -> Row | None:
        rows = self.database.query("SELECT * FROM view_record_requests WHERE id = ?", (str(request_id),))
        return rows[0] if rows else None

    def listing(self, agency_id: UUID, box: str, limit: int) -> list[Row]:
        """Newest first: `incoming` (asked of the agency), `outgoing` (asked by it), `escalated` (incoming, overdue)."""
        column = "requester_agency_id" if box == "outgoing" else "responder_agency_id"
        sql = f"SELECT * FROM view_record_requests WHERE {column} = ?"
        params: list[Any] = [str(agency_id)]
        if box == "escalated":
            sql += f" AND escalated = 1 AND status IN ({ACTIVE_MARKS})"
            params.extend(ACTIVE)
        return self.database.query(sql + " ORDER BY seq DESC LIMIT ?", [*params, limit])

    def active(self) -> list[Row]:
        """Requests still waiting for an answer, oldest first (what the clocks look at)."""
        return self.database.query(
            f"SELECT id FROM view_record_requests WHERE status IN ({ACTIVE_MARKS}) AND overdue = 0 ORDER BY seq",
            ACTIVE,
        )

    def for_handover(self, handover_id: UUID) -> list[Row]:
        return self.database.query(
            "SELECT * FROM view_record_requests WHERE handover_id = ? ORDER BY seq", (str(handover_id),)
        )

    def received(self, agency_id: UUID, subjects: tuple[UUID, ...]) -> frozenset[tuple[UUID, DataCategory]]:
        """The (subject, category) pairs the agency holds as records another agency released to it and still
        controls (released without permission to pass them on)."""
        if not subjects:
            return frozenset()
        marks = ", ".join("?" for _ in subjects)
        rows = self.database.query(
            "SELECT DISTINCT subject_id, category FROM view_released_records "
            f"WHERE recipient_agency_id = ? AND subject_id IN ({marks})",
            (str(agency_id), *(str(subject) for subject in subjects)),
        )
        return frozenset((UUID(row["subject_id"]), DataCategory(row["category"])) for row in rows)

    def about(self, agency_id: UUID, subject_ids: list[UUID], side: str = "requester") -> list[Row]:
        """The requests naming any of these records that the agency asked (`requester`) or was asked
        (`responder`), with their state and clock (the case-file review's pre-fill)."""
        ids = [str(subject_id) for subject_id in subject_ids]
        if not ids:
            return []
        column = "responder_agency_id" if side == "responder" else "requester_agency_id"
        placeholders = ", ".join("?" for _ in ids)
        return self.database.query(
            "SELECT DISTINCT r.id, r.status, r.released_categories, r.due_at, r.answered_at, r.overdue "
            f"FROM view_record_requests r JOIN view_record_request_subjects s ON s.request_id = r.id "
            f"WHERE r.{column} = ? AND s.subject_id IN ({placeholders}) ORDER BY r.id",
            (str(agency_id), *ids),
        )
