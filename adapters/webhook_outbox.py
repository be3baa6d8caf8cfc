"""The webhook outbox: follows the log and queues each entitled agency's envelope for the agency's webhook.

The envelopes are the Kafka relay's (`adapters/outbound.py`, decided by `policies/outbound.py`): the same minimized
fields, the same `event_id`. Queuing a batch and advancing the position (`relay:webhooks`) commit in one
transaction, so each envelope is queued exactly once; delivery from the queue is at least once. An agency's queue is
also its delivery log (status, attempts, last answer). Only agencies with a webhook registered when an event is
queued get it; the envelopes hold no personal data, so the queue may live with the views.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from adapters.outbound import OutboundMessages
from hub.service import Hub
from projections.follower import advance_position, read_position
from projections.viewdb import Row, ViewDatabase

DELIVERIES_TABLE = (
    "CREATE TABLE IF NOT EXISTS webhook_deliveries ("
    "agency_id TEXT NOT NULL, event_id TEXT NOT NULL, notification_id BIGINT NOT NULL, "
    "event_type TEXT NOT NULL, referral_id TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL, "
    "attempts INTEGER NOT NULL DEFAULT 0, queued_at DOUBLE PRECISION NOT NULL, "
    "next_attempt_at DOUBLE PRECISION NOT NULL, last_attempt_at DOUBLE PRECISION, "
    "delivered_at DOUBLE PRECISION, last_status INTEGER, last_error TEXT, "
    "PRIMARY KEY (agency_id, event_id))"
)
QUEUE_INDEX = (
    "CREATE INDEX IF NOT EXISTS webhook_deliveries_queue ON webhook_deliveries (status, agency_id, notification_id)"
)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True)
class Delivery:
    """One envelope queued for one agency's webhook."""

    agency_id: UUID
    event_id: str
    body: bytes
    attempts: int


@dataclass(frozen=True)
class Attempt:
    """What one delivery attempt came to; `next_attempt_at` only while the delivery stays pending."""

    status: DeliveryStatus
    at: datetime
    http_status: int | None = None
    error: str | None = None
    next_attempt_at: datetime | None = None


def _iso(seconds: float | None) -> str | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC).isoformat()


class DeliveryLog:
    """The queue of deliveries per agency, oldest first, and what became of each."""

    def __init__(self, database: ViewDatabase) -> None:
        self.database = database
        with database.transaction() as cursor:
            cursor.execute(DELIVERIES_TABLE)
            cursor.execute(QUEUE_INDEX)

    def due(self, now: datetime, limit: int = 100) -> list[Delivery]:
        """The oldest pending delivery of each agency whose next attempt is due (so an agency's order is kept)."""
        rows = self.database.query(
            "SELECT agency_id, event_id, body, attempts FROM webhook_deliveries d "
            "WHERE d.status = ? AND d.next_attempt_at <= ? AND d.notification_id = ("
            "SELECT MIN(p.notification_id) FROM webhook_deliveries p WHERE p.agency_id = d.agency_id AND p.status = ?) "
            "ORDER BY d.notification_id LIMIT ?",
            (DeliveryStatus.PENDING.value, now.timestamp(), DeliveryStatus.PENDING.value, limit),
        )
        return [
            Delivery(UUID(row["agency_id"]), row["event_id"], row["body"].encode(), row["attempts"]) for row in rows
        ]

    def record(self, delivery: Delivery, attempt: Attempt) -> bool:
        """Store an attempt's outcome; False if another worker recorded an attempt of this delivery first."""
        with self.database.transaction() as cursor:
            cursor.execute(
                "UPDATE webhook_deliveries SET status = ?, attempts = ?, last_attempt_at = ?, next_attempt_at = ?, "
                "delivered_at = ?, last_status = ?, last_error = ? "
                "WHERE agency_id = ? AND event_id = ? AND attempts = ?",
                (
                    attempt.status.value,
                    delivery.attempts + 1,
                    attempt.at.timestamp(),
                    (attempt.next_attempt_at or attempt.at).timestamp(),
                    attempt.at.timestamp() if attempt.status is DeliveryStatus.DELIVERED else None,
                    attempt.http_status,
                    attempt.error,
                    str(delivery.agency_id),
                    delivery.event_id,
                    delivery.attempts,
                ),
            )
            return cursor.rowcount == 1

    def entries(self, agency_id: UUID, status: DeliveryStatus | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """An agency's deliveries, newest first, as the log shows them (no message bodies)."""
        condition, parameters = "agency_id = ?", [str(agency_id)]
        if status is not None:
            condition += " AND status = ?"
            parameters.append(status.value)
        rows = self.database.query(
            "SELECT event_id, event_type, referral_id, status, attempts, queued_at, last_attempt_at, next_attempt_at, "
            f"delivered_at, last_status, last_error FROM webhook_deliveries WHERE {condition} "
            "ORDER BY notification_id DESC LIMIT ?",
            (*parameters, limit),
        )
        return [_entry(row) for row in rows]


def _entry(row: Row) -> dict[str, Any]:
    pending = row["status"] == DeliveryStatus.PENDING.value
    return {
        "event_id": row["event_id"],
        "event_type": row["event_type"],
        "referral_id": row["referral_id"],
        "status": row["status"],
        "attempts": row["attempts"],
        "queued_at": _iso(row["queued_at"]),
        "last_attempt_at": _iso(row["last_attempt_at"]),
        "next_attempt_at": _iso(row["next_attempt_at"]) if pending else None,
        "delivered_at": _iso(row["delivered_at"]),
        "last_status": row["last_status"],
        "last_error": row["last_error"],
    }


class WebhookOutbox:
    """Queues the log's outbound envelopes for agencies with a webhook, then records how far it got (atomically)."""

    name = "relay:webhooks"

    def __init__(self, hub: Hub, log: DeliveryLog, batch_size: int = 500) -> None:
        self.hub = hub
        self.log = log
        self.messages = OutboundMessages(hub)
        self.batch_size = batch_size

    def position(self) -> int:
        return read_position(self.hub.views_db, self.name)

    def queue_once(self) -> int:
        """Queue one batch after the position; returns how many log events it covered."""
        position = self.position()
        batch = self.messages.after(position, self.batch_size)
        if not batch:
            return 0
        has_webhook: dict[UUID, bool] = {}
        queued_at = self.hub.now().timestamp()
        rows = []
        for item in batch:
            for envelope in item.envelopes:
                if envelope.agency_id not in has_webhook:
                    has_webhook[envelope.agency_id] = self.hub.app.agency(envelope.agency_id).webhook_url is not None
                if has_webhook[envelope.agency_id]:
                    rows.append(
                        (
                            str(envelope.agency_id),
                            str(envelope.event_id),
                            item.notification_id,
                            type(item.event).__name__,
                            str(item.event.originator_id),
                            envelope.value.decode(),
                            DeliveryStatus.PENDING.value,
                            queued_at,
                            queued_at,
                        )
                    )
        with self.hub.views_db.transaction() as cursor:
            for row in rows:
                cursor.execute(
                    "INSERT INTO webhook_deliveries (agency_id, event_id, notification_id, event_type, referral_id, "
                    "body, status, queued_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (agency_id, event_id) DO NOTHING",
                    row,
                )
            advance_position(cursor, self.name, position, batch[-1].notification_id)
        return len(batch)

    def catch_up(self) -> int:
        total = 0
        while covered := self.queue_once():
            total += covered
        return total
