"""What notifies whom: from an event, the agency and role whose work it is; how each item reaches them by e-mail.

A new referral is the work of the lead social service's intake officers (an `immediate` one is urgent); an
emergency access waiting for review, a response clock run out (a referral's, or a person's written request's) and
a handover offered are the head of service's (the first two urgent); a record request received is the responding
agency's case managers' or bāriņtiesa members' (an `immediate` one urgent), and an escalated one the role it was
escalated to (urgent). Urgent items are mailed at once whatever the user chose (the agency requires it); others
follow the user's preference. The daily digest goes at the set Riga time on working days only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from uuid import UUID

from events.handover import HandoverOffered
from events.notifications import DeliveryMode, NoticeKind
from events.records import RecordRequestCreated, RecordRequestEscalated
from events.referrals import ReferralOverdue, ReferralSubmitted
from events.review import BreakGlassReviewOpened
from events.values import Role, Urgency
from events.written_requests import WrittenRequestOverdue
from policies.clocks import RIGA, is_working_day

SOURCES: tuple[type, ...] = (
    ReferralSubmitted,
    BreakGlassReviewOpened,
    ReferralOverdue,
    RecordRequestCreated,
    RecordRequestEscalated,
    HandoverOffered,
    WrittenRequestOverdue,
)
RECORD_KEEPERS = (Role.CASE_MANAGER, Role.ORPHANS_COURT_MEMBER)


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
    if isinstance(event, ReferralOverdue | WrittenRequestOverdue):
        kind = NoticeKind.RESPONSE_OVERDUE
        return (Notice(event.agency_id, Role.HEAD_OF_SERVICE, kind, True, event.originator_id),)
    if isinstance(event, RecordRequestCreated):
        urgent = event.urgency is Urgency.IMMEDIATE
        kind = NoticeKind.RECORD_REQUEST_RECEIVED
        return tuple(
            Notice(event.responder_agency_id, role, kind, urgent, event.originator_id) for role in RECORD_KEEPERS
        )
    if isinstance(event, RecordRequestEscalated) and event.to_role in set(Role):
        kind = NoticeKind.RECORD_REQUEST_ESCALATED
        return (Notice(event.to_agency_id, Role(event.to_role), kind, True, event.originator_id),)
    if isinstance(event, HandoverOffered):
        kind = NoticeKind.HANDOVER_OFFERED
        return (Notice(event.to_agency_id, Role.HEAD_OF_SERVICE, kind, False, event.originator_id),)
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
