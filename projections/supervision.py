"""Supervision figures per municipality, read from the record request and handover views (no personal data)."""

from __future__ import annotations

from datetime import datetime

from projections.record_requests import utc_text
from projections.viewdb import Row, ViewDatabase

NATIONAL = "national"


class SupervisionQueries:
    def __init__(self, database: ViewDatabase) -> None:
        self.database = database

    def requests(self, since: datetime | None = None, until: datetime | None = None) -> list[Row]:
        """Every request (made within the period, when given) with the municipalities of its requester and
        responder (national agencies: `national`)."""
        sql = (
            "SELECT r.status, r.created_at, r.due_at, r.answered_at, "
            f"COALESCE(req.municipality, '{NATIONAL}') AS requester_municipality, "
            f"COALESCE(res.municipality, '{NATIONAL}') AS responder_municipality "
            "FROM view_record_requests r "
            "JOIN view_agencies req ON req.id = r.requester_agency_id "
            "JOIN view_agencies res ON res.id = r.responder_agency_id WHERE 1 = 1"
        )
        params: list[str] = []
        if since is not None:
            sql += " AND r.created_at >= ?"
            params.append(utc_text(since))
        if until is not None:
            sql += " AND r.created_at <= ?"
            params.append(utc_text(until))
        return self.database.query(sql, params)

    def accepted_cases(self) -> list[Row]:
        """Cases handed over and accepted, by receiving municipality, and whether any records were released for them."""
        return self.database.query(
            "SELECT h.to_municipality AS municipality, EXISTS (SELECT 1 FROM view_record_requests r "
            "WHERE r.handover_id = h.id AND r.requester_agency_id = h.to_agency_id AND r.released_categories > 0) "
            "AS holds_records FROM view_handovers h WHERE h.status = 'accepted'"
        )
