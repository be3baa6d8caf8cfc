"""Referral view: envelopes, recipients, subjects, response clocks and monitoring after closure (no personal data);
inboxes, clock ticks, submissions (to link a child already known) and supervision read it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import singledispatchmethod
from typing import Any, ClassVar
from uuid import UUID

from events.referrals import (
    OPEN_STATUSES,
    ClockDue,
    ReferralAccepted,
    ReferralAcknowledged,
    ReferralAssigned,
    ReferralClosed,
    ReferralDeclined,
    ReferralInformationProvided,
    ReferralInformationRequested,
    ReferralOverdue,
    ReferralRedirected,
    ReferralStatus,
    ReferralSubmitted,
    ReferralWithdrawn,
)
from projections.dispatching import DispatchingView, not_handled
from projections.viewdb import Cursor, Row, ViewDatabase

OPEN = sorted(status.value for status in OPEN_STATUSES)
# The earliest due time of the agency's running clocks on a referral (`rr`: its row in the recipients).
NEXT_DUE = (
    "(SELECT MIN(c.due_at) FROM view_referral_clocks c WHERE c.referral_id = rr.referral_id "
    "AND c.agency_id = rr.agency_id AND c.stopped_at IS NULL)"
)
RUNNING_OVERDUE = (
    "EXISTS (SELECT 1 FROM view_referral_clocks c WHERE c.referral_id = rr.referral_id AND c.agency_id = "
    "rr.agency_id AND c.stopped_at IS NULL AND (c.overdue_at IS NOT NULL OR c.due_at <= ?))"
)


@dataclass(frozen=True)
class InboxFilter:
    """Narrows an inbox over all of it, before paging. `statuses`: any of these; `overdue_at`: only referrals with a
    running clock of the agency due by then (incoming only); `by_due`: earliest running clock first (overdue ones
    first), then newest, and the cursor counts rows instead of naming the last one."""

    statuses: tuple[str, ...] = ()
    urgency: str | None = None
    overdue_at: datetime | None = None
    by_due: bool = False


def instant(moment: datetime) -> str:
    """Times are stored as UTC ISO strings, so that text order is time order."""
    return moment.astimezone(UTC).isoformat()


class ReferralView(DispatchingView):
    name = "referrals"
    schema: ClassVar[dict[str, str]] = {
        "view_referrals": (
            "CREATE TABLE IF NOT EXISTS view_referrals (id TEXT PRIMARY KEY, seq BIGINT NOT NULL, "
            "referrer_agency_id TEXT NOT NULL, lead_agency_id TEXT NOT NULL, municipality TEXT NOT NULL, "
            "urgency TEXT NOT NULL, concerns TEXT NOT NULL, status TEXT NOT NULL, status_before_question TEXT, "
            "worker TEXT, case_id TEXT, outcome TEXT, submitted_at TEXT NOT NULL, acknowledged_at TEXT, "
            "decided_at TEXT, closed_at TEXT, monitoring_until TEXT, updated_seq BIGINT NOT NULL, child_id TEXT)"
        ),
        "view_referral_recipients": (
            "CREATE TABLE IF NOT EXISTS view_referral_recipients (referral_id TEXT NOT NULL, "
            "agency_id TEXT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (referral_id, agency_id))"
        ),
        "view_referral_subjects": (
            "CREATE TABLE IF NOT EXISTS view_referral_subjects (referral_id TEXT NOT NULL, "
            "subject_id TEXT NOT NULL, PRIMARY KEY (referral_id, subject_id))"
        ),
        "view_referral_clocks": (
            "CREATE TABLE IF NOT EXISTS view_referral_clocks (referral_id TEXT NOT NULL, clock TEXT NOT NULL, "
            "agency_id TEXT NOT NULL, urgency TEXT NOT NULL, due_at TEXT NOT NULL, stopped_at TEXT, "
            "overdue_at TEXT, started_at TEXT, PRIMARY KEY (referral_id, clock, agency_id))"
        ),
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS ix_referrals_referrer ON view_referrals (referrer_agency_id, seq)",
        "CREATE INDEX IF NOT EXISTS ix_referrals_municipality ON view_referrals (municipality, seq)",
        "CREATE INDEX IF NOT EXISTS ix_referrals_lead ON view_referrals (lead_agency_id, submitted_at)",
        "CREATE INDEX IF NOT EXISTS ix_referral_recipients_agency ON view_referral_recipients (agency_id, seq)",
        "CREATE INDEX IF NOT EXISTS ix_referral_subjects_subject ON view_referral_subjects (subject_id)",
        "CREATE INDEX IF NOT EXISTS ix_referral_clocks_due ON view_referral_clocks (due_at)",
    )

    def apply_all(self, cursor: Cursor, events: Sequence[tuple[Any, int]]) -> None:
        """Runs of submissions (most of any log) are written table by table, one statement per table per run."""
        submissions: list[tuple[ReferralSubmitted, int]] = []
        for event, notification_id in events:
            if isinstance(event, ReferralSubmitted):
                submissions.append((event, notification_id))
                continue
            self._insert(cursor, submissions)
            submissions = []
            self.apply(cursor, event, notification_id)
        self._insert(cursor, submissions)

    def open_work(self, database: ViewDatabase, agency_id: UUID) -> int:
        """Referrals not yet ended that the agency made, leads or received."""
        agency = str(agency_id)
        rows = database.query(
            "SELECT COUNT(DISTINCT r.id) AS n FROM view_referrals r "
            "LEFT JOIN view_referral_recipients p ON p.referral_id = r.id "
            "WHERE (r.lead_agency_id = ? OR r.referrer_agency_id = ? OR p.agency_id = ?) "
            f"AND r.status IN ({', '.join('?' for _ in OPEN)})",
            (agency, agency, agency, *OPEN),
        )
        return int(rows[0]["n"])

    on = singledispatchmethod(not_handled)

    @on.register
    def _(self, event: ReferralSubmitted, cursor: Cursor, notification_id: int) -> None:
        self._insert(cursor, [(event, notification_id)])

    @on.register
    def _(self, event: ReferralAcknowledged, cursor: Cursor, notification_id: int) -> None:
        changes = {"status": ReferralStatus.ACKNOWLEDGED.value, "acknowledged_at": instant(event.timestamp)}
        self._moved(cursor, event, notification_id, changes, ("acknowledge",))

    @on.register
    def _(self, event: ReferralAssigned, cursor: Cursor, notification_id: int) -> None:
        cursor.execute(
            "UPDATE view_referrals SET status = ? WHERE id = ? AND status = ?",
            (ReferralStatus.ASSIGNED.value, str(event.originator_id), ReferralStatus.ACKNOWLEDGED.value),
        )
        self._moved(cursor, event, notification_id, {"worker": event.worker})

    @on.register
    def _(self, event: ReferralInformationRequested, cursor: Cursor, notification_id: int) -> None:
        cursor.execute(
            "UPDATE view_referrals SET status_before_question = status WHERE id = ?", (str(event.originator_id),)
        )
        self._moved(cursor, event, notification_id, {"status": ReferralStatus.INFORMATION_REQUESTED.value})

    @on.register
    def _(self, event: ReferralInformationProvided, cursor: Cursor, notification_id: int) -> None:
        cursor.execute(
            "UPDATE view_referrals SET status = status_before_question, status_before_question = NULL WHERE id = ?",
            (str(event.originator_id),),
        )
        self._moved(cursor, event, notification_id, {})

    @on.register
    def _(self, event: ReferralAccepted, cursor: Cursor, notification_id: int) -> None:
        changes = {"status": ReferralStatus.ACCEPTED.value, "case_id": str(event.case_id)}
        self._decided(cursor, event, notification_id, changes)

    @on.register
    def _(self, event: ReferralDeclined, cursor: Cursor, notification_id: int) -> None:
        self._decided(cursor, event, notification_id, {"status": ReferralStatus.DECLINED.value})

    @on.register
    def _(self, event: ReferralClosed, cursor: Cursor, notification_id: int) -> None:
        changes = {
            "status": ReferralStatus.CLOSED.value,
            "closed_at": instant(event.timestamp),
            "outcome": event.outcome.value,
            "monitoring_until": instant(event.monitoring_until) if event.monitoring_until else None,
        }
        self._moved(cursor, event, notification_id, changes, ("acknowledge", "decide"))

    @on.register
    def _(self, event: ReferralWithdrawn, cursor: Cursor, notification_id: int) -> None:
        changes = {"status": ReferralStatus.WITHDRAWN.value, "closed_at": instant(event.timestamp)}
        self._moved(cursor, event, notification_id, changes, ("acknowledge", "decide"))

    @on.register
    def _(self, event: ReferralRedirected, cursor: Cursor, notification_id: int) -> None:
        self._redirect(cursor, event, notification_id)

    @on.register
    def _(self, event: ReferralOverdue, cursor: Cursor, notification_id: int) -> None:
        cursor.execute(
            "UPDATE view_referral_clocks SET overdue_at = ? WHERE referral_id = ? AND clock = ? AND agency_id = ?",
            (instant(event.timestamp), str(event.originator_id), event.clock, str(event.agency_id)),
        )
        self._moved(cursor, event, notification_id, {})

    def _decided(self, cursor: Cursor, event: Any, notification_id: int, changes: dict[str, Any]) -> None:
        """Accepted or declined: decided now, and neither clock runs any more."""
        changes = changes | {"decided_at": instant(event.timestamp)}
        self._moved(cursor, event, notification_id, changes, ("acknowledge", "decide"))

    def _moved(
        self,
        cursor: Cursor,
        event: Any,
        notification_id: int,
        changes: dict[str, Any],
        stop: tuple[str, ...] = (),
    ) -> None:
        """Write the referral's changed columns and stop the clocks named."""
        referral_id = str(event.originator_id)
        self._update(cursor, referral_id, notification_id, changes)
        for clock in stop:
            cursor.execute(
                "UPDATE view_referral_clocks SET stopped_at = ? "
                "WHERE referral_id = ? AND clock = ? AND stopped_at IS NULL",
                (instant(event.timestamp), referral_id, clock),
            )

    @staticmethod
    def _update(cursor: Cursor, referral_id: str, notification_id: int, changes: dict[str, Any]) -> None:
        assignments = "".join(f"{column} = ?, " for column in changes)
        cursor.execute(
            f"UPDATE view_referrals SET {assignments}updated_seq = ? WHERE id = ?",
            (*changes.values(), notification_id, referral_id),
        )

    def _insert(self, cursor: Cursor, submissions: Sequence[tuple[ReferralSubmitted, int]]) -> None:
        if not submissions:
            return
        referrals: list[tuple[Any, ...]] = []
        recipients: list[tuple[str, str, int]] = []
        clocks: list[tuple[str, str, ClockDue, datetime]] = []
        subjects: list[tuple[str, str]] = []
        for event, seq in submissions:
            referral_id = str(event.originator_id)
            referrals.append(
                (
                    referral_id,
                    seq,
                    str(event.referrer_agency_id),
                    str(event.lead_agency_id or event.recipients[0]),
                    event.municipality,
                    event.urgency.value,
                    json.dumps([concern.value for concern in event.concerns]),
                    ReferralStatus.SUBMITTED.value,
                    instant(event.timestamp),
                    seq,
                    str(event.child.subject_id),
                )
            )
            recipients.extend((referral_id, str(agency_id), seq) for agency_id in event.recipients)
            clocks.extend((referral_id, event.urgency.value, due, event.timestamp) for due in event.clocks)
            subjects.extend((referral_id, str(person.subject_id)) for person in (event.child, *event.family))
        cursor.insert_rows(
            "INSERT INTO view_referrals (id, seq, referrer_agency_id, lead_agency_id, municipality, urgency, "
            "concerns, status, submitted_at, updated_seq, child_id)",
            referrals,
        )
        self._add_recipients(cursor, recipients)
        self._add_clocks(cursor, clocks)
        cursor.insert_rows(
            "INSERT INTO view_referral_subjects (referral_id, subject_id)", subjects, "ON CONFLICT DO NOTHING"
        )

    def _redirect(self, cursor: Cursor, event: ReferralRedirected, notification_id: int) -> None:
        referral_id = str(event.originator_id)
        self._update(
            cursor,
            referral_id,
            notification_id,
            {
                "status": ReferralStatus.SUBMITTED.value,
                "lead_agency_id": str(event.to_agency_id),
                "municipality": event.to_municipality,
                "worker": None,
                "acknowledged_at": None,
            },
        )
        cursor.execute("DELETE FROM view_referral_recipients WHERE referral_id = ?", (referral_id,))
        self._add_recipients(cursor, [(referral_id, str(agency_id), notification_id) for agency_id in event.recipients])
        cursor.execute(
            "UPDATE view_referral_clocks SET stopped_at = ? WHERE referral_id = ? AND stopped_at IS NULL",
            (instant(event.timestamp), referral_id),
        )
        urgency = cursor.execute("SELECT urgency FROM view_referrals WHERE id = ?", (referral_id,)).fetchone()
        self._add_clocks(cursor, [(referral_id, urgency["urgency"], due, event.timestamp) for due in event.clocks])

    @staticmethod
    def _add_recipients(cursor: Cursor, recipients: list[tuple[str, str, int]]) -> None:
        """Rows of `(referral id, agency id, seq)`."""
        cursor.insert_rows("INSERT INTO view_referral_recipients (referral_id, agency_id, seq)", recipients)

    @staticmethod
    def _add_clocks(cursor: Cursor, clocks: list[tuple[str, str, ClockDue, datetime]]) -> None:
        """Start (or restart) clocks given as `(referral id, urgency, clock, started at)`; of one key given twice,
        the last."""
        rows = {
            (referral_id, due.clock, str(due.agency_id)): (urgency, instant(due.due_at), instant(started))
            for referral_id, urgency, due, started in clocks
        }
        cursor.insert_rows(
            "INSERT INTO view_referral_clocks (referral_id, clock, agency_id, urgency, due_at, started_at)",
            [(*key, *values) for key, values in rows.items()],
            "ON CONFLICT (referral_id, clock, agency_id) DO UPDATE SET due_at = excluded.due_at, stopped_at = NULL, "
            "started_at = excluded.started_at",
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

    def incoming(self, agency_id: UUID, limit: int, before: int | None, where: InboxFilter | None = None) -> list[Row]:
        """Referrals an agency received, newest first (or by due time); `before` is the last page's cursor."""
        return self._page(
            f"SELECT r.*, rr.seq AS cursor, {NEXT_DUE} AS next_due FROM view_referral_recipients rr "
            "JOIN view_referrals r ON r.id = rr.referral_id WHERE rr.agency_id = ?",
            "rr.seq",
            agency_id,
            limit,
            before,
            where or InboxFilter(),
        )

    def outgoing(self, agency_id: UUID, limit: int, before: int | None, where: InboxFilter | None = None) -> list[Row]:
        """Referrals an agency sent, newest first (a referrer holds no clocks, so there is no due order)."""
        return self._page(
            "SELECT r.*, r.seq AS cursor FROM view_referrals r WHERE r.referrer_agency_id = ?",
            "r.seq",
            agency_id,
            limit,
            before,
            InboxFilter((where or InboxFilter()).statuses),
        )

    def _page(
        self, sql: str, order: str, agency_id: UUID, limit: int, before: int | None, where: InboxFilter
    ) -> list[Row]:
        params: list[Any] = [str(agency_id)]
        if where.statuses:
            sql += f" AND r.status IN ({', '.join('?' for _ in where.statuses)})"
            params.extend(where.statuses)
        if where.urgency is not None:
            sql += " AND r.urgency = ?"
            params.append(where.urgency)
        if where.overdue_at is not None:
            sql += f" AND {RUNNING_OVERDUE}"
            params.append(instant(where.overdue_at))
        if where.by_due:
            sql += f" ORDER BY next_due ASC NULLS LAST, {order} DESC LIMIT ? OFFSET ?"
            rows = self.database.query(sql, [*params, limit, before or 0])
            return [{**row, "cursor": (before or 0) + index + 1} for index, row in enumerate(rows)]
        if before is not None:
            sql += f" AND {order} < ?"
            params.append(before)
        return self.database.query(f"{sql} ORDER BY {order} DESC LIMIT ?", [*params, limit])

    def clocks(self, referral_ids: Iterable[str], agency_id: UUID | None = None) -> dict[str, list[Row]]:
        """The clocks of these referrals (of one agency when given), keyed by referral id."""
        ids = list(referral_ids)
        if not ids:
            return {}
        sql = f"SELECT * FROM view_referral_clocks WHERE referral_id IN ({', '.join('?' for _ in ids)})"
        params: list[Any] = list(ids)
        if agency_id is not None:
            sql += " AND agency_id = ?"
            params.append(str(agency_id))
        grouped: dict[str, list[Row]] = {referral_id: [] for referral_id in ids}
        for row in self.database.query(sql + " ORDER BY due_at", params):
            grouped[row["referral_id"]].append(row)
        return grouped

    def clocks_about(self, agency_id: UUID, subject_ids: Iterable[UUID]) -> list[Row]:
        """The agency's clocks (acknowledge, decide) on referrals naming any of these subjects."""
        ids = [str(subject_id) for subject_id in subject_ids]
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        return self.database.query(
            "SELECT DISTINCT c.referral_id, c.clock, c.due_at, c.stopped_at, c.overdue_at FROM view_referral_clocks c "
            "JOIN view_referral_subjects s ON s.referral_id = c.referral_id "
            f"WHERE c.agency_id = ? AND s.subject_id IN ({marks}) ORDER BY c.referral_id, c.clock",
            [str(agency_id), *ids],
        )

    def cases_led(self, agency_id: UUID, start: datetime, end: datetime) -> list[str]:
        """The children of the cases the agency leads (not declined or withdrawn) that were open at some time in
        [start, end)."""
        rows = self.database.query(
            "SELECT DISTINCT child_id FROM view_referrals WHERE lead_agency_id = ? AND status NOT IN (?, ?) "
            "AND child_id IS NOT NULL AND submitted_at < ? AND (closed_at IS NULL OR closed_at >= ?) ORDER BY child_id",
            (
                str(agency_id),
                ReferralStatus.DECLINED.value,
                ReferralStatus.WITHDRAWN.value,
                instant(end),
                instant(start),
            ),
        )
        return [row["child_id"] for row in rows]

    def breached_clocks(self, now: datetime) -> list[Row]:
        """Running clocks past their due time that have not been reported overdue yet."""
        return self.running_clocks_due_by(now)

    def running_clocks_due_by(self, moment: datetime) -> list[Row]:
        """Running clocks not reported overdue yet whose due time is at or before `moment`, soonest first."""
        return self.database.query(
            "SELECT * FROM view_referral_clocks WHERE stopped_at IS NULL AND overdue_at IS NULL AND due_at <= ? "
            "ORDER BY due_at",
            (instant(moment),),
        )

    def all_about(self, subject_id: UUID) -> list[Row]:
        """Every referral naming the subject (any status), oldest first, with its recipients."""
        rows = self.database.query(
            "SELECT r.* FROM view_referral_subjects s JOIN view_referrals r ON r.id = s.referral_id "
            "WHERE s.subject_id = ? ORDER BY r.seq",
            (str(subject_id),),
        )
        recipients: dict[str, list[str]] = {}
        for pair in self.database.query(
            "SELECT x.referral_id, x.agency_id FROM view_referral_subjects s "
            "JOIN view_referral_recipients x ON x.referral_id = s.referral_id WHERE s.subject_id = ?",
            (str(subject_id),),
        ):
            recipients.setdefault(pair["referral_id"], []).append(pair["agency_id"])
        return [row | {"recipients": recipients.get(row["id"], [])} for row in rows]

    def open_referrals_about(self, subject_ids: Iterable[UUID], monitored_at: datetime | None = None) -> list[Row]:
        """Open referrals naming any of these subjects (the single-record principle's links); given `monitored_at`,
        also closed ones whose monitoring after closure still runs then."""
        ids = [str(subject_id) for subject_id in subject_ids]
        if not ids:
            return []
        placeholders = ", ".join("?" for _ in ids)
        statuses = ", ".join("?" for _ in OPEN)
        monitored = " OR (r.status = ? AND r.monitoring_until > ?)" if monitored_at else ""
        return self.database.query(
            f"SELECT DISTINCT r.* FROM view_referral_subjects s JOIN view_referrals r ON r.id = s.referral_id "
            f"WHERE s.subject_id IN ({placeholders}) AND (r.status IN ({statuses}){monitored}) ORDER BY r.seq",
            [*ids, *OPEN, *([ReferralStatus.CLOSED.value, instant(monitored_at)] if monitored_at else [])],
        )

    def for_supervision(self, municipality: str | None) -> list[Row]:
        """Every referral with its referrer's agency kind, for timeliness figures (no personal data)."""
        sql = (
            "SELECT r.id, r.municipality, r.urgency, r.concerns, r.status, r.submitted_at, r.acknowledged_at, "
            "r.decided_at, a.kind AS referrer_kind FROM view_referrals r "
            "JOIN view_agencies a ON a.id = r.referrer_agency_id"
        )
        if municipality is None:
            return self.database.query(sql + " ORDER BY r.seq")
        return self.database.query(sql + " WHERE r.municipality = ? ORDER BY r.seq", (municipality,))

    def overdue_now(self, municipality: str | None) -> list[Row]:
        """Clocks reported overdue and still running."""
        sql = (
            "SELECT c.*, r.municipality FROM view_referral_clocks c JOIN view_referrals r ON r.id = c.referral_id "
            "WHERE c.overdue_at IS NOT NULL AND c.stopped_at IS NULL"
        )
        if municipality is None:
            return self.database.query(sql + " ORDER BY c.due_at")
        return self.database.query(sql + " AND r.municipality = ? ORDER BY c.due_at", (municipality,))

    def subjects_last_closed(self) -> list[Row]:
        """Per subject: when its last referral ended, and how many are still open (for retention)."""
        statuses = ", ".join("?" for _ in OPEN)
        return self.database.query(
            "SELECT s.subject_id, MAX(COALESCE(r.closed_at, r.decided_at)) AS last_closed, "
            f"SUM(CASE WHEN r.status IN ({statuses}) THEN 1 ELSE 0 END) AS still_open "
            "FROM view_referral_subjects s JOIN view_referrals r ON r.id = s.referral_id GROUP BY s.subject_id "
            "ORDER BY s.subject_id",
            OPEN,
        )
