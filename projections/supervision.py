"""Supervision figures per municipality, read from the record request and handover views (no personal data)."""

from __future__ import annotations

from projections.viewdb import Row, ViewDatabase

NATIONAL = "national"


class SupervisionQueries:
    def __init__(self, database: ViewDatabase) -> None:
        self.database = database

    def requests(self) -> list[Row]:
        """Every request with the municipalities of its requester and responder (national agencies: `national`)."""
        return self.database.query(
            "SELECT r.status, r.created_at, r.due_at, r.answered_at, "
            f"COALESCE(req.municipality, '{NATIONAL}') AS requester_municipality, "
            f"COALESCE(res.municipality, '{NATIONAL}') AS responder_municipality "
            "FROM view_record_requests r "
            "JOIN view_agencies req ON req.id = r.requester_agency_id "
            "JOIN view_agencies res ON res.id = r.responder_agency_id"
        )

    def accepted_cases(self) -> list[Row]:
        """Cases handed over and accepted, by receiving municipality, and whether any records were released for them."""
        return self.database.query(
            "SELECT h.to_municipality AS municipality, EXISTS (SELECT 1 FROM view_record_requests r "
            "WHERE r.handover_id = h.id AND r.requester_agency_id = h.to_agency_id AND r.released_categories > 0) "
            "AS holds_records FROM view_handovers h WHERE h.status = 'accepted'"
        )
