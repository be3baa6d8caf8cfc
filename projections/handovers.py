"""Handover view: who offered which case to whom and what became of the offer (no personal data)."""

from __future__ import annotations

from functools import singledispatchmethod
from typing import ClassVar
from uuid import UUID

from events.handover import (
    HandoverAccepted,
    HandoverDeclined,
    HandoverOffered,
    HandoverStatus,
    ResidenceChangeRecorded,
)
from projections.dispatching import DispatchingView, not_handled
from projections.record_requests import utc_text
from projections.viewdb import Cursor, Row, ViewDatabase


class HandoverView(DispatchingView):
    name = "handovers"
    schema: ClassVar[dict[str, str]] = {
        "view_handovers": (
            "CREATE TABLE IF NOT EXISTS view_handovers (id TEXT PRIMARY KEY, seq BIGINT NOT NULL, "
            "from_agency_id TEXT NOT NULL, to_agency_id TEXT, from_municipality TEXT NOT NULL, "
            "to_municipality TEXT NOT NULL, status TEXT NOT NULL, recorded_at TEXT NOT NULL, decided_at TEXT)"
        ),
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS ix_handovers_from ON view_handovers (from_agency_id, seq)",
        "CREATE INDEX IF NOT EXISTS ix_handovers_to ON view_handovers (to_agency_id, seq)",
    )

    def open_work(self, database: ViewDatabase, agency_id: UUID) -> int:
        """Handovers not yet decided that the agency offers or is offered."""
        rows = database.query(
            "SELECT COUNT(*) AS n FROM view_handovers WHERE (from_agency_id = ? OR to_agency_id = ?) "
            "AND status IN (?, ?)",
            (str(agency_id), str(agency_id), HandoverStatus.RECORDED.value, HandoverStatus.OFFERED.value),
        )
        return int(rows[0]["n"])

    on = singledispatchmethod(not_handled)

    @on.register
    def _(self, event: ResidenceChangeRecorded, cursor: Cursor, notification_id: int) -> None:
        cursor.execute(
            "INSERT INTO view_handovers (id, seq, from_agency_id, from_municipality, to_municipality, status, "
            "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                str(event.originator_id),
                notification_id,
                str(event.from_agency_id),
                event.from_municipality,
                event.to_municipality,
                HandoverStatus.RECORDED.value,
                utc_text(event.timestamp),
            ),
        )

    @on.register
    def _(self, event: HandoverOffered, cursor: Cursor, notification_id: int) -> None:
        cursor.execute(
            "UPDATE view_handovers SET to_agency_id = ?, status = ? WHERE id = ?",
            (str(event.to_agency_id), HandoverStatus.OFFERED.value, str(event.originator_id)),
        )

    @on.register
    def _(self, event: HandoverAccepted, cursor: Cursor, notification_id: int) -> None:
        self._decided(cursor, event, HandoverStatus.ACCEPTED)

    @on.register
    def _(self, event: HandoverDeclined, cursor: Cursor, notification_id: int) -> None:
        self._decided(cursor, event, HandoverStatus.DECLINED)

    @staticmethod
    def _decided(cursor: Cursor, event: HandoverAccepted | HandoverDeclined, status: HandoverStatus) -> None:
        cursor.execute(
            "UPDATE view_handovers SET status = ?, decided_at = ? WHERE id = ?",
            (status.value, utc_text(event.timestamp), str(event.originator_id)),
        )


class HandoverQueries:
    def __init__(self, database: ViewDatabase) -> None:
        self.database = database

    def envelope(self, handover_id: UUID) -> Row | None:
        rows = self.database.query("SELECT * FROM view_handovers WHERE id = ?", (str(handover_id),))
        return rows[0] if rows else None

    def listing(self, agency_id: UUID, box: str, limit: int) -> list[Row]:
        """`incoming` (offered to the agency) or `outgoing` (offered by it), newest first."""
        column = "from_agency_id" if box == "outgoing" else "to_agency_id"
        return self.database.query(
            f"SELECT * FROM view_handovers WHERE {column} = ? ORDER BY seq DESC LIMIT ?", (str(agency_id), limit)
        )
