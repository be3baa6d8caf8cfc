"""Consent register view: which consents exist for a subject, their status, end and the agency that recorded them
(no personal data)."""

from __future__ import annotations

from functools import singledispatchmethod
from typing import ClassVar
from uuid import UUID

from events.consent import ConsentExpired, ConsentGranted, ConsentStatus, ConsentWithdrawn
from projections.dispatching import DispatchingView, not_handled
from projections.viewdb import Cursor, Row, ViewDatabase


class ConsentView(DispatchingView):
    name = "consents"
    schema: ClassVar[dict[str, str]] = {
        "view_consents": (
            "CREATE TABLE IF NOT EXISTS view_consents (id TEXT PRIMARY KEY, subject_id TEXT NOT NULL, "
            "seq BIGINT NOT NULL, status TEXT NOT NULL, valid_until TEXT, recorded_by TEXT)"
        ),
    }
    indexes = ("CREATE INDEX IF NOT EXISTS ix_consents_subject ON view_consents (subject_id, seq)",)

    on = singledispatchmethod(not_handled)

    @on.register
    def _(self, event: ConsentGranted, cursor: Cursor, notification_id: int) -> None:
        until = event.valid_until.isoformat() if event.valid_until else None
        cursor.execute(
            "INSERT INTO view_consents (id, subject_id, seq, status, valid_until, recorded_by) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                str(event.originator_id),
                str(event.subject_id),
                notification_id,
                ConsentStatus.ACTIVE.value,
                until,
                str(event.actor.agency_id) if event.actor.agency_id else None,
            ),
        )

    @on.register
    def _(self, event: ConsentWithdrawn, cursor: Cursor, notification_id: int) -> None:
        self._ended(cursor, event.originator_id, ConsentStatus.WITHDRAWN)

    @on.register
    def _(self, event: ConsentExpired, cursor: Cursor, notification_id: int) -> None:
        self._ended(cursor, event.originator_id, ConsentStatus.EXPIRED)

    @staticmethod
    def _ended(cursor: Cursor, consent_id: UUID, status: ConsentStatus) -> None:
        cursor.execute("UPDATE view_consents SET status = ? WHERE id = ?", (status.value, str(consent_id)))


class ConsentQueries:
    def __init__(self, database: ViewDatabase) -> None:
        self.database = database

    def for_subject(self, subject_id: UUID) -> list[Row]:
        return self.database.query(
            "SELECT * FROM view_consents WHERE subject_id = ? ORDER BY seq DESC", (str(subject_id),)
        )

    def exists(self, consent_id: UUID) -> bool:
        return bool(self.database.query("SELECT id FROM view_consents WHERE id = ?", (str(consent_id),)))

    def active_with_end(self) -> list[Row]:
        """Active consents that have an end date (candidates for the expiry sweep)."""
        return self.database.query(
            "SELECT * FROM view_consents WHERE status = ? AND valid_until IS NOT NULL ORDER BY seq",
            (ConsentStatus.ACTIVE.value,),
        )
