"""What notifies whom: from an event or a clock, the agency and roles whose work it is; how each item is mailed.

Every item goes to an agency's users holding a role, and only to the agency the event or clock ties to the work
(the relationship): a referral's lead social service or its referrer, a record request's requester or responder,
the agency that recorded a consent. Another agency of the same kind, even in the next municipality, hears nothing.

- a new referral: the lead social service's intake officers (an `immediate` one urgent);
- an acknowledgement clock due soon (`policies.clocks.due_soon`): the acting agency's intake officers, a decision
  clock due soon its case managers (urgent for `immediate` referrals); a clock run out (a referral's, or a person's
  written request's): its head of service, urgent;
- an emergency access waiting for review and a handover offered: the head of service (the first urgent);
- a question to a referrer: the referring agency's users who may answer it (`REFERRAL_SUBMITTING_ROLES`);
- a record request received: the responder's case managers and bāriņtiesa members (an `immediate` one urgent);
  answered: the requester's case managers; overdue: both (the responder's record keepers, the requester's case
  managers); escalated: the role it was escalated to, urgent;
- a consent whose end is within `policies.clocks.CONSENT_EXPIRES_SOON`: the recording agency's case managers.

How an item is mailed is the user's choice within what their agency requires (`Requirement`): by default urgent
items go at once and a user may not choose less for them. The daily digest goes at the set Riga time on working
days only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from uuid import UUID

from events.handover import HandoverOffered
from events.notifications import DeliveryMode, NoticeKind
from events.records import RecordRequestAnswered, RecordRequestCreated, RecordRequestEscalated, RecordRequestOverdue
from events.referrals import ReferralInformationRequested, ReferralOverdue, ReferralSubmitted
from events.review import BreakGlassReviewOpened
from events.values import Role, Urgency
from events.written_requests import WrittenRequestOverdue
from policies.clocks import CONSENT_EXPIRES_SOON, RIGA, ClockName, due_soon, is_working_day, within
from policies.decision import Principal
from policies.roles import REFERRAL_SUBMITTING_ROLES, admin_role

SOURCES: tuple[type, ...] = (
    ReferralSubmitted,
    BreakGlassReviewOpened,
    ReferralOverdue,
    ReferralInformationRequested,
    RecordRequestCreated,
    RecordRequestAnswered,
    RecordRequestOverdue,
    RecordRequestEscalated,
    HandoverOffered,
    WrittenRequestOverdue,
)
# The events that say only which referral or request they belong to: whose they are comes from its `Parties`.
NEEDS_PARTIES: tuple[type, ...] = (ReferralInformationRequested, RecordRequestAnswered, RecordRequestOverdue)
RECORD_KEEPERS = (Role.CASE_MANAGER, Role.ORPHANS_COURT_MEMBER)
REFERRER_ROLES = tuple(sorted(REFERRAL_SUBMITTING_ROLES))
DUE_SOON_KINDS = {
    ClockName.ACKNOWLEDGE.value: (NoticeKind.ACKNOWLEDGEMENT_DUE_SOON, Role.INTAKE_OFFICER),
    ClockName.DECIDE.value: (NoticeKind.DECISION_DUE_SOON, Role.CASE_MANAGER),
}
MODE_ORDER = (DeliveryMode.OFF, DeliveryMode.DIGEST, DeliveryMode.IMMEDIATE)


@dataclass(frozen=True)
class Notice:
    agency_id: UUID
    role: Role
    kind: NoticeKind
    urgent: bool
    reference: UUID


@dataclass(frozen=True)
class Parties:
    """The two agencies of a referral (the referrer asks, the lead social service is asked) or of a record request
    (the requester asks, the responder is asked)."""

    asking: UUID
    asked: UUID


def notices(event: Any, parties: Parties | None = None) -> tuple[Notice, ...]:
    """Who must hear of `event` (nothing for events that notify no one, nor for a `NEEDS_PARTIES` one without them)."""
    if isinstance(event, NEEDS_PARTIES):
        return _between_parties(event, parties) if parties is not None else ()
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
        return _to(event.responder_agency_id, RECORD_KEEPERS, kind, urgent, event.originator_id)
    if isinstance(event, RecordRequestEscalated) and event.to_role in set(Role):
        kind = NoticeKind.RECORD_REQUEST_ESCALATED
        return (Notice(event.to_agency_id, Role(event.to_role), kind, True, event.originator_id),)
    if isinstance(event, HandoverOffered):
        kind = NoticeKind.HANDOVER_OFFERED
        return (Notice(event.to_agency_id, Role.HEAD_OF_SERVICE, kind, False, event.originator_id),)
    return ()


def _between_parties(event: Any, parties: Parties) -> tuple[Notice, ...]:
    reference = event.originator_id
    if isinstance(event, ReferralInformationRequested):
        return _to(parties.asking, REFERRER_ROLES, NoticeKind.QUESTION_TO_REFERRER, False, reference)
    if isinstance(event, RecordRequestAnswered):
        return _to(parties.asking, (Role.CASE_MANAGER,), NoticeKind.RECORD_REQUEST_ANSWERED, False, reference)
    kind = NoticeKind.RECORD_REQUEST_OVERDUE
    return (
        *_to(parties.asked, RECORD_KEEPERS, kind, False, reference),
        *_to(parties.asking, (Role.CASE_MANAGER,), kind, False, reference),
    )


def _to(
    agency_id: UUID, roles: tuple[Role, ...], kind: NoticeKind, urgent: bool, reference: UUID
) -> tuple[Notice, ...]:
    return tuple(Notice(agency_id, role, kind, urgent, reference) for role in roles)


def clock_due_soon(
    referral_id: UUID,
    clock: str,
    agency_id: UUID,
    urgency: Urgency,
    started_at: datetime,
    due_at: datetime,
    now: datetime,
) -> Notice | None:
    """The item for a referral's running clock that is due soon (`policies.clocks.due_soon`), or None."""
    if clock not in DUE_SOON_KINDS or not due_soon(started_at, due_at, now):
        return None
    kind, role = DUE_SOON_KINDS[clock]
    return Notice(agency_id, role, kind, urgency is Urgency.IMMEDIATE, referral_id)


def consent_expiring(consent_id: UUID, recorded_by: UUID, valid_until: datetime, now: datetime) -> Notice | None:
    """The item for an active consent whose end is within `CONSENT_EXPIRES_SOON`, or None."""
    if not within(CONSENT_EXPIRES_SOON, valid_until, now):
        return None
    return Notice(recorded_by, Role.CASE_MANAGER, NoticeKind.CONSENT_EXPIRING, False, consent_id)


@dataclass(frozen=True)
class Requirement:
    """What an agency requires of its users' e-mail: the least mode for urgent items and for the others. Without
    a requirement set, urgent items go at once and the rest as each user chooses."""

    urgent_at_least: DeliveryMode = DeliveryMode.IMMEDIATE
    others_at_least: DeliveryMode = DeliveryMode.OFF


def _at_least(mode: DeliveryMode, floor: DeliveryMode) -> DeliveryMode:
    return max(mode, floor, key=MODE_ORDER.index)


def preference_problem(requirement: Requirement, mode: DeliveryMode, urgent_mode: DeliveryMode) -> str | None:
    """The field of a user's choice that falls below what the agency requires (`urgent_mode`, `mode`), or None."""
    if _at_least(urgent_mode, requirement.urgent_at_least) is not urgent_mode:
        return "urgent_mode"
    if _at_least(mode, requirement.others_at_least) is not mode:
        return "mode"
    return None


def mail_mode(requirement: Requirement, mode: DeliveryMode, urgent_mode: DeliveryMode, urgent: bool) -> DeliveryMode:
    """How an item is mailed: as the user chose for its kind (urgent or not), never below the agency's requirement
    (a choice saved before the requirement was raised is lifted to it)."""
    if urgent:
        return _at_least(urgent_mode, requirement.urgent_at_least)
    return _at_least(mode, requirement.others_at_least)


def requirement_setter_role(principal: Principal) -> Role | None:
    """The role under which the caller may set what their own agency requires (the caller's agency is the only one
    it applies to): an administrator's, or None (denied)."""
    return admin_role(principal.roles)


def digest_day(now: datetime, send_at: time) -> str | None:
    """The Riga day (ISO date) whose digest is due at `now`, or None (a day off, or before the set time)."""
    local = now.astimezone(RIGA)
    if not is_working_day(local.date()) or local.time() < send_at:
        return None
    return local.date().isoformat()
