"""Outbound messages of the log: the policy's per-agency messages for one event, as JSON envelopes.

Every envelope carries the event id (consumers drop duplicates by it) and is keyed by the referral id, so one
referral's messages stay in order on an agency's topic.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.utils import get_topic

from events.base import DomainEvent
from events.referrals import REFERRAL_EVENTS
from events.values import AgencyKind
from hub.referrals.domain import Referral, project_referral
from hub.service import Hub
from policies import outbound

SCHEMA = "hub.outbound/1"
REMEMBERED_REFERRALS = 10_000


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
    """Turns referral events into the envelopes each entitled agency receives.

    Messages never carry personal data, so events are read with personal fields redacted: the relay needs no keys,
    and the referral states it remembers hold nothing personal (nothing to forget when a person is erased).
    """

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.topics = [get_topic(cls) for cls in REFERRAL_EVENTS]
        self._kinds: dict[UUID, AgencyKind] = {}
        self._referrals: OrderedDict[UUID, Referral] = OrderedDict()  # the latest state seen, most recent last

    def after(self, position: int, limit: int) -> list[OutboundEvent]:
        """The next `limit` referral events after notification `position`, each with its envelopes."""
        notifications = self.hub.app.recorder.select_notifications(
            position, limit, topics=self.topics, inclusive_of_start=False
        )
        outbound_events = []
        for notification in notifications:
            event = self.hub.app.event_mapper.to_redacted_event(notification)
            assert isinstance(event, DomainEvent)
            outbound_events.append(OutboundEvent(notification.id, event, self.envelopes(event)))
        return outbound_events

    def referral_at(self, event: DomainEvent) -> Referral:
        """The referral as of `event`: moved on from the one remembered at the previous version, else read back."""
        previous = self._referrals.pop(event.originator_id, None)
        if event.originator_version == 1:
            referral = project_referral(None, [event])
        elif previous is not None and previous.version == event.originator_version - 1:
            referral = project_referral(previous, [event])
        else:
            referral = project_referral(
                None, self.hub.app.redacted_stream(event.originator_id, event.originator_version)
            )
        assert isinstance(referral, Referral)
        self._referrals[event.originator_id] = referral
        if len(self._referrals) > REMEMBERED_REFERRALS:
            self._referrals.popitem(last=False)
        return referral

    def parties(self, event: DomainEvent) -> outbound.ReferralParties:
        referral = self.referral_at(event)
        return outbound.ReferralParties(
            referrer_agency_id=referral.referrer_agency_id,
            lead_agency_id=referral.lead_agency_id,
            recipients={agency_id: self._kind(agency_id) for agency_id in referral.recipients},
        )

    def _kind(self, agency_id: UUID) -> AgencyKind:
        """An agency's kind never changes, so it is read once."""
        if agency_id not in self._kinds:
            self._kinds[agency_id] = self.hub.app.agency(agency_id).kind
        return self._kinds[agency_id]

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
