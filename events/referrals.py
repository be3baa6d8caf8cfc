"""Referral stream: a report that a child may be at risk, and each step of what happens to it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from events.base import AboutSubject, DomainEvent, Immutable
from events.people import PersonDetails
from events.personal import PERSONAL
from events.values import Concern, Urgency


class Outcome(StrEnum):
    """Outcome classes a closed referral reports back (no assessment content)."""

    SERVICES_PROVIDED = "services_provided"
    REFERRED_ON = "referred_on"
    NO_FURTHER_ACTION = "no_further_action"
    CHILD_PROTECTION_MEASURES = "child_protection_measures"
    FAMILY_MOVED = "family_moved"


class ReferralStatus(StrEnum):
    """Where a referral stands; each event of the stream moves it (see the aggregate's transition table)."""

    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    ASSIGNED = "assigned"
    INFORMATION_REQUESTED = "information_requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


OPEN_STATUSES = frozenset(
    {
        ReferralStatus.SUBMITTED,
        ReferralStatus.ACKNOWLEDGED,
        ReferralStatus.ASSIGNED,
        ReferralStatus.INFORMATION_REQUESTED,
        ReferralStatus.ACCEPTED,
    }
)


class ClockDue(Immutable):
    """A response clock of one agency, computed when it starts so that every replay sees the same due time."""

    clock: str
    agency_id: UUID
    due_at: datetime


class ReferralSubmitted(DomainEvent):
    referrer_agency_id: UUID
    child: PersonDetails
    family: tuple[PersonDetails, ...]
    municipality: str
    concerns: tuple[Concern, ...]
    urgency: Urgency
    summary: Annotated[str, PERSONAL]
    recipients: tuple[UUID, ...]
    routing_version: str
    lead_agency_id: UUID | None = None
    linked_to: tuple[UUID, ...] = ()
    body_hash: str | None = None
    clocks: tuple[ClockDue, ...] = ()
    clocks_version: str | None = None

    def data_subject(self) -> UUID | None:
        return self.child.subject_id


class ReferralAcknowledged(AboutSubject):
    pass


class ReferralAssigned(AboutSubject):
    worker: str


class ReferralInformationRequested(AboutSubject):
    question: Annotated[str, PERSONAL]


class ReferralInformationProvided(AboutSubject):
    answer: Annotated[str, PERSONAL]


class ReferralAccepted(AboutSubject):
    case_id: UUID
    linked_existing_case: bool


class ReferralRedirected(AboutSubject):
    """Sent on to another municipality's social service; `recipients` is the new routing, the clock keeps running."""

    from_agency_id: UUID
    to_agency_id: UUID
    to_municipality: str
    recipients: tuple[UUID, ...]
    reason: Annotated[str, PERSONAL]
    clocks: tuple[ClockDue, ...] = ()


class ReferralDeclined(AboutSubject):
    reason: Annotated[str, PERSONAL]


class ReferralClosed(AboutSubject):
    outcome: Outcome
    monitoring_until: datetime | None = None


class ReferralWithdrawn(AboutSubject):
    reason: Annotated[str, PERSONAL]


class ReferralOverdue(AboutSubject):
    """A response clock ran out; raised once per breach and escalated to the heads of service named."""

    clock: str
    agency_id: UUID
    due_at: datetime
    escalated_to: tuple[str, ...]


# The name of each step in a referral's life, as timelines, views and outbound messages call it.
STEP_NAMES: dict[type[DomainEvent], str] = {
    ReferralSubmitted: "submitted",
    ReferralAcknowledged: "acknowledged",
    ReferralAssigned: "assigned",
    ReferralInformationRequested: "information_requested",
    ReferralInformationProvided: "information_provided",
    ReferralAccepted: "accepted",
    ReferralRedirected: "redirected",
    ReferralDeclined: "declined",
    ReferralClosed: "closed",
    ReferralWithdrawn: "withdrawn",
    ReferralOverdue: "overdue",
}
REFERRAL_EVENTS: tuple[type[DomainEvent], ...] = tuple(STEP_NAMES)
