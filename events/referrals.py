"""Referral stream: a report that a child may be at risk, and what happens to it."""

from __future__ import annotations

from uuid import UUID

from events.base import DomainEvent
from events.people import PersonDetails
from events.values import Concern, Urgency


class ReferralSubmitted(DomainEvent):
    referrer_agency_id: UUID
    child: PersonDetails
    family: tuple[PersonDetails, ...]
    municipality: str
    concerns: tuple[Concern, ...]
    urgency: Urgency
    summary: str
    recipients: tuple[UUID, ...]
    routing_version: str
