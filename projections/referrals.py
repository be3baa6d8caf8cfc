"""Referral view: each referral's envelope (no personal data) and which agencies received it; inboxes read it."""

from __future__ import annotations

import json
from typing import Any, ClassVar
from uuid import UUID

from events.referrals import ReferralSubmitted
from projections.follower import View
from projections.viewdb import Cursor, Row, ViewDatabase


class ReferralView(View):
    name = "referrals"
    schema: ClassVar[dict[str, str]] = {
        "view_referrals": (
            "CREATE TABLE IF NOT EXISTS view_referrals (id TEXT PRIMARY KEY, seq BIGINT NOT NULL, "
            "referrer_agency_id TEXT NOT NULL, municipality TEXT NOT NULL, urgency TEXT NOT NULL, "
            "concerns TEXT NOT NULL, status TEXT NOT NULL, submitted_at TEXT NOT NULL)"
        ),
        "view_referral_recipients": (
            "CREATE TABLE IF NOT EXISTS view_referral_recipients (referral_id TEXT NOT NULL, "
            "agency_id TEXT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (referral_id, agency_id))"
        ),
    }
    handles = (ReferralSubmitted,)

    def apply(self, cursor: Cursor, event: Any, notification_id: int) -> None:
        assert isinstance(event, ReferralSubmitted)
        referral_id = str(event.originator_id)
        cursor.execute(
            "INSERT INTO view_referrals (id, seq, referrer_agency_id, municipality, urgency, concerns, "
            "status, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                referral_id,
                notification_id,
                str(event.referrer_agency_id),
                event.municipality,
                event.urgency.value,
                json.dumps([concern.value for concern in event.concerns]),
                "submitted",
                event.timestamp.isoformat(),
            ),
        )
        for agency_id in event.recipients:
            cursor.execute(
                "INSERT INTO view_referral_recipients (referral_id, agency_id, seq) VALUES (?, ?, ?)",
                (referral_id, str(agency_id), notification_id),
            )


class ReferralQueries:
    def __init__(self, database: ViewDatabase) -> None:
        self.database = database

    def envelope(self, referral_id: UUID) -> Row | None:
        rows = self.database.query("SELECT * FROM view_referrals WHERE id = ?", (str(referral_id),))
        if not rows:
            return None
        recipients = self.database.query(
            "SELECT agency_id FROM view_referral_recipients WHERE referral_id = ?", (str(referral_id),)
        )
        return {**rows[0], "recipients": [row["agency_id"] for row in recipients]}

    def inbox(self, agency_id: UUID, limit: int, before: int | None) -> list[Row]:
        """Incoming referrals of an agency, newest first; `before` is the last page's final `seq`."""
        sql = (
            "SELECT r.* FROM view_referral_recipients rr JOIN view_referrals r ON r.id = rr.referral_id "
            "WHERE rr.agency_id = ?"
        )
        params: list[Any] = [str(agency_id)]
        if before is not None:
            sql += " AND rr.seq < ?"
            params.append(before)
        sql += " ORDER BY rr.seq DESC LIMIT ?"
        params.append(limit)
        return self.database.query(sql, params)
