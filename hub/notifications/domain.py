"""Notification commands as events: raising items from what policy says, marks read, preferences, what an agency
requires, mail attempts.

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
    NotificationRequirementSet,
    NotificationsRead,
    stream_id,
)
from policies.notifications import Notice, Requirement
from projections.viewdb import Row


class PreferenceDraft(Immutable):
    """What a user sets: their work e-mail address (none: no e-mail), how they want to hear of urgent items and of
    the others, and in which language."""

    address: EmailStr | None = None
    mode: DeliveryMode = DeliveryMode.DIGEST
    urgent_mode: DeliveryMode = DeliveryMode.IMMEDIATE
    language: str = Field(default="lv", pattern="^(lv|en)$")


class RequirementDraft(Immutable):
    """What an agency administrator requires of the agency's users: the least mode for urgent items and the rest."""

    urgent_at_least: DeliveryMode = DeliveryMode.IMMEDIATE
    others_at_least: DeliveryMode = DeliveryMode.OFF


def requirement_from(row: Row | None) -> Requirement:
    """An agency's requirement from its row in the view (the default when its administrator set none)."""
    if row is None:
        return Requirement()
    return Requirement(DeliveryMode(row["urgent_at_least"]), DeliveryMode(row["others_at_least"]))


def item_id(notice: Notice, occasion: object) -> UUID:
    """The item's id: one per occasion (the event that set it off, or a clock) and agency and role."""
    return stream_id("item", occasion, notice.kind.value, notice.agency_id, notice.role.value)


def raised(notice: Notice, source: DomainEvent) -> NotificationRaised:
    """The item an event sets off."""
    return _raised(notice, item_id(notice, source.event_id), source.event_id)


def raised_by_time(notice: Notice, occasion: str) -> NotificationRaised:
    """The item time passing sets off (`occasion` names the clock, so each is raised once)."""
    return _raised(notice, item_id(notice, occasion), None)


def _raised(notice: Notice, identifier: UUID, source_event_id: UUID | None) -> NotificationRaised:
    return NotificationRaised(
        originator_id=identifier,
        originator_version=1,
        agency_id=notice.agency_id,
        role=notice.role,
        kind=notice.kind,
        urgent=notice.urgent,
        reference=notice.reference,
        source_event_id=source_event_id,
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
        urgent_mode=draft.urgent_mode,
        language=draft.language,
        actor=actor,
    )


def requirement_set(agency_id: UUID, draft: RequirementDraft, version: int, actor: Actor) -> NotificationRequirementSet:
    return NotificationRequirementSet(
        originator_id=stream_id("requirement", agency_id),
        originator_version=version,
        agency_id=agency_id,
        urgent_at_least=draft.urgent_at_least,
        others_at_least=draft.others_at_least,
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
