"""Record request and handover aggregates without a store: transitions, clocks over a weekend, onward policy."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from events.base import Actor
from events.people import PersonDetails
from events.records import RecordCategoryWithheld, RecordRequestAnswered, WithholdReason
from events.values import AgencyKind, DataCategory, Purpose, Role, Tie, Urgency
from hub.kernel.errors import Conflict, InvalidInput
from hub.records import domain as records
from hub.records.domain import RequestTerms, WithheldAnswer, project_request
from policies.decision import Principal
from policies.engine import AgencyFacts, DisclosureRequest, default_engine

RIGA = ZoneInfo("Europe/Riga")
FRIDAY = datetime(2025, 10, 10, 15, 0, tzinfo=RIGA)
ACTOR = Actor(user_id="daugavpils.cm", agency_id=uuid4(), role="case_manager")
RESPONDER = uuid4()
CHILD = PersonDetails(subject_id=uuid4(), given_name="Elza", family_name="Kalniņa")


def created(urgency: Urgency = Urgency.ROUTINE) -> records.RecordRequest:
    terms = RequestTerms(Purpose.PRIOR_RESIDENCE_RECORDS, "GDPR-6-1-c", (DataCategory.ASSESSMENT,), urgency)
    assert ACTOR.agency_id is not None
    event = records.create_request(terms, ACTOR, ACTOR.agency_id, RESPONDER, (CHILD,), FRIDAY)
    request = project_request(None, [event])
    assert request is not None
    return request


def test_routine_requests_are_due_in_ten_working_days_skipping_weekends() -> None:
    assert created().due_at == datetime(2025, 10, 24, 15, 0, tzinfo=RIGA)
    assert created(Urgency.URGENT).due_at == datetime(2025, 10, 13, 15, 0, tzinfo=RIGA)


def test_a_request_to_oneself_is_invalid() -> None:
    terms = RequestTerms(Purpose.PRIOR_RESIDENCE_RECORDS, "GDPR-6-1-c", (DataCategory.ASSESSMENT,), Urgency.ROUTINE)
    assert ACTOR.agency_id is not None
    with pytest.raises(InvalidInput) as error:
        records.create_request(terms, ACTOR, ACTOR.agency_id, ACTOR.agency_id, (CHILD,), FRIDAY)
    assert error.value.reason == "request_to_self"


def test_clocks_remind_once_then_mark_overdue_and_escalate_once() -> None:
    request = created()
    assert records.clock_events(request, datetime(2025, 10, 20, 9, 0, tzinfo=RIGA)) == []
    [reminder] = records.clock_events(request, datetime(2025, 10, 22, 16, 0, tzinfo=RIGA))
    request = project_request(request, [reminder])
    assert request is not None
    assert records.clock_events(request, datetime(2025, 10, 23, 9, 0, tzinfo=RIGA)) == []
    breach = records.clock_events(request, datetime(2025, 10, 24, 15, 0, tzinfo=RIGA))
    assert [type(event).__name__ for event in breach] == ["RecordRequestOverdue", "RecordRequestEscalated"]
    request = project_request(request, breach)
    assert request is not None
    assert records.clock_events(request, datetime(2025, 11, 1, tzinfo=RIGA)) == []


def test_settling_the_last_category_answers_the_request_and_closed_requests_refuse_commands() -> None:
    request = created()
    acknowledged = project_request(request, [records.acknowledge(request, ACTOR, FRIDAY)])
    assert acknowledged is not None
    withheld = WithheldAnswer(category=DataCategory.ASSESSMENT, outcome="withheld", reason=WithholdReason.NO_RECORDS)
    events = records.answer_events(acknowledged, ACTOR, FRIDAY, [withheld])
    assert [event.originator_version for event in events] == [3, 4]
    assert isinstance(events[0], RecordCategoryWithheld)
    assert (events[0].about, events[0].actor) == (CHILD.subject_id, ACTOR)
    assert isinstance(events[-1], RecordRequestAnswered)
    answered = project_request(acknowledged, events)
    assert answered is not None
    for command in (
        lambda: records.acknowledge(answered, ACTOR, FRIDAY),
        lambda: records.refuse(answered, ACTOR, "x", FRIDAY),
        lambda: records.withdraw(answered, ACTOR, "x", FRIDAY),
    ):
        with pytest.raises(Conflict) as error:
            command()
        assert error.value.reason == "illegal_transition"
    assert records.clock_events(answered, datetime(2026, 1, 1, tzinfo=RIGA)) == []


def test_onward_disclosure_of_received_records_needs_a_basis_of_the_recipients_own() -> None:
    discloser = Principal(uuid4(), "daugavpils.cm", uuid4(), AgencyKind.SOCIAL_SERVICE, frozenset({Role.CASE_MANAGER}))
    received = frozenset({(CHILD.subject_id, DataCategory.ASSESSMENT)})
    request = DisclosureRequest(
        principal=discloser,
        recipient=AgencyFacts(uuid4(), AgencyKind.SOCIAL_SERVICE),
        subjects=(CHILD.subject_id,),
        categories=(DataCategory.ASSESSMENT,),
        purpose=Purpose.PRIOR_RESIDENCE_RECORDS,
        now=FRIDAY,
        basis="GDPR-6-1-c",
        ties={CHILD.subject_id: frozenset({Tie.CASE_LEAD})},
    )
    engine = default_engine()
    assert engine.decide_disclosure(request).permitted
    onward = engine.decide_disclosure(replace(request, received=received))
    assert not onward.permitted
    assert "disclose.onward-needs-own-basis" in onward.policies
    duty = replace(
        request,
        recipient=AgencyFacts(uuid4(), AgencyKind.ORPHANS_COURT),
        basis="GDPR-9-2-b",
        purpose=Purpose.CASE_MANAGEMENT,
        received=received,
    )
    assert engine.decide_disclosure(duty).permitted, "a statutory duty naming the recipient's kind is its own basis"
