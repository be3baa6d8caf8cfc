"""The inbox's filters as callers name them (a status, or a milestone for what was sent; urgency; overdue only) and
its order, turned into the view's filter over the whole inbox. Unknown values are refused as bad input."""

from __future__ import annotations

from datetime import datetime

from events.referrals import ReferralStatus
from events.values import Urgency
from hub.kernel.errors import InvalidInput
from policies.feedback import MILESTONE_OF_STATUS
from projections.referrals import InboxFilter

MILESTONES = tuple(dict.fromkeys(milestone.value for milestone in MILESTONE_OF_STATUS.values()))


def inbox_filter(
    direction: str,
    status: str | None,
    urgency: str | None,
    overdue: bool,
    now: datetime,
    by_due: bool,
) -> InboxFilter:
    """`status` is a referral status for the incoming inbox and a milestone for the sent one (a referrer sees
    milestones only); urgency, overdue and the due order apply to incoming referrals, whose clocks the agency holds."""
    statuses: tuple[str, ...] = ()
    if status:
        if direction == "outgoing":
            if status not in MILESTONES:
                raise InvalidInput("unknown_milestone", "no such milestone", "status")
            statuses = tuple(code for code, milestone in MILESTONE_OF_STATUS.items() if milestone.value == status)
        else:
            if status not in {item.value for item in ReferralStatus}:
                raise InvalidInput("unknown_status", "no such referral status", "status")
            statuses = (status,)
    if direction == "outgoing":
        return InboxFilter(statuses)
    if urgency and urgency not in {item.value for item in Urgency}:
        raise InvalidInput("unknown_urgency", "no such urgency", "urgency")
    return InboxFilter(statuses, urgency or None, now if overdue else None, by_due)
