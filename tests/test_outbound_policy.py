"""policies/outbound: who learns what of each referral event (pure, no store)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

from events.base import DomainEvent
from events.people import PersonDetails
from events.referrals import (
    ClockDue,
    Outcome,
    ReferralAssigned,
    ReferralClosed,
    ReferralInformationRequested,
    ReferralOverdue,
    ReferralRedirected,
    ReferralSubmitted,
)
from events.values import AgencyKind, Concern, Urgency
from policies.outbound import Audience, ReferralParties, messages_for

SCHOOL, SOCIAL, COURT, HEALTH, OTHER_SOCIAL = (uuid4() for _ in range(5))
REFERRAL = uuid4()
DUE = datetime(2026, 3, 2, 12, tzinfo=UTC)
PARTIES = ReferralParties(
    referrer_agency_id=SCHOOL,
    lead_agency_id=SOCIAL,
    recipients={SOCIAL: AgencyKind.SOCIAL_SERVICE, COURT: AgencyKind.ORPHANS_COURT, HEALTH: AgencyKind.HEALTH},
)


def by_agency(event: DomainEvent) -> dict[UUID, tuple[Audience, dict[str, object]]]:
    return {message.agency_id: (message.audience, message.fields) for message in messages_for(event, PARTIES)}


def test_casework_recipients_get_the_envelope_and_everyone_else_milestones_only() -> None:
    submitted = ReferralSubmitted(
        originator_id=REFERRAL,
        originator_version=1,
        referrer_agency_id=SCHOOL,
        child=PersonDetails(subject_id=uuid4(), given_name="Elza", family_name="Kalniņa", birth_date=date(2015, 4, 12)),
        family=(),
        municipality="tukuma-novads",
        concerns=(Concern.NEGLECT,),
        urgency=Urgency.URGENT,
        summary="Bērns izskatās novārdzis.",
        recipients=(SOCIAL, COURT, HEALTH),
        routing_version="routing/1",
        lead_agency_id=SOCIAL,
        clocks=(ClockDue(clock="decide", agency_id=SOCIAL, due_at=DUE),),
    )
    messages = by_agency(submitted)
    assert messages[SOCIAL] == (
        Audience.CASEWORK,
        {
            "status": "submitted",
            "lead": True,
            "due": [{"clock": "decide", "due_at": DUE.isoformat()}],
            "urgency": "urgent",
            "concerns": ["neglect"],
            "municipality": "tukuma-novads",
        },
    )
    assert messages[COURT][1]["lead"] is False
    assert messages[COURT][1]["due"] == []
    assert messages[SCHOOL] == (Audience.MILESTONES, {"milestone": "sent"})
    assert messages[HEALTH] == (Audience.MILESTONES, {"milestone": "sent"})


def test_internal_steps_stay_with_the_agencies_working_the_referral() -> None:
    assigned = ReferralAssigned(originator_id=REFERRAL, originator_version=3, worker="tukums.cm")
    messages = by_agency(assigned)
    assert set(messages) == {SOCIAL, COURT}
    assert messages[SOCIAL][1] == {"status": "assigned", "lead": True}
    question = ReferralInformationRequested(originator_id=REFERRAL, originator_version=4, question="Kopš kura laika?")
    # The question stays in the hub (the referrer reads it there): the message holds the milestone alone.
    assert by_agency(question)[SCHOOL] == (Audience.MILESTONES, {"milestone": "information_requested"})
    assert "question" not in by_agency(question)[SOCIAL][1]


def test_closure_tells_the_referrer_the_outcome_class_only() -> None:
    closed = ReferralClosed(originator_id=REFERRAL, originator_version=6, outcome=Outcome.SERVICES_PROVIDED)
    assert by_agency(closed)[SCHOOL] == (Audience.MILESTONES, {"milestone": "closed", "outcome": "services_provided"})


def test_an_overdue_clock_goes_only_to_the_agency_whose_clock_ran_out() -> None:
    overdue = ReferralOverdue(
        originator_id=REFERRAL, originator_version=2, clock="decide", agency_id=SOCIAL, due_at=DUE, escalated_to=()
    )
    assert set(by_agency(overdue)) == {SOCIAL}


def test_a_redirect_tells_the_agency_it_left_and_the_new_lead() -> None:
    parties = ReferralParties(SCHOOL, OTHER_SOCIAL, {OTHER_SOCIAL: AgencyKind.SOCIAL_SERVICE})
    redirected = ReferralRedirected(
        originator_id=REFERRAL,
        originator_version=3,
        from_agency_id=SOCIAL,
        to_agency_id=OTHER_SOCIAL,
        to_municipality="daugavpils",
        recipients=(OTHER_SOCIAL,),
        reason="family moved",
    )
    messages = {message.agency_id: message.fields for message in messages_for(redirected, parties)}
    assert messages[SOCIAL] == {"status": "redirected", "lead": False}
    assert messages[OTHER_SOCIAL]["lead"] is True
    assert messages[OTHER_SOCIAL]["municipality"] == "daugavpils"
    assert messages[SCHOOL] == {"milestone": "sent"}
