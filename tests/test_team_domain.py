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
from hub.team.domain import ReviewDraft, TaskDraft, TaskFinish, VisitDraft
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
    prefilled = domain.prefill(team, prior_residence_asked=True, prior_residence_received=False)
    assert prefilled["initial.prior_residence"] is Verdict.DOES_NOT_CONFORM
    assert prefilled["plan.cooperation"] is Verdict.CONFORMS
    manual = {c.id: Verdict.CONFORMS for c in catalogue().criteria if c.id not in prefilled}
    answers = domain.review_answers(ReviewDraft(answers=manual), prefilled)
    assert {answer.criterion for answer in answers if answer.prefilled} == set(prefilled)
    with pytest.raises(InvalidInput) as unknown:
        domain.review_answers(ReviewDraft(answers={"made.up": Verdict.CONFORMS}), prefilled)
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
