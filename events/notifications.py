"""Notification stream: what the hub decided to tell people, what they read, how they want to hear, what was mailed.

No event here carries a data subject's personal data: an item names the kind of work, the agency and role it is
for and a reference (the id of the referral or review), never a name, code or summary.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID, uuid5

from events.base import DomainEvent
from events.values import Role

NOTIFICATIONS = UUID("6f1f6d0e-26a1-4c59-9b11-3c0a26000026")  # namespace of the notification streams' ids


class NoticeKind(StrEnum):
    NEW_REFERRAL = "new_referral"
    EMERGENCY_ACCESS_REVIEW = "emergency_access_review"
    RESPONSE_OVERDUE = "response_overdue"
    RECORD_REQUEST_RECEIVED = "record_request_received"
    RECORD_REQUEST_ESCALATED = "record_request_escalated"
    HANDOVER_OFFERED = "handover_offered"
    ACKNOWLEDGEMENT_DUE_SOON = "acknowledgement_due_soon"
    DECISION_DUE_SOON = "decision_due_soon"
    QUESTION_TO_REFERRER = "question_to_referrer"
    RECORD_REQUEST_ANSWERED = "record_request_answered"
    RECORD_REQUEST_OVERDUE = "record_request_overdue"
    CONSENT_EXPIRING = "consent_expiring"


class DeliveryMode(StrEnum):
    """How a user wants to hear by e-mail: not at all, in the daily digest, or at once."""

    OFF = "off"
    DIGEST = "digest"
    IMMEDIATE = "immediate"


def stream_id(*parts: object) -> UUID:
    """The id of a notification stream, the same from every process (raising twice appends nothing twice)."""
    return uuid5(NOTIFICATIONS, ":".join(str(part) for part in parts))


class NotificationRaised(DomainEvent):
    """Something needs the users of `agency_id` holding `role`; `source_event_id` is the event that set it off (none
    when time passing did: a clock due soon, a consent about to expire)."""

    agency_id: UUID
    role: Role
    kind: NoticeKind
    urgent: bool
    reference: UUID
    source_event_id: UUID | None = None


class NotificationsRead(DomainEvent):
    """A user marked items read (stream per user)."""

    user_id: UUID
    item_ids: tuple[UUID, ...]


class NotificationPreferenceSet(DomainEvent):
    """A user's e-mail address (work address, not a data subject's), mode for urgent items and for the others, and
    language (stream per user)."""

    user_id: UUID
    address: str | None
    mode: DeliveryMode
    language: str
    urgent_mode: DeliveryMode = DeliveryMode.IMMEDIATE


class NotificationRequirementSet(DomainEvent):
    """What an agency requires of its users' e-mail (stream per agency): the least each mode may be, for urgent items
    and for the rest; set by the agency's administrator."""

    agency_id: UUID
    urgent_at_least: DeliveryMode
    others_at_least: DeliveryMode


class NotificationMailSent(DomainEvent):
    """A message to `user_id` covering `item_ids` was accepted by the SMTP server (stream per message)."""

    user_id: UUID
    item_ids: tuple[UUID, ...]
    digest: bool


class NotificationMailFailed(DomainEvent):
    """An attempt failed; `bounced` when the server refused the address itself (shown to the agency administrator)."""

    user_id: UUID
    item_ids: tuple[UUID, ...]
    digest: bool
    reason: str
    bounced: bool
