"""The team aggregate, its clocks and the case-file review's pre-fill and figures: pure and fast."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from pydantic import ValidationError

from events.base import Actor, DomainEvent
from events.team import TaskFinished, TaskOverdue, Verdict
from hub.kernel.errors import Conflict, InvalidInput
from hub.team import domain
from hub.team.domain import AnswerDraft, CaseFacts, ReviewDraft, TaskDraft, TaskFinish, VisitDraft
from policies.case_review import catalogue, non_conformity_percent

LEAD, SCHOOL, POLICE = uuid4(), uuid4(), uuid4()
ACTOR = Actor(user_id="tukums.cm", agency_id=LEAD, role="case_manager")
FRIDAY = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


def team_with_task(days: int = 2) -> tuple[domain.Team, domain.Task, list[DomainEvent]]:
    team = domain.empty_team(uuid4())
    draft = TaskDraft(agency_code="X", title="T", working_days=days)
    agreed = domain.agree_task(team, ACTOR, LEAD, SCHOOL, draft, FRIDAY)
    team = domain.fold_team(team.subject_id, [agreed])
    return team, team.tasks[agreed.task_id], [agreed]


def test_a_task_is_due_in_latvian_working_days() -> None:
    _, task, _ = team_with_task(2)
    assert task.due_at.date() == date(2026, 12, 8)  # Friday + 2 working days: Tuesday


def test_an_overdue_task_escalates_once_to_the_assigned_agencys_head() -> None:
    team, task, events = team_with_task()
    assert domain.clock_events(team, task.due_at - timedelta(minutes=1)) == []
    overdue, escalated = domain.clock_events(team, task.due_at)
    assert isinstance(overdue, TaskOverdue)
    assert (escalated.to_agency_id, escalated.to_role) == (SCHOOL, "head_of_service")  # type: ignore[attr-defined]
    team = domain.fold_team(team.subject_id, [*events, overdue, escalated])
    assert domain.clock_events(team, task.due_at + timedelta(days=5)) == []


def test_a_finished_task_cannot_be_finished_again_and_takes_no_clock() -> None:
    team, task, events = team_with_task()
    finished = domain.finish_task(team, task, ACTOR, TaskFinish(done=False, note="nav"), FRIDAY)
    assert isinstance(finished, TaskFinished)
    team = domain.fold_team(team.subject_id, [*events, finished])
    with pytest.raises(Conflict):
        domain.finish_task(team, team.tasks[task.id], ACTOR, TaskFinish(done=True), FRIDAY)
    assert domain.clock_events(team, task.due_at + timedelta(days=1)) == []


def test_another_agencys_visit_within_the_warning_days_is_found() -> None:
    team = domain.empty_team(uuid4())
    police = Actor(user_id="police.officer", agency_id=POLICE, role="police_officer")
    draft = VisitDraft(
        window_from=date(2026, 12, 7), window_to=date(2026, 12, 7), purpose="P", visiting_roles=["police_officer"]
    )
    planned = domain.plan_visit(team, police, POLICE, draft, FRIDAY)
    team = domain.fold_team(team.subject_id, [planned])
    later = VisitDraft(
        window_from=date(2026, 12, 12), window_to=date(2026, 12, 12), purpose="S", visiting_roles=["case_manager"]
    )
    assert [visit.agency_id for visit in domain.nearby_visits(team, later, 7, LEAD)] == [POLICE]
    assert domain.nearby_visits(team, later, 2, LEAD) == []
    assert domain.nearby_visits(team, later, 7, POLICE) == []  # its own visits are no warning
    with pytest.raises(ValidationError):
        VisitDraft(
            window_from=date(2026, 12, 8), window_to=date(2026, 12, 7), purpose="P", visiting_roles=["case_manager"]
        )


def test_review_answers_take_the_prefill_where_the_reviewer_gave_none_and_say_so() -> None:
    team, _, _ = team_with_task()
    prefilled = domain.prefill(team, CaseFacts(prior_residence_asked=True))
    assert prefilled["initial.prior_residence"] == domain.Prefilled(
        Verdict.DOES_NOT_CONFORM, "prior_residence.not_received"
    )
    assert prefilled["plan.cooperation"] == domain.Prefilled(Verdict.CONFORMS, "cooperation.agreed")
    manual = {c.id: AnswerDraft(verdict=Verdict.CONFORMS) for c in catalogue().criteria if c.id not in prefilled}
    answers = domain.review_answers(ReviewDraft(answers=manual), prefilled)
    assert {answer.criterion for answer in answers if answer.prefilled} == set(prefilled)
    assert all(answer.reason in catalogue().reasons for answer in answers if answer.prefilled)
    assert all(answer.reason is None for answer in answers if not answer.prefilled)
    with pytest.raises(InvalidInput) as unknown:
        domain.review_answers(ReviewDraft.model_validate({"answers": {"made.up": "conforms"}}), prefilled)
    assert unknown.value.reason == "unknown_criterion"
    with pytest.raises(InvalidInput) as missing:
        domain.review_answers(ReviewDraft(), prefilled)
    assert missing.value.reason == "criterion_unanswered"


def test_non_conformity_counts_only_answers_that_apply() -> None:
    assert non_conformity_percent(["conforms", "does_not_conform", "not_applicable"]) == 50.0
    assert non_conformity_percent(["not_applicable"]) is None
    assert catalogue().version.startswith("case-review/")
    assert {group for group, _, _ in catalogue().groups} == {
        "initial_assessment",
        "problem_definition",
        "plan_implementation",
        "evaluation",
        "content_quality",
        "formatting_storage",
        "common_forms",
    }


def test_response_times_are_pre_filled_from_the_clocks_with_their_reason() -> None:
    team = domain.empty_team(uuid4())
    late = domain.prefill(team, CaseFacts(answers_on_time=2, answers_late=1))["initial.response_times"]
    assert late == domain.Prefilled(Verdict.DOES_NOT_CONFORM, "responses.late")
    on_time = domain.prefill(team, CaseFacts(answers_on_time=2))["initial.response_times"]
    assert on_time == domain.Prefilled(Verdict.CONFORMS, "responses.on_time")
    assert domain.prefill(team, CaseFacts())["initial.response_times"].reason == "responses.none"
    running = domain.prefill(team, CaseFacts(answers_running=1))["initial.response_times"]
    assert running == domain.Prefilled(Verdict.NOT_APPLICABLE, "responses.running")
    due = "2026-12-04T10:00:00Z"
    assert domain.timely(due, "2026-12-04T09:59:00Z", False, "2026-12-05T00:00:00Z") is True
    assert domain.timely(due, "2026-12-04T10:01:00Z", False, "2026-12-05T00:00:00Z") is False
    assert domain.timely(due, None, False, "2026-12-04T09:00:00Z") is None  # still running within its time
    assert domain.timely(due, None, False, "2026-12-04T10:00:00Z") is False
    assert domain.timely(due, None, True, "2026-12-04T09:00:00Z") is False


EVERY_KIND_OF_FACTS = (
    CaseFacts(),
    CaseFacts(prior_residence_asked=True, prior_residence_received=True, answers_on_time=1),
    CaseFacts(prior_residence_asked=True, answers_late=1),
    CaseFacts(answers_running=1),
)


def test_every_reason_the_hub_can_give_is_worded_in_latvian_and_english() -> None:
    team, task, events = team_with_task()
    finished = domain.finish_task(team, task, ACTOR, TaskFinish(done=True, note="ok"), FRIDAY)
    done = domain.fold_team(team.subject_id, [*events, finished])
    reasons = {
        known.reason
        for subject in (domain.empty_team(uuid4()), team, done)
        for facts in EVERY_KIND_OF_FACTS
        for known in domain.prefill(subject, facts).values()
    }
    assert reasons <= set(catalogue().reasons)
    assert all(lv and en and lv != en for lv, en in catalogue().reasons.values())


def test_a_remark_is_bounded_and_required_only_when_a_criterion_is_not_met() -> None:
    assert AnswerDraft.model_validate("conforms").remark == ""
    assert AnswerDraft(verdict=Verdict.NOT_APPLICABLE, remark="nav bērnu").remark == "nav bērnu"
    with pytest.raises(ValidationError) as missing:
        ReviewDraft.model_validate({"answers": {"forms.used": "does_not_conform"}})
    assert missing.value.errors()[0]["type"] == "remark_required"
    assert missing.value.errors()[0]["loc"] == ("answers", "forms.used", "remark")
    with pytest.raises(ValidationError):
        AnswerDraft(verdict=Verdict.CONFORMS, remark="x" * (domain.REMARK_LENGTH + 1))
    given = {"forms.used": {"verdict": "does_not_conform", "remark": "Veidlapa nav aizpildīta"}}
    [answer] = [
        a
        for a in domain.review_answers(
            ReviewDraft.model_validate({"answers": given}),
            {c.id: domain.Prefilled(Verdict.CONFORMS, "tasks.on_time") for c in catalogue().criteria},
        )
        if a.criterion == "forms.used"
    ]
    assert (answer.verdict, answer.remark, answer.prefilled) == (
        Verdict.DOES_NOT_CONFORM,
        "Veidlapa nav aizpildīta",
        False,
    )


def test_a_sample_is_repeatable_bounded_and_depends_on_the_seed() -> None:
    cases = [str(uuid4()) for _ in range(30)]
    first = domain.sample_cases(cases, 5, "a")
    assert first == domain.sample_cases(list(reversed(cases)), 5, "a")
    assert len(first) == 5
    assert set(first) <= set(cases)
    assert first != domain.sample_cases(cases, 5, "b")
    assert sorted(domain.sample_cases(cases[:3], 5, "a")) == sorted(cases[:3])


def test_a_period_of_riga_days_begins_and_ends_at_riga_midnight() -> None:
    start, end = domain.riga_period(date(2026, 12, 1), date(2026, 12, 31))
    assert start == datetime(2026, 11, 30, 22, 0, tzinfo=UTC)
    assert end == datetime(2026, 12, 31, 22, 0, tzinfo=UTC)
