"""Break-glass review queue view: open and resolved reviews per agency (no justification text, no names)."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from events.review import BreakGlassReviewOpened, BreakGlassReviewResolved
from projections.follower import View
from projections.viewdb import Cursor, Row, ViewDatabase


class ReviewView(View):
    name = "reviews"
    schema: ClassVar[dict[str, str]] = {
        "view_reviews": (
            "CREATE TABLE IF NOT EXISTS view_reviews (id TEXT PRIMARY KEY, agency_id TEXT NOT NULL, "
            "seq BIGINT NOT NULL, status TEXT NOT NULL)"
        ),
    }
    indexes = ("CREATE INDEX IF NOT EXISTS ix_reviews_agency ON view_reviews (agency_id, seq)",)
    handles = (BreakGlassReviewOpened, BreakGlassReviewResolved)

    def apply(self, cursor: Cursor, event: Any, notification_id: int) -> None:
        if isinstance(event, BreakGlassReviewOpened):
            cursor.execute(
                "INSERT INTO view_reviews (id, agency_id, seq, status) VALUES (?, ?, ?, ?)",
                (str(event.originator_id), str(event.agency_id), notification_id, "open"),
            )
        else:
            cursor.execute(
                "UPDATE view_reviews SET status = ? WHERE id = ?", (event.outcome.value, str(event.originator_id))
            )


class ReviewQueries:
    def __init__(self, database: ViewDatabase) -> None:
        self.database = database

    def queue(self, agency_id: UUID, status: str | None) -> list[Row]:
        """An agency's reviews, oldest first; `status` None means all."""
        if status is None:
            return self.database.query("SELECT * FROM view_reviews WHERE agency_id = ? ORDER BY seq", (str(agency_id),))
        return self.database.query(
            "SELECT * FROM view_reviews WHERE agency_id = ? AND status = ? ORDER BY seq", (str(agency_id), status)
        )

    def outcomes(self, review_ids: list[str]) -> dict[str, str]:
        """Each review's state: `open`, or the outcome it was resolved with."""
        if not review_ids:
            return {}
        placeholders = ", ".join("?" for _ in review_ids)
        rows = self.database.query(f"SELECT id, status FROM view_reviews WHERE id IN ({placeholders})", review_ids)
        return {row["id"]: row["status"] for row in rows}
