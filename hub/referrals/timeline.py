"""A referral's timeline, read from its own stream: everything for those acting on it, milestones for the referrer."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from events.base import DomainEvent
from events.referrals import (
    STEP_NAMES,
    ReferralAccepted,
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
from hub.kernel.core import Core
from hub.referrals.service import ReferralService
from policies import feedback
from policies.decision import Principal


class ReferralTimeline:
    def __init__(self, core: Core, referrals: ReferralService) -> None:
        self.core = core
        self.referrals = referrals

    def read(self, principal: Principal, referral_id: UUID, purpose: str) -> dict[str, Any]:
        """Audited like a read of the referral; the policy's categories decide which view of it is given."""
        _, decision = self.referrals.authorize_read(principal, referral_id, "referral.timeline", purpose)
        events = self.core.app.stream(referral_id)
        if DataCategory.REFERRAL_CONTENT in decision.categories:
            codes = {row["id"]: row["code"] for row in self.core.registry_queries.agencies()}
            return {"id": str(referral_id), "entries": [full_entry(event, codes) for event in events]}
        return {"id": str(referral_id), "entries": milestones(events)}


# The free-text and outcome fields each step shows to those acting on the referral.
STEP_FIELDS: dict[type[DomainEvent], tuple[str, ...]] = {
    ReferralAssigned: ("worker",),
    ReferralInformationRequested: ("question",),
    ReferralInformationProvided: ("answer",),
    ReferralAccepted: ("case_id", "linked_existing_case"),
    ReferralDeclined: ("reason",),
    ReferralClosed: ("outcome",),
    ReferralWithdrawn: ("reason",),
}


def full_entry(event: DomainEvent, codes: dict[str, str]) -> dict[str, Any]:
    """One step with who took it and its details; `codes` maps agency ids to agency codes."""
    agency = codes.get(str(event.actor.agency_id)) if event.actor.agency_id else None
    return {
        "at": event.timestamp,
        "event": STEP_NAMES[type(event)],
        "by": {"user": event.actor.user_id, "role": event.actor.role, "agency": agency},
        "details": _details(event, codes),
    }


def _details(event: DomainEvent, codes: dict[str, str]) -> dict[str, Any]:
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
    return {name: getattr(event, name) for name in STEP_FIELDS.get(type(event), ())}


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
