"""A referral's timeline, read from its own stream: everything for those acting on it, milestones for the referrer."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from events.base import DomainEvent
from events.referrals import (
    ReferralAccepted,
    ReferralAcknowledged,
    ReferralAssigned,
    ReferralClosed,
    ReferralDeclined,
    ReferralInformationProvided,
    ReferralInformationRequested,
    ReferralOverdue,
    ReferralRedirected,
    ReferralSubmitted,
    ReferralWithdrawn,
)
from events.values import DataCategory
from hub.core import Core
from hub.referral_service import ReferralService
from policies import feedback
from policies.decision import Principal

EVENT_NAMES: dict[type[DomainEvent], str] = {
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


class ReferralTimeline:
    def __init__(self, core: Core, referrals: ReferralService) -> None:
        self.core = core
        self.referrals = referrals

    def read(self, principal: Principal, referral_id: UUID, purpose: str) -> dict[str, Any]:
        """Audited like a read of the referral; the policy's categories decide which view of it is given."""
        _, decision = self.referrals.authorize_read(principal, referral_id, "referral.timeline", purpose)
        events = self.core.app.stream(referral_id)
        if DataCategory.REFERRAL_CONTENT in decision.categories:
            return {"id": str(referral_id), "entries": [self._entry(event) for event in events]}
        return {"id": str(referral_id), "entries": milestones(events)}

    def _entry(self, event: DomainEvent) -> dict[str, Any]:
        agency = self.core.registry.agency(event.actor.agency_id) if event.actor.agency_id else None
        return {
            "at": event.timestamp,
            "event": EVENT_NAMES[type(event)],
            "by": {"user": event.actor.user_id, "role": event.actor.role, "agency": agency["code"] if agency else None},
            "details": self._details(event),
        }

    def _details(self, event: DomainEvent) -> dict[str, Any]:
        codes = {row["id"]: row["code"] for row in self.core.registry.agencies()}
        if isinstance(event, ReferralSubmitted):
            return {"urgency": event.urgency, "routed_to": [codes.get(str(agency)) for agency in event.recipients]}
        if isinstance(event, ReferralRedirected):
            return {
                "from": codes.get(str(event.from_agency_id)),
                "to": codes.get(str(event.to_agency_id)),
                "reason": event.reason,
            }
        if isinstance(event, ReferralOverdue):
            return {
                "clock": event.clock,
                "agency": codes.get(str(event.agency_id)),
                "due_at": event.due_at,
                "escalated_to": list(event.escalated_to),
            }
        fields = {
            ReferralAssigned: ("worker",),
            ReferralInformationRequested: ("question",),
            ReferralInformationProvided: ("answer",),
            ReferralAccepted: ("case_id", "linked_existing_case"),
            ReferralDeclined: ("reason",),
            ReferralClosed: ("outcome",),
            ReferralWithdrawn: ("reason",),
        }.get(type(event), ())
        return {name: getattr(event, name) for name in fields}


def milestones(events: list[DomainEvent]) -> list[dict[str, Any]]:
    """What a referrer may know: each change of milestone, with the question put to it or the outcome class."""
    entries: list[dict[str, Any]] = []
    for event in events:
        milestone = feedback.MILESTONE_OF_EVENT.get(type(event))
        if milestone is None:
            continue
        extra = feedback.referrer_fields(event)
        if entries and entries[-1]["milestone"] == milestone.value and not extra:
            continue
        entries.append({"at": event.timestamp, "milestone": milestone.value, **extra})
    return entries
