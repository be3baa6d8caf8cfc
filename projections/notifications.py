"""Notifications view: items per agency and role, what each user read, their e-mail preferences, what each agency
requires of them, and what was mailed.

A user's items are those of their agency for a role they hold; the header's counters are one query over them.
"""

from __future__ import annotations

from functools import singledispatchmethod
from typing import ClassVar
from uuid import UUID

from events.notifications import (
    NoticeKind,
    NotificationMailFailed,
    NotificationMailSent,
    NotificationPreferenceSet,
    NotificationRaised,
    NotificationRequirementSet,
    NotificationsRead,
)
from projections.dispatching import DispatchingView, not_handled
from projections.viewdb import Cursor, Row, ViewDatabase


class NotificationView(DispatchingView):
    name = "notifications"
    schema: ClassVar[dict[str, str]] = {
        "view_notice_items": (
            "CREATE TABLE IF NOT EXISTS view_notice_items (id TEXT PRIMARY KEY, agency_id TEXT NOT NULL, "
            "role TEXT NOT NULL, kind TEXT NOT NULL, urgent INTEGER NOT NULL, reference TEXT NOT NULL, "
            "raised_at TEXT NOT NULL, seq BIGINT NOT NULL)"
        ),
        "view_notice_reads": (
            "CREATE TABLE IF NOT EXISTS view_notice_reads (user_id TEXT NOT NULL, item_id TEXT NOT NULL, "
            "PRIMARY KEY (user_id, item_id))"
        ),
        "view_notice_prefs": (
            "CREATE TABLE IF NOT EXISTS view_notice_prefs (user_id TEXT PRIMARY KEY, address TEXT, "
            "mode TEXT NOT NULL, urgent_mode TEXT NOT NULL, language TEXT NOT NULL, version BIGINT NOT NULL)"
        ),
        "view_notice_requirements": (
            "CREATE TABLE IF NOT EXISTS view_notice_requirements (agency_id TEXT PRIMARY KEY, "
            "urgent_at_least TEXT NOT NULL, others_at_least TEXT NOT NULL, version BIGINT NOT NULL)"
        ),
        "view_notice_mail": (
            "CREATE TABLE IF NOT EXISTS view_notice_mail (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, "
            "status TEXT NOT NULL, attempts BIGINT NOT NULL, bounced INTEGER NOT NULL, reason TEXT, "
            "last_at TEXT NOT NULL)"
        ),
        "view_notice_mailed": (
            "CREATE TABLE IF NOT EXISTS view_notice_mailed (user_id TEXT NOT NULL, item_id TEXT NOT NULL, "
            "PRIMARY KEY (user_id, item_id))"
        ),
    }
    indexes = ("CREATE INDEX IF NOT EXISTS ix_notice_items_for ON view_notice_items (agency_id, role, seq)",)
    on = singledispatchmethod(not_handled)

    @on.register
    def _raised(self, event: NotificationRaised, cursor: Cursor, notification_id: int) -> None:
        cursor.execute(
            "INSERT INTO view_notice_items (id, agency_id, role, kind, urgent, reference, raised_at, seq) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                str(event.originator_id),
                str(event.agency_id),
                event.role.value,
                event.kind.value,
                int(event.urgent),
                str(event.reference),
                event.timestamp.isoformat(),
                notification_id,
            ),
        )

    @on.register
    def _read(self, event: NotificationsRead, cursor: Cursor, notification_id: int) -> None:
        cursor.insert_rows(
            "INSERT INTO view_notice_reads (user_id, item_id)",
            [(str(event.user_id), str(item)) for item in event.item_ids],
            "ON CONFLICT DO NOTHING",
        )

    @on.register
    def _preference(self, event: NotificationPreferenceSet, cursor: Cursor, notification_id: int) -> None:
        cursor.execute(
            "INSERT INTO view_notice_prefs (user_id, address, mode, urgent_mode, language, version) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET address = excluded.address, "
            "mode = excluded.mode, urgent_mode = excluded.urgent_mode, language = excluded.language, "
            "version = excluded.version",
            (
                str(event.user_id),
                event.address,
                event.mode.value,
                event.urgent_mode.value,
                event.language,
                event.originator_version,
            ),
        )
        # A new address is not known to bounce: the administrator's list shows only refusals since.
        cursor.execute("UPDATE view_notice_mail SET bounced = 0 WHERE user_id = ?", (str(event.user_id),))

    @on.register
    def _requirement(self, event: NotificationRequirementSet, cursor: Cursor, notification_id: int) -> None:
        cursor.execute(
            "INSERT INTO view_notice_requirements (agency_id, urgent_at_least, others_at_least, version) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (agency_id) DO UPDATE SET urgent_at_least = excluded.urgent_at_least, "
            "others_at_least = excluded.others_at_least, version = excluded.version",
            (str(event.agency_id), event.urgent_at_least.value, event.others_at_least.value, event.originator_version),
        )

    @on.register
    def _sent(self, event: NotificationMailSent, cursor: Cursor, notification_id: int) -> None:
        self._attempt(cursor, event, "sent", None, bounced=False)
        cursor.insert_rows(
            "INSERT INTO view_notice_mailed (user_id, item_id)",
            [(str(event.user_id), str(item)) for item in event.item_ids],
            "ON CONFLICT DO NOTHING",
        )

    @on.register
    def _failed(self, event: NotificationMailFailed, cursor: Cursor, notification_id: int) -> None:
        self._attempt(cursor, event, "failed", event.reason, bounced=event.bounced)

    @staticmethod
    def _attempt(
        cursor: Cursor,
        event: NotificationMailSent | NotificationMailFailed,
        status: str,
        reason: str | None,
        *,
        bounced: bool,
    ) -> None:
        cursor.execute(
            "INSERT INTO view_notice_mail (id, user_id, status, attempts, bounced, reason, last_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET status = excluded.status, "
            "attempts = excluded.attempts, bounced = excluded.bounced, reason = excluded.reason, "
            "last_at = excluded.last_at",
            (
                str(event.originator_id),
                str(event.user_id),
                status,
                event.originator_version,
                int(bounced),
                reason,
                event.timestamp.isoformat(),
            ),
        )


# The header's counters beside unread and urgent: what is new, what is due soon, what is overdue, what waits for a
# review. Every kind is in one of them (`tests/test_notification_policy.py` holds it).
COUNTED: dict[str, tuple[NoticeKind, ...]] = {
    "new": (
        NoticeKind.NEW_REFERRAL,
        NoticeKind.RECORD_REQUEST_RECEIVED,
        NoticeKind.HANDOVER_OFFERED,
        NoticeKind.QUESTION_TO_REFERRER,
        NoticeKind.RECORD_REQUEST_ANSWERED,
    ),
    "due_soon": (NoticeKind.ACKNOWLEDGEMENT_DUE_SOON, NoticeKind.DECISION_DUE_SOON, NoticeKind.CONSENT_EXPIRING),
    "overdue": (NoticeKind.RESPONSE_OVERDUE, NoticeKind.RECORD_REQUEST_ESCALATED, NoticeKind.RECORD_REQUEST_OVERDUE),
    "to_review": (NoticeKind.EMERGENCY_ACCESS_REVIEW,),
}


def _marks(values: tuple[str, ...]) -> str:
    return ", ".join("?" for _ in values) or "NULL"


class NotificationQueries:
    def __init__(self, database: ViewDatabase) -> None:
        self.database = database

    def counters(self, user_id: UUID, agency_id: UUID, roles: tuple[str, ...]) -> dict[str, int]:
        """The user's unread items: all, urgent, and by `COUNTED`; one query (it runs on every page)."""
        kinds = tuple(kind.value for group in COUNTED.values() for kind in group)
        sums = "".join(
            f", COALESCE(SUM(CASE WHEN i.kind IN ({_marks(group)}) THEN 1 ELSE 0 END), 0) AS {name}"
            for name, group in COUNTED.items()
        )
        rows = self.database.query(
            f"SELECT COUNT(*) AS unread, COALESCE(SUM(i.urgent), 0) AS urgent{sums} FROM view_notice_items i "
            f"WHERE i.agency_id = ? AND i.role IN ({_marks(roles)}) AND NOT EXISTS (SELECT 1 FROM view_notice_reads r "
            "WHERE r.user_id = ? AND r.item_id = i.id)",
            (*kinds, str(agency_id), *roles, str(user_id)),
        )
        return {name: int(value) for name, value in rows[0].items()}

    def items(self, user_id: UUID, agency_id: UUID, roles: tuple[str, ...], limit: int = 100) -> list[Row]:
        """The user's items, newest first, each with `read`."""
        rows = self.database.query(
            "SELECT i.*, (SELECT COUNT(*) FROM view_notice_reads r WHERE r.user_id = ? AND r.item_id = i.id) AS read "
            f"FROM view_notice_items i WHERE i.agency_id = ? AND i.role IN ({_marks(roles)}) "
            "ORDER BY i.seq DESC LIMIT ?",
            (str(user_id), str(agency_id), *roles, limit),
        )
        return [{**row, "urgent": bool(row["urgent"]), "read": bool(row["read"])} for row in rows]

    def unmailed(self, user_id: UUID, agency_id: UUID, roles: tuple[str, ...]) -> list[Row]:
        """The user's items no message to them has covered yet, oldest first."""
        return self.database.query(
            f"SELECT i.* FROM view_notice_items i WHERE i.agency_id = ? AND i.role IN ({_marks(roles)}) "
            "AND NOT EXISTS (SELECT 1 FROM view_notice_mailed m WHERE m.user_id = ? AND m.item_id = i.id) "
            "ORDER BY i.seq",
            (str(agency_id), *roles, str(user_id)),
        )

    def preferences(self) -> dict[str, Row]:
        return {row["user_id"]: row for row in self.database.query("SELECT * FROM view_notice_prefs")}

    def preference(self, user_id: UUID) -> Row | None:
        rows = self.database.query("SELECT * FROM view_notice_prefs WHERE user_id = ?", (str(user_id),))
        return rows[0] if rows else None

    def raised(self, item_ids: list[str]) -> set[str]:
        """Those of `item_ids` raised already (the worker's time-driven items are raised once)."""
        if not item_ids:
            return set()
        rows = self.database.query(
            f"SELECT id FROM view_notice_items WHERE id IN ({_marks(tuple(item_ids))})", item_ids
        )
        return {row["id"] for row in rows}

    def requirements(self) -> dict[str, Row]:
        return {row["agency_id"]: row for row in self.database.query("SELECT * FROM view_notice_requirements")}

    def requirement(self, agency_id: UUID) -> Row | None:
        rows = self.database.query("SELECT * FROM view_notice_requirements WHERE agency_id = ?", (str(agency_id),))
        return rows[0] if rows else None

    def message(self, message_id: UUID) -> Row | None:
        rows = self.database.query("SELECT * FROM view_notice_mail WHERE id = ?", (str(message_id),))
        return rows[0] if rows else None

    def bounced(self, user_ids: list[str]) -> set[str]:
        """Those of `user_ids` whose last message was refused for their address."""
        if not user_ids:
            return set()
        marks = _marks(tuple(user_ids))
        rows = self.database.query(
            f"SELECT DISTINCT user_id FROM view_notice_mail WHERE bounced = 1 AND user_id IN ({marks})",
            user_ids,
        )
        return {row["user_id"] for row in rows}
