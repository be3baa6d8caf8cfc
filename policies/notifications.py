"""What notifies whom: from an event, the agency and role whose work it is; how each item reaches them by e-mail.

A new referral is the work of the lead social service's intake officers (an `immediate` one is urgent); an
emergency access waiting for review is the work of the acting agency's head of service (urgent). Urgent items
are mailed at once whatever the user chose (the agency requires it); others follow the user's preference. The
daily digest goes at the set Riga time on working days only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from uuid import UUID

from events.notifications import DeliveryMode, NoticeKind
from events.referrals import ReferralSubmitted
from events.review import BreakGlassReviewOpened
from events.values import Role, Urgency
from policies.clocks import RIGA, is_working_day

SOURCES: tuple[type, ...] = (ReferralSubmitted, BreakGlassReviewOpened)


@dataclass(frozen=True)
class Notice:
    agency_id: UUID
    role: Role
    kind: NoticeKind
    urgent: bool
    reference: UUID


def notices(event: Any) -> tuple[Notice, ...]:
    """Who must hear of `event` (nothing for events that notify no one)."""
    if isinstance(event, ReferralSubmitted) and event.lead_agency_id is not None:
        urgent = event.urgency is Urgency.IMMEDIATE
        return (
            Notice(event.lead_agency_id, Role.INTAKE_OFFICER, NoticeKind.NEW_REFERRAL, urgent, event.originator_id),
        )
    if isinstance(event, BreakGlassReviewOpened):
        kind = NoticeKind.EMERGENCY_ACCESS_REVIEW
        return (Notice(event.agency_id, Role.HEAD_OF_SERVICE, kind, True, event.originator_id),)
    return ()


def mail_mode(preferred: DeliveryMode, urgent: bool) -> DeliveryMode:
    """How an item is mailed: urgent ones at once (the agency requires it), others as the user chose."""
    return DeliveryMode.IMMEDIATE if urgent else preferred


def digest_day(now: datetime, send_at: time) -> str | None:
    """The Riga day (ISO date) whose digest is due at `now`, or None (a day off, or before the set time)."""
    local = now.astimezone(RIGA)
    if not is_working_day(local.date()) or local.time() < send_at:
        return None
    return local.date().isoformat()
