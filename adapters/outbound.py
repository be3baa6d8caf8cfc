"""Outbound messages of the log: the policy's per-agency messages for one event, as JSON envelopes.

Every envelope carries the event id (consumers drop duplicates by it) and is keyed by the referral id, so one
referral's messages stay in order on an agency's topic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.utils import get_topic

from events.base import DomainEvent
from events.values import AgencyKind
from hub.domain.referral import project_referral
from hub.service import Hub
from policies import outbound

SCHEMA = "hub.outbound/1"


@dataclass(frozen=True)
class Envelope:
    agency_id: UUID
    key: bytes
    value: bytes
    event_id: UUID


@dataclass(frozen=True)
class OutboundEvent:
    """One referral event of the log with the envelopes it gives rise to (possibly none)."""

    notification_id: int
    event: DomainEvent
    envelopes: list[Envelope]


def agency_topic(agency_id: UUID) -> str:
    return f"hub.agency.{agency_id}"


class OutboundMessages:
    """Turns referral events into the envelopes each entitled agency receives."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.topics = [get_topic(cls) for cls in outbound.REFERRAL_EVENTS]

    def after(self, position: int, limit: int) -> list[OutboundEvent]:
        """The next `limit` referral events after notification `position`, each with its envelopes."""
        notifications = self.hub.app.recorder.select_notifications(
            position, limit, topics=self.topics, inclusive_of_start=False
        )
        outbound_events = []
        for notification in notifications:
            event = self.hub.app.mapper.to_domain_event(notification)
            assert isinstance(event, DomainEvent)
            outbound_events.append(OutboundEvent(notification.id, event, self.envelopes(event)))
        return outbound_events

    def parties(self, event: DomainEvent) -> outbound.ReferralParties:
        referral = self.hub.app.repository.get(
            event.originator_id, version=event.originator_version, projector_func=project_referral
        )
        return outbound.ReferralParties(
            referrer_agency_id=referral.referrer_agency_id,
            lead_agency_id=referral.lead_agency_id,
            recipients={agency_id: self._kind(agency_id) for agency_id in referral.recipients},
        )

    def _kind(self, agency_id: UUID) -> AgencyKind:
        return self.hub.app.agency(agency_id).kind

    def envelopes(self, event: DomainEvent) -> list[Envelope]:
        return [self.envelope(event, message) for message in outbound.messages_for(event, self.parties(event))]

    @staticmethod
    def envelope(event: DomainEvent, message: outbound.OutboundMessage) -> Envelope:
        document = {
            "schema": SCHEMA,
            "policy": outbound.OUTBOUND_VERSION,
            "event_id": str(event.event_id),
            "event_type": type(event).__name__,
            "referral_id": str(event.originator_id),
            "referral_version": event.originator_version,
            "occurred_at": event.timestamp.isoformat(),
            "agency_id": str(message.agency_id),
            "audience": message.audience.value,
            **message.fields,
        }
        value = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        return Envelope(message.agency_id, str(event.originator_id).encode(), value, event.event_id)
