"""Relationship view: which agency stands in which relationship (`Tie`) to which person, and until when.

Derived from the log: referrals sent and received (lasting while the referral is open and through its monitoring
period after closure), cases led and handed over, record requests while they are open, consents recorded or naming
the agency (while valid), disclosures received, and police investigations while open. Each row names the stream it
comes from (`source_id`), so that a later event of the same stream can end it. Rows hold ids only: an erased
person's rows stay (nothing in them identifies her), so the lead service can still repeat the erasure or give an
access report, while every change about her is refused (`hub/people/service.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from events.consent import ConsentExpired, ConsentGranted, ConsentWithdrawn
from events.disclosure import DisclosureRecorded
from events.handover import HandoverAccepted, HandoverDeclined, HandoverOffered, ResidenceChangeRecorded
from events.investigations import InvestigationClosed, InvestigationOpened
from events.records import RecordRequestAnswered, RecordRequestCreated, RecordRequestRefused, RecordRequestWithdrawn
from events.referrals import (
    ReferralClosed,
    ReferralDeclined,
    ReferralRedirected,
    ReferralSubmitted,
    ReferralWithdrawn,
)
from events.values import Tie
from projections.follower import View
from projections.record_requests import utc_text
from projections.viewdb import Cursor, Row, ViewDatabase

INSERT = (
    "INSERT INTO view_relationships (agency_id, subject_id, tie, source_id, since, until) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (agency_id, subject_id, tie, source_id) DO UPDATE SET until = excluded.until"
)


REFERRAL_ENDS = (ReferralClosed, ReferralDeclined, ReferralWithdrawn)
REQUEST_ENDS = (RecordRequestAnswered, RecordRequestRefused, RecordRequestWithdrawn)


def _ids(people: Iterable[Any]) -> list[str]:
    return [str(person.subject_id) for person in people]


class RelationshipView(View):
    name = "relationships"
    schema: ClassVar[dict[str, str]] = {
        "view_relationships": (
            "CREATE TABLE IF NOT EXISTS view_relationships (agency_id TEXT NOT NULL, subject_id TEXT NOT NULL, "
            "tie TEXT NOT NULL, source_id TEXT NOT NULL, since TEXT NOT NULL, until TEXT, "
            "PRIMARY KEY (agency_id, subject_id, tie, source_id))"
        ),
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS ix_relationships_source ON view_relationships (source_id)",
        "CREATE INDEX IF NOT EXISTS ix_relationships_subject ON view_relationships (subject_id)",
    )
    handles = (
        ReferralSubmitted,
        ReferralRedirected,
        *REFERRAL_ENDS,
        ResidenceChangeRecorded,
        HandoverOffered,
        HandoverAccepted,
        HandoverDeclined,
        RecordRequestCreated,
        *REQUEST_ENDS,
        ConsentGranted,
        ConsentWithdrawn,
        ConsentExpired,
        DisclosureRecorded,
        InvestigationOpened,
        InvestigationClosed,
    )

    def apply(self, cursor: Cursor, event: Any, notification_id: int) -> None:
        source = str(event.originator_id)
        at = utc_text(event.timestamp)
        if isinstance(event, ReferralSubmitted):
            subjects = _ids((event.child, *event.family))
            lead = event.lead_agency_id or event.recipients[0]
            ties = [(event.referrer_agency_id, Tie.REFERRER), *((agency, Tie.RECIPIENT) for agency in event.recipients)]
            self._add(cursor, [*ties, (lead, Tie.CASE_LEAD)], subjects, source, at)
        elif isinstance(event, ReferralRedirected):
            subjects = self._subjects_of(cursor, source)
            self._end(cursor, source, at, Tie.CASE_LEAD, event.from_agency_id)
            ties = [(agency, Tie.RECIPIENT) for agency in event.recipients]
            self._add(cursor, [*ties, (event.to_agency_id, Tie.CASE_LEAD)], subjects, source, at)
        elif isinstance(event, REFERRAL_ENDS):
            monitoring = event.monitoring_until if isinstance(event, ReferralClosed) else None
            self._end(cursor, source, utc_text(monitoring) if monitoring else at)
        elif isinstance(event, ResidenceChangeRecorded):
            self._add(cursor, [(event.from_agency_id, Tie.HANDOVER_PARTY)], _ids(event.subjects), source, at)
        elif isinstance(event, HandoverOffered):
            self._add(cursor, [(event.to_agency_id, Tie.CASE_OFFERED)], self._subjects_of(cursor, source), source, at)
        elif isinstance(event, HandoverAccepted):
            self._take_over(cursor, source, at)
        elif isinstance(event, HandoverDeclined):
            self._end(cursor, source, at, Tie.CASE_OFFERED)
        elif isinstance(event, RecordRequestCreated):
            ties = [(event.requester_agency_id, Tie.RECORD_REQUEST_PARTY)]
            self._add(
                cursor, [*ties, (event.responder_agency_id, Tie.RECORD_REQUEST_PARTY)], _ids(event.subjects), source, at
            )
        elif isinstance(event, (*REQUEST_ENDS, ConsentWithdrawn, ConsentExpired, InvestigationClosed)):
            self._end(cursor, source, at)
        elif isinstance(event, ConsentGranted):
            self._consent(cursor, event, source, at)
        elif isinstance(event, DisclosureRecorded):
            subjects = [str(subject) for subject in event.subjects]
            self._add(cursor, [(event.recipient_agency_id, Tie.DISCLOSURE_RECIPIENT)], subjects, source, at)
        elif isinstance(event, InvestigationOpened):
            subjects = [str(subject) for subject in event.subjects]
            self._add(cursor, [(event.police_agency_id, Tie.INVESTIGATION)], subjects, source, at)

    @staticmethod
    def _add(
        cursor: Cursor,
        ties: Iterable[tuple[UUID, Tie]],
        subjects: list[str],
        source: str,
        since: str,
        until: str | None = None,
    ) -> None:
        rows = list(dict.fromkeys((str(agency), subject, tie.value) for agency, tie in ties for subject in subjects))
        cursor.executemany(INSERT, [(agency, subject, tie, source, since, until) for agency, subject, tie in rows])

    @staticmethod
    def _subjects_of(cursor: Cursor, source: str) -> list[str]:
        rows = cursor.execute(
            "SELECT DISTINCT subject_id FROM view_relationships WHERE source_id = ? ORDER BY subject_id", (source,)
        ).fetchall()
        return [row["subject_id"] for row in rows]

    @staticmethod
    def _end(cursor: Cursor, source: str, at: str, tie: Tie | None = None, agency: UUID | None = None) -> None:
        """End the relationships the stream gave: every one, one kind, or one kind to one agency. A row ends at the
        first event that ends it: later ends never lengthen it, and it never reopens by accident."""
        sql = "UPDATE view_relationships SET until = ? WHERE source_id = ? AND until IS NULL"
        params: tuple[str, ...] = (at, source)
        if tie is not None:
            sql, params = f"{sql} AND tie = ?", (*params, tie.value)
        if agency is not None:
            sql, params = f"{sql} AND agency_id = ?", (*params, str(agency))
        cursor.execute(sql, params)

    def _take_over(self, cursor: Cursor, source: str, at: str) -> None:
        """The offered service now leads the case; the service that handed it over no longer does."""
        offered = cursor.execute(
            "SELECT agency_id, subject_id FROM view_relationships WHERE source_id = ? AND tie = ? AND until IS NULL",
            (source, Tie.CASE_OFFERED.value),
        ).fetchall()
        for row in offered:
            agency, subject = row["agency_id"], row["subject_id"]
            cursor.execute(
                "UPDATE view_relationships SET until = ? WHERE subject_id = ? AND tie = ? AND agency_id <> ? "
                "AND until IS NULL",
                (at, subject, Tie.CASE_LEAD.value, agency),
            )
            self._add(cursor, [(UUID(agency), Tie.CASE_LEAD)], [subject], source, at)
        self._end(cursor, source, at, Tie.CASE_OFFERED)

    def _consent(self, cursor: Cursor, event: ConsentGranted, source: str, at: str) -> None:
        subject = [str(event.subject_id)]
        if event.actor.agency_id is not None:
            self._add(cursor, [(event.actor.agency_id, Tie.CONSENT_RECORDER)], subject, source, at)
        until = utc_text(event.valid_until) if event.valid_until else None
        recipients = [(agency, Tie.CONSENT_RECIPIENT) for agency in event.recipient_agencies]
        self._add(cursor, recipients, subject, source, at, until)


class RelationshipQueries:
    def __init__(self, database: ViewDatabase) -> None:
        self.database = database

    def ties(self, agency_id: UUID, subject_ids: Iterable[UUID], now: datetime) -> frozenset[Tie]:
        """The relationships the agency holds now with any of these records (callers pass every record of a person)."""
        ids = [str(subject_id) for subject_id in subject_ids]
        if not ids:
            return frozenset()
        placeholders = ", ".join("?" for _ in ids)
        rows = self.database.query(
            f"SELECT DISTINCT tie FROM view_relationships WHERE agency_id = ? AND subject_id IN ({placeholders}) "
            "AND (until IS NULL OR until > ?)",
            (str(agency_id), *ids, utc_text(now)),
        )
        return frozenset(Tie(row["tie"]) for row in rows)

    def sources(self, agency_id: UUID, subject_ids: Iterable[UUID]) -> list[Row]:
        """The streams (referrals, requests, handovers, consents ...) through which the agency is or was related to
        any of these records, with its ties to each: its own part in the person's case."""
        ids = [str(subject_id) for subject_id in subject_ids]
        if not ids:
            return []
        placeholders = ", ".join("?" for _ in ids)
        return self.database.query(
            f"SELECT DISTINCT source_id, tie FROM view_relationships WHERE agency_id = ? AND subject_id IN "
            f"({placeholders}) ORDER BY source_id",
            (str(agency_id), *ids),
        )

    def parties(self, source_ids: Iterable[str]) -> list[Row]:
        """Every agency related through these streams, with its tie (who else takes part in what the agency does)."""
        ids = list(source_ids)
        if not ids:
            return []
        placeholders = ", ".join("?" for _ in ids)
        return self.database.query(
            f"SELECT DISTINCT agency_id, tie, source_id FROM view_relationships WHERE source_id IN ({placeholders}) "
            "ORDER BY agency_id",
            ids,
        )

    def involved(self, subject_ids: Iterable[UUID], now: datetime) -> list[Row]:
        """Every agency related now with any of these records: its ties and since when (the person's team)."""
        ids = [str(subject_id) for subject_id in subject_ids]
        if not ids:
            return []
        placeholders = ", ".join("?" for _ in ids)
        return self.database.query(
            f"SELECT agency_id, tie, MIN(since) AS since FROM view_relationships WHERE subject_id IN ({placeholders}) "
            "AND (until IS NULL OR until > ?) GROUP BY agency_id, tie ORDER BY agency_id, tie",
            (*ids, utc_text(now)),
        )
