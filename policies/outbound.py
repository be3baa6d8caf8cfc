"""Which agencies are told of a referral event outside the hub (Kafka topics), and with which fields.

Outbound messages are notifications, not copies: they never carry names, personal codes, the summary, questions
and answers between agencies, or the worker. An agency working the referral (a casework kind among its
recipients) learns the envelope it needs to act (urgency, concerns, municipality, its deadline, status); it reads
the content through the API, where the read is recorded. Anyone else (the referrer, or a recipient of another
kind) learns the milestones `policies.feedback` allows, never assessment or summary content.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from events.base import DomainEvent
from events.referrals import STEP_NAMES, ReferralClosed, ReferralOverdue, ReferralRedirected, ReferralSubmitted
from events.values import AgencyKind
from policies import feedback

OUTBOUND_VERSION = "outbound/1"

# Agency kinds that act on referrals routed to them and so learn the envelope, not just milestones.
CASEWORK_KINDS: frozenset[AgencyKind] = frozenset(
    {AgencyKind.SOCIAL_SERVICE, AgencyKind.ORPHANS_COURT, AgencyKind.POLICE, AgencyKind.COOPERATION_GROUP}
)


class Audience(StrEnum):
    CASEWORK = "casework"
    MILESTONES = "milestones"


@dataclass(frozen=True)
class ReferralParties:
    """Who is involved in a referral as of one event: the referrer and the recipients with their kinds."""

    referrer_agency_id: UUID
    lead_agency_id: UUID
    recipients: Mapping[UUID, AgencyKind]


@dataclass(frozen=True)
class OutboundMessage:
    agency_id: UUID
    audience: Audience
    fields: dict[str, Any]


def messages_for(event: DomainEvent, parties: ReferralParties) -> list[OutboundMessage]:
    """One message per entitled agency; agencies not entitled to the event get none."""
    if type(event) not in STEP_NAMES:
        return []
    messages: dict[UUID, OutboundMessage] = {}
    for agency_id, kind in parties.recipients.items():
        if kind not in CASEWORK_KINDS:
            continue
        fields = _casework_fields(event, agency_id, parties)
        if fields is not None:
            messages[agency_id] = OutboundMessage(agency_id, Audience.CASEWORK, fields)
    if isinstance(event, ReferralRedirected) and event.from_agency_id not in messages:
        messages[event.from_agency_id] = OutboundMessage(
            event.from_agency_id, Audience.CASEWORK, {"status": "redirected", "lead": False}
        )
    milestone = feedback.MILESTONE_OF_EVENT.get(type(event))
    if milestone is not None:
        told = {parties.referrer_agency_id} | {
            agency_id for agency_id, kind in parties.recipients.items() if kind not in CASEWORK_KINDS
        }
        for agency_id in told - messages.keys():
            fields = {"milestone": milestone.value, **feedback.outcome_fields(event)}
            messages[agency_id] = OutboundMessage(agency_id, Audience.MILESTONES, fields)
    return list(messages.values())


def _casework_fields(event: DomainEvent, agency_id: UUID, parties: ReferralParties) -> dict[str, Any] | None:
    status = STEP_NAMES[type(event)]
    lead = agency_id == parties.lead_agency_id
    if isinstance(event, ReferralOverdue):
        if event.agency_id != agency_id:
            return None
        return {"status": status, "lead": lead, "clock": event.clock, "due_at": event.due_at.isoformat()}
    fields: dict[str, Any] = {"status": status, "lead": lead}
    if isinstance(event, ReferralSubmitted | ReferralRedirected):
        fields["due"] = [
            {"clock": clock.clock, "due_at": clock.due_at.isoformat()}
            for clock in event.clocks
            if clock.agency_id == agency_id
        ]
    if isinstance(event, ReferralSubmitted):
        fields |= {
            "urgency": event.urgency.value,
            "concerns": [concern.value for concern in event.concerns],
            "municipality": event.municipality,
        }
    elif isinstance(event, ReferralRedirected):
        fields["municipality"] = event.to_municipality
    elif isinstance(event, ReferralClosed):
        fields["outcome"] = event.outcome.value
    return fields
