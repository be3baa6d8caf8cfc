"""What a referrer is told about its referral: status milestones and an outcome class, never content."""

from __future__ import annotations

from enum import StrEnum

from events.base import DomainEvent
from events.referrals import (
    ReferralAccepted,
    ReferralAcknowledged,
    ReferralClosed,
    ReferralDeclined,
    ReferralInformationProvided,
    ReferralInformationRequested,
    ReferralRedirected,
    ReferralSubmitted,
    ReferralWithdrawn,
)


class Milestone(StrEnum):
    SENT = "sent"
    RECEIVED = "received"
    INFORMATION_REQUESTED = "information_requested"
    BEING_ACTED_ON = "being_acted_on"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


# Events a referrer learns of, and as which milestone. Everything else (assignment, overdue clocks, who works
# the referral, why it was declined) stays with the agencies acting on it.
MILESTONE_OF_EVENT: dict[type[DomainEvent], Milestone] = {
    ReferralSubmitted: Milestone.SENT,
    ReferralRedirected: Milestone.SENT,
    ReferralAcknowledged: Milestone.RECEIVED,
    ReferralInformationRequested: Milestone.INFORMATION_REQUESTED,
    ReferralInformationProvided: Milestone.BEING_ACTED_ON,
    ReferralAccepted: Milestone.BEING_ACTED_ON,
    ReferralDeclined: Milestone.CLOSED,
    ReferralClosed: Milestone.CLOSED,
    ReferralWithdrawn: Milestone.WITHDRAWN,
}

# The status of a referral as the referrer sees it.
MILESTONE_OF_STATUS: dict[str, Milestone] = {
    "submitted": Milestone.SENT,
    "acknowledged": Milestone.RECEIVED,
    "assigned": Milestone.RECEIVED,
    "information_requested": Milestone.INFORMATION_REQUESTED,
    "accepted": Milestone.BEING_ACTED_ON,
    "declined": Milestone.CLOSED,
    "closed": Milestone.CLOSED,
    "withdrawn": Milestone.WITHDRAWN,
}

# The outcome class a referrer is given when a referral closes; a decline reports no reason.
DECLINED_OUTCOME = "declined"


def outcome_fields(event: DomainEvent) -> dict[str, object]:
    """The outcome class of a closing event, the only event field that leaves the hub with a milestone."""
    if isinstance(event, ReferralClosed):
        return {"outcome": event.outcome.value}
    if isinstance(event, ReferralDeclined):
        return {"outcome": DECLINED_OUTCOME}
    return {}


def referrer_fields(event: DomainEvent) -> dict[str, object]:
    """The event fields a referrer sees in the hub beside the milestone: the question put to it, the outcome class."""
    if isinstance(event, ReferralInformationRequested):
        return {"question": event.question}
    return outcome_fields(event)
