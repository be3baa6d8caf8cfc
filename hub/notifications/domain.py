"""Notification commands as events: raising items from what policy says, marks read, preferences, mail attempts.

Every stream id is derived (`events.notifications.stream_id`), so two workers raising or mailing the same thing
meet on the same stream and version, and the second append is refused instead of doubling it.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import EmailStr, Field

from events.base import Actor, DomainEvent, Immutable
from events.notifications import (
    DeliveryMode,
    NotificationMailFailed,
    NotificationMailSent,
    NotificationPreferenceSet,
    NotificationRaised,
    NotificationsRead,
    stream_id,
)
from policies.notifications import Notice


class PreferenceDraft(Immutable):
    """What a user sets: their work e-mail address (none: no e-mail), how they want to hear, and in which language."""

    address: EmailStr | None = None
    mode: DeliveryMode = DeliveryMode.DIGEST
    language: str = Field(default="lv", pattern="^(lv|en)$")


def raised(notice: Notice, source: DomainEvent) -> NotificationRaised:
    return NotificationRaised(
        originator_id=stream_id("item", source.event_id, notice.kind.value, notice.agency_id, notice.role.value),
        originator_version=1,
        agency_id=notice.agency_id,
        role=notice.role,
        kind=notice.kind,
        urgent=notice.urgent,
        reference=notice.reference,
        source_event_id=source.event_id,
    )


def marked_read(user_id: UUID, item_ids: tuple[UUID, ...], version: int, actor: Actor) -> NotificationsRead:
    return NotificationsRead(
        originator_id=stream_id("reads", user_id),
        originator_version=version,
        user_id=user_id,
        item_ids=item_ids,
        actor=actor,
    )


def preference_set(user_id: UUID, draft: PreferenceDraft, version: int, actor: Actor) -> NotificationPreferenceSet:
    return NotificationPreferenceSet(
        originator_id=stream_id("preferences", user_id),
        originator_version=version,
        user_id=user_id,
        address=str(draft.address) if draft.address else None,
        mode=draft.mode,
        language=draft.language,
        actor=actor,
    )


def mail_attempt(
    message_id: UUID,
    attempt: int,
    user_id: UUID,
    item_ids: tuple[UUID, ...],
    digest: bool,
    at: datetime,
    failure: str | None = None,
    bounced: bool = False,
) -> NotificationMailSent | NotificationMailFailed:
    """The record of one attempt to mail `message_id` (its `attempt`-th): sent, or failed with a reason."""
    common = {
        "originator_id": message_id,
        "originator_version": attempt,
        "timestamp": at,
        "user_id": user_id,
        "item_ids": item_ids,
        "digest": digest,
    }
    if failure is None:
        return NotificationMailSent(**common)
    return NotificationMailFailed(**common, reason=failure, bounced=bounced)
