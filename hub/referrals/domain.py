"""The referral aggregate and the validated draft every channel (API, Kafka, CSV, FHIR) submits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import singledispatch
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, StringConstraints, field_validator

from events.base import SYSTEM, Actor, DomainEvent
from events.people import PersonDetails
from events.referrals import (
    OPEN_STATUSES,
    ClockDue,
    Outcome,
    ReferralAccepted,
    ReferralAcknowledged,
    ReferralAssigned,
    ReferralClosed,
    ReferralDeclined,
    ReferralInformationProvided,
    ReferralInformationRequested,
    ReferralOverdue,
    ReferralRedirected,
    ReferralStatus,
    ReferralSubmitted,
    ReferralWithdrawn,
)
from events.values import MUNICIPALITIES, Concern, Relationship, Urgency
from hub.kernel.config import MAX_MONITORING_DAYS
from hub.kernel.drafts import DraftModel, Name
from hub.kernel.errors import Conflict, InvalidInput
from hub.kernel.personal_code import PersonalCodeText
from hub.people.drafts import SubjectDraft

MAX_SUMMARY_CHARS = 4000


def known_municipality(value: str) -> str:
    if value not in MUNICIPALITIES:
        raise ValueError("unknown municipality code")
    return value


class ChildDraft(DraftModel):
    given_name: Name
    family_name: Name
    birth_date: date
    personal_code: PersonalCodeText | None = None
    municipality: Annotated[str, StringConstraints(strict=True, max_length=40)]

    @field_validator("birth_date")
    @classmethod
    def _not_in_future(cls, value: date) -> date:
        if value > date.today():
            raise ValueError("birth date is in the future")
        return value

    _municipality = field_validator("municipality")(known_municipality)


class FamilyMemberDraft(DraftModel):
    given_name: Name
    family_name: Name
    relationship: Relationship
    personal_code: PersonalCodeText | None = None


class ReferralDraft(DraftModel):
    """What a referrer submits; validation here serves every inbound channel."""

    child: ChildDraft
    family: Annotated[list[FamilyMemberDraft], Field(max_length=20, default_factory=list)]
    concerns: Annotated[list[Concern], Field(min_length=1, max_length=len(Concern))]
    urgency: Urgency
    summary: Annotated[
        str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=MAX_SUMMARY_CHARS)
    ]

    @field_validator("concerns")
    @classmethod
    def _no_duplicate_concerns(cls, value: list[Concern]) -> list[Concern]:
        if len(set(value)) != len(value):
            raise ValueError("a concern is listed twice")
        return value

    def people(self) -> tuple[SubjectDraft, ...]:
        """The child, then the family, as the people capability takes them to find their records."""
        child = self.child
        named = [
            SubjectDraft(
                given_name=child.given_name,
                family_name=child.family_name,
                birth_date=child.birth_date,
                personal_code=child.personal_code,
            )
        ]
        named += [
            SubjectDraft(
                given_name=member.given_name,
                family_name=member.family_name,
                personal_code=member.personal_code,
                relationship=member.relationship,
            )
            for member in self.family
        ]
        return tuple(named)


# Before the lead social service decides: the referrer may still withdraw, and the decision clock runs.
UNDECIDED = frozenset(
    {
        ReferralStatus.SUBMITTED,
        ReferralStatus.ACKNOWLEDGED,
        ReferralStatus.ASSIGNED,
        ReferralStatus.INFORMATION_REQUESTED,
    }
)

# Which states each transition may start from; anything else is a 409.
ALLOWED_FROM: dict[str, frozenset[ReferralStatus]] = {
    "acknowledge": frozenset({ReferralStatus.SUBMITTED}),
    "assign": (UNDECIDED - {ReferralStatus.SUBMITTED}) | {ReferralStatus.ACCEPTED},
    "request_information": frozenset({ReferralStatus.ACKNOWLEDGED, ReferralStatus.ASSIGNED}),
    "provide_information": frozenset({ReferralStatus.INFORMATION_REQUESTED}),
    "accept": frozenset({ReferralStatus.ASSIGNED}),
    "redirect": frozenset({ReferralStatus.SUBMITTED, ReferralStatus.ACKNOWLEDGED, ReferralStatus.ASSIGNED}),
    "decline": frozenset({ReferralStatus.ACKNOWLEDGED, ReferralStatus.ASSIGNED}),
    "close": frozenset({ReferralStatus.ACCEPTED, ReferralStatus.DECLINED}),
    "withdraw": UNDECIDED,
}


# While in these states a clock runs for the lead agency; any other state stops it.
CLOCK_RUNS_WHILE: dict[str, frozenset[ReferralStatus]] = {
    "acknowledge": frozenset({ReferralStatus.SUBMITTED}),
    "decide": UNDECIDED,
}


@dataclass(frozen=True)
class Referral:
    id: UUID
    version: int
    referrer_agency_id: UUID
    child: PersonDetails
    family: tuple[PersonDetails, ...]
    municipality: str
    concerns: tuple[Concern, ...]
    urgency: Urgency
    summary: str
    recipients: tuple[UUID, ...]
    lead_agency_id: UUID
    submitted_at: datetime
    linked_to: tuple[UUID, ...] = ()
    body_hash: str | None = None
    status: ReferralStatus = ReferralStatus.SUBMITTED
    status_before_question: ReferralStatus | None = None
    open_question: str | None = None
    worker: str | None = None
    case_id: UUID | None = None
    outcome: Outcome | None = None
    acknowledged_at: datetime | None = None
    decided_at: datetime | None = None
    closed_at: datetime | None = None
    monitoring_until: datetime | None = None
    clocks: tuple[ClockDue, ...] = ()
    overdue: frozenset[tuple[str, UUID]] = field(default_factory=frozenset)

    @property
    def subject_ids(self) -> tuple[UUID, ...]:
        return (self.child.subject_id, *(member.subject_id for member in self.family))

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def monitored_at(self, now: datetime) -> datetime | None:
        """The end of the monitoring after closure while it still runs at `now`, else None."""
        if self.monitoring_until is None or self.monitoring_until <= now:
            return None
        return self.monitoring_until


def check_transition(referral: Referral, transition: str) -> None:
    """The aggregate's guard: raises Conflict (409) naming the state when a transition is not allowed."""
    if referral.status not in ALLOWED_FROM[transition]:
        raise Conflict(
            "illegal_transition",
            f"cannot {transition.replace('_', ' ')} a referral that is {referral.status.value.replace('_', ' ')}",
        )


def _next(referral: Referral, actor: Actor, at: datetime) -> dict[str, object]:
    return {
        "originator_id": referral.id,
        "originator_version": referral.version + 1,
        "actor": actor,
        "timestamp": at,
        "about": referral.child.subject_id,
    }


def acknowledge(referral: Referral, actor: Actor, at: datetime) -> ReferralAcknowledged:
    check_transition(referral, "acknowledge")
    return ReferralAcknowledged(**_next(referral, actor, at))


def assign(referral: Referral, actor: Actor, at: datetime, worker: str) -> ReferralAssigned:
    check_transition(referral, "assign")
    if worker == referral.worker:
        raise Conflict("already_assigned", f"the referral is already assigned to {worker}")
    return ReferralAssigned(**_next(referral, actor, at), worker=worker)


def request_information(referral: Referral, actor: Actor, at: datetime, question: str) -> ReferralInformationRequested:
    check_transition(referral, "request_information")
    return ReferralInformationRequested(**_next(referral, actor, at), question=question)


def provide_information(referral: Referral, actor: Actor, at: datetime, answer: str) -> ReferralInformationProvided:
    check_transition(referral, "provide_information")
    return ReferralInformationProvided(**_next(referral, actor, at), answer=answer)


def accept(referral: Referral, actor: Actor, at: datetime, case_id: UUID, existing: bool) -> ReferralAccepted:
    check_transition(referral, "accept")
    return ReferralAccepted(**_next(referral, actor, at), case_id=case_id, linked_existing_case=existing)


def redirect(
    referral: Referral,
    actor: Actor,
    at: datetime,
    to_agency_id: UUID,
    to_municipality: str,
    recipients: tuple[UUID, ...],
    reason: str,
) -> ReferralRedirected:
    check_transition(referral, "redirect")
    if to_agency_id == referral.lead_agency_id:
        raise Conflict("redirect_to_self", "the referral is already with that social service")
    travelling = tuple(due.model_copy(update={"agency_id": to_agency_id}) for due in referral.clocks)
    return ReferralRedirected(
        **_next(referral, actor, at),
        from_agency_id=referral.lead_agency_id,
        to_agency_id=to_agency_id,
        to_municipality=to_municipality,
        recipients=recipients,
        reason=reason,
        clocks=travelling,
    )


def decline(referral: Referral, actor: Actor, at: datetime, reason: str) -> ReferralDeclined:
    check_transition(referral, "decline")
    return ReferralDeclined(**_next(referral, actor, at), reason=reason)


def close(referral: Referral, actor: Actor, at: datetime, outcome: Outcome, monitoring_days: int) -> ReferralClosed:
    """Close with an outcome; for `monitoring_days` after `at` (0: none) a new referral about the child links here."""
    check_transition(referral, "close")
    if not 0 <= monitoring_days <= MAX_MONITORING_DAYS:
        raise InvalidInput(
            "monitoring_out_of_range", f"a monitoring period is 0 to {MAX_MONITORING_DAYS} days", "monitoring_days"
        )
    until = at + timedelta(days=monitoring_days) if monitoring_days else None
    return ReferralClosed(**_next(referral, actor, at), outcome=outcome, monitoring_until=until)


def withdraw(referral: Referral, actor: Actor, at: datetime, reason: str) -> ReferralWithdrawn:
    check_transition(referral, "withdraw")
    return ReferralWithdrawn(**_next(referral, actor, at), reason=reason)


def mark_overdue(
    referral: Referral, clock: str, agency_id: UUID, escalated_to: tuple[str, ...], at: datetime
) -> ReferralOverdue | None:
    """Once per breach: None when the clock is not running for that agency, not yet due, or already reported."""
    due_at = next((due.due_at for due in referral.clocks if (due.clock, due.agency_id) == (clock, agency_id)), None)
    running = referral.status in CLOCK_RUNS_WHILE.get(clock, frozenset()) and agency_id == referral.lead_agency_id
    if due_at is None or not running or at < due_at or (clock, agency_id) in referral.overdue:
        return None
    return ReferralOverdue(
        **_next(referral, SYSTEM, at),
        clock=clock,
        agency_id=agency_id,
        due_at=due_at,
        escalated_to=escalated_to,
    )


def submit_referral(
    draft: ReferralDraft,
    actor: Actor,
    referral_id: UUID,
    people: tuple[PersonDetails, ...],
    recipients: tuple[UUID, ...],
    routing_version: str,
    linked_to: tuple[UUID, ...],
    body_hash: str | None,
    clocks: tuple[ClockDue, ...],
    clocks_version: str,
    at: datetime,
) -> ReferralSubmitted:
    """Decide the event that records a new referral; `people` is the child then the family, subjects resolved."""
    assert actor.agency_id is not None
    return ReferralSubmitted(
        originator_id=referral_id,
        originator_version=1,
        actor=actor,
        timestamp=at,
        referrer_agency_id=actor.agency_id,
        child=people[0],
        family=people[1:],
        municipality=draft.child.municipality,
        concerns=tuple(draft.concerns),
        urgency=draft.urgency,
        summary=draft.summary,
        recipients=recipients,
        lead_agency_id=recipients[0],
        routing_version=routing_version,
        linked_to=linked_to,
        body_hash=body_hash,
        clocks=clocks,
        clocks_version=clocks_version,
    )


@singledispatch
def mutate_referral(event: DomainEvent, referral: Referral | None) -> Referral | None:
    raise TypeError(f"not a referral event: {type(event).__name__}")


def _moved(referral: Referral | None, event: DomainEvent, **changes: Any) -> Referral:
    assert referral is not None
    return replace(referral, version=event.originator_version, **changes)


@mutate_referral.register
def _(event: ReferralSubmitted, _: Referral | None) -> Referral:
    return Referral(
        id=event.originator_id,
        version=event.originator_version,
        referrer_agency_id=event.referrer_agency_id,
        child=event.child,
        family=event.family,
        municipality=event.municipality,
        concerns=event.concerns,
        urgency=event.urgency,
        summary=event.summary,
        recipients=event.recipients,
        lead_agency_id=event.lead_agency_id or event.recipients[0],
        submitted_at=event.timestamp,
        linked_to=event.linked_to,
        body_hash=event.body_hash,
        clocks=event.clocks,
    )


@mutate_referral.register
def _(event: ReferralAcknowledged, referral: Referral | None) -> Referral:
    return _moved(referral, event, status=ReferralStatus.ACKNOWLEDGED, acknowledged_at=event.timestamp)


@mutate_referral.register
def _(event: ReferralAssigned, referral: Referral | None) -> Referral:
    assert referral is not None
    status = ReferralStatus.ASSIGNED if referral.status is ReferralStatus.ACKNOWLEDGED else referral.status
    return _moved(referral, event, status=status, worker=event.worker)


@mutate_referral.register
def _(event: ReferralInformationRequested, referral: Referral | None) -> Referral:
    assert referral is not None
    return _moved(
        referral,
        event,
        status=ReferralStatus.INFORMATION_REQUESTED,
        status_before_question=referral.status,
        open_question=event.question,
    )


@mutate_referral.register
def _(event: ReferralInformationProvided, referral: Referral | None) -> Referral:
    assert referral is not None
    assert referral.status_before_question is not None
    return _moved(
        referral, event, status=referral.status_before_question, status_before_question=None, open_question=None
    )


@mutate_referral.register
def _(event: ReferralAccepted, referral: Referral | None) -> Referral:
    return _moved(referral, event, status=ReferralStatus.ACCEPTED, case_id=event.case_id, decided_at=event.timestamp)


@mutate_referral.register
def _(event: ReferralRedirected, referral: Referral | None) -> Referral:
    return _moved(
        referral,
        event,
        status=ReferralStatus.SUBMITTED,
        lead_agency_id=event.to_agency_id,
        municipality=event.to_municipality,
        recipients=event.recipients,
        clocks=event.clocks,
        worker=None,
        acknowledged_at=None,
    )


@mutate_referral.register
def _(event: ReferralDeclined, referral: Referral | None) -> Referral:
    return _moved(referral, event, status=ReferralStatus.DECLINED, decided_at=event.timestamp)


@mutate_referral.register
def _(event: ReferralClosed, referral: Referral | None) -> Referral:
    return _moved(
        referral,
        event,
        status=ReferralStatus.CLOSED,
        outcome=event.outcome,
        closed_at=event.timestamp,
        monitoring_until=event.monitoring_until,
    )


@mutate_referral.register
def _(event: ReferralWithdrawn, referral: Referral | None) -> Referral:
    return _moved(referral, event, status=ReferralStatus.WITHDRAWN, closed_at=event.timestamp)


@mutate_referral.register
def _(event: ReferralOverdue, referral: Referral | None) -> Referral:
    assert referral is not None
    return _moved(referral, event, overdue=referral.overdue | {(event.clock, event.agency_id)})


def project_referral(referral: Referral | None, events: Iterable[DomainEvent]) -> Referral | None:
    for event in events:
        referral = mutate_referral(event, referral)
    return referral
