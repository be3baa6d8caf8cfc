"""The team aggregate (one stream per person): responsible worker, agreed tasks and coordinated home visits, with
their drafts, transitions and clocks; and the case-file review's answers pre-filled from what the log knows."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import singledispatch
from typing import Annotated, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field, StringConstraints, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from events.base import SYSTEM, Actor, DomainEvent
from events.ids import new_stream_id
from events.team import (
    ResponsibleWorkerNamed,
    ReviewAnswer,
    TaskAccepted,
    TaskAgreed,
    TaskEscalated,
    TaskFinished,
    TaskOverdue,
    TaskProgressReported,
    TaskStatus,
    Verdict,
    VisitCancelled,
    VisitDone,
    VisitJoined,
    VisitPlanned,
    VisitStatus,
)
from events.values import Role
from hub.kernel.drafts import DraftModel
from hub.kernel.errors import Conflict, InvalidInput
from policies.case_review import catalogue
from policies.clocks import RIGA, task_due

TEAM_NAMESPACE = uuid5(NAMESPACE_URL, "urn:hub:team")
Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=2000)]
Note = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, max_length=2000)]
REMARK_LENGTH = 500
Remark = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, max_length=REMARK_LENGTH)]


def riga_day(moment: datetime) -> date:
    """The day in Riga (reviews and visits are dated by the local day, not the UTC one)."""
    return moment.astimezone(RIGA).date()


def riga_period(since: date | None, until: date | None) -> tuple[datetime, datetime]:
    """The instants a period of Riga days begins and ends (the end exclusive: midnight after `until`)."""
    first = datetime.combine(since or date(2000, 1, 1), time.min, tzinfo=RIGA)
    last = datetime.combine((until or date(9998, 12, 31)) + timedelta(days=1), time.min, tzinfo=RIGA)
    return first, last


def team_id(subject_id: UUID) -> UUID:
    """The team stream of a person (from her random subject id: it names nothing)."""
    return uuid5(TEAM_NAMESPACE, str(subject_id))


class WorkerDraft(DraftModel):
    username: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=100)]


class TaskDraft(DraftModel):
    """Who does what by when (in working days from now)."""

    agency_code: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=40)]
    title: Text
    working_days: Annotated[int, Field(ge=1, le=60, strict=True)]


class TaskReport(DraftModel):
    note: Note = ""


class TaskFinish(DraftModel):
    done: bool
    note: Note = ""


class VisitDraft(DraftModel):
    window_from: date
    window_to: date
    purpose: Text
    visiting_roles: Annotated[list[Role], Field(min_length=1, max_length=5)]

    @model_validator(mode="after")
    def _window(self) -> VisitDraft:
        if self.window_to < self.window_from:
            raise ValueError("the window ends before it begins")
        return self


class VisitOutcome(DraftModel):
    findings: Note = ""


class AnswerDraft(DraftModel):
    """A verdict with the reviewer's remark. A remark is optional, except that a reviewer who answers "does not
    conform" says what is missing (the service needs it to put the file right)."""

    verdict: Verdict
    remark: Annotated[Remark, Field(validate_default=True)] = ""

    @model_validator(mode="before")
    @classmethod
    def _bare(cls, value: Any) -> Any:
        """A bare verdict is an answer without a remark."""
        return {"verdict": value} if isinstance(value, str) else value

    @field_validator("remark")
    @classmethod
    def _remark(cls, remark: str, info: ValidationInfo) -> str:
        if info.data.get("verdict") is Verdict.DOES_NOT_CONFORM and not remark:
            raise PydanticCustomError("remark_required", "say what does not conform")
        return remark


class ReviewDraft(DraftModel):
    """The reviewer's answers by criterion id (a verdict, or a verdict with a remark); `remarks` a free note on the
    whole file. Criteria left out take the hub's pre-filled answer."""

    answers: Annotated[dict[str, AnswerDraft], Field(default_factory=dict, max_length=50)]
    remarks: Note = ""


@dataclass(frozen=True)
class Prefilled:
    """What the hub answers for a criterion from the log, and why (a reason code of the catalogue)."""

    verdict: Verdict
    reason: str


@dataclass(frozen=True)
class CaseFacts:
    """What other streams of the log say about the case: prior-residence requests the reviewing service sent,
    and the answers it owed (referral clocks, record requests asked of it): how many came in time, late, or are
    still within their time."""

    prior_residence_asked: bool = False
    prior_residence_received: bool = False
    answers_on_time: int = 0
    answers_late: int = 0
    answers_running: int = 0


@dataclass(frozen=True)
class Task:
    id: UUID
    lead_agency_id: UUID
    agency_id: UUID
    title: str
    working_days: int
    agreed_at: datetime
    due_at: datetime
    status: TaskStatus = TaskStatus.AGREED
    notes: tuple[str, ...] = ()
    finished_at: datetime | None = None
    overdue: bool = False
    escalated_to: UUID | None = None

    @property
    def open(self) -> bool:
        return self.status in (TaskStatus.AGREED, TaskStatus.ACCEPTED)


@dataclass(frozen=True)
class Visit:
    id: UUID
    agency_id: UUID
    window_from: date
    window_to: date
    purpose: str
    visiting_roles: tuple[str, ...]
    joined: tuple[UUID, ...] = ()
    status: VisitStatus = VisitStatus.PLANNED
    findings: str = ""

    @property
    def agencies(self) -> tuple[UUID, ...]:
        return (self.agency_id, *self.joined)


@dataclass(frozen=True)
class Team:
    id: UUID
    subject_id: UUID
    version: int = 0
    worker_agency_id: UUID | None = None
    worker_user_id: UUID | None = None
    worker_since: datetime | None = None
    tasks: dict[UUID, Task] = field(default_factory=dict)
    visits: dict[UUID, Visit] = field(default_factory=dict)


def empty_team(subject_id: UUID) -> Team:
    return Team(id=team_id(subject_id), subject_id=subject_id)


def _head(team: Team, actor: Actor, now: datetime, offset: int = 1) -> dict[str, object]:
    return {
        "originator_id": team.id,
        "originator_version": team.version + offset,
        "timestamp": now,
        "actor": actor,
        "about": team.subject_id,
    }


def name_worker(team: Team, actor: Actor, agency_id: UUID, user_id: UUID, now: datetime) -> ResponsibleWorkerNamed:
    if team.worker_user_id == user_id:
        raise Conflict("already_responsible", "this worker is already the responsible worker")
    return ResponsibleWorkerNamed(**_head(team, actor, now), agency_id=agency_id, user_id=user_id)


def agree_task(team: Team, actor: Actor, lead: UUID, agency_id: UUID, draft: TaskDraft, now: datetime) -> TaskAgreed:
    return TaskAgreed(
        **_head(team, actor, now),
        task_id=new_stream_id(),
        lead_agency_id=lead,
        agency_id=agency_id,
        title=draft.title,
        working_days=draft.working_days,
        due_at=task_due(now, draft.working_days),
    )


def task_of(team: Team, task_id: UUID) -> Task:
    task = team.tasks.get(task_id)
    if task is None:
        raise InvalidInput("task_not_found", "no such task in this person's team", "task_id")
    return task


def accept_task(team: Team, task: Task, actor: Actor, now: datetime) -> TaskAccepted:
    if task.status is not TaskStatus.AGREED:
        raise Conflict("illegal_transition", f"a task that is {task.status} cannot be accepted")
    return TaskAccepted(**_head(team, actor, now), task_id=task.id)


def report_task(team: Team, task: Task, actor: Actor, draft: TaskReport, now: datetime) -> TaskProgressReported:
    if not task.open:
        raise Conflict("illegal_transition", f"a task that is {task.status} takes no more reports")
    return TaskProgressReported(**_head(team, actor, now), task_id=task.id, note=draft.note)


def finish_task(team: Team, task: Task, actor: Actor, draft: TaskFinish, now: datetime) -> TaskFinished:
    if not task.open:
        raise Conflict("illegal_transition", f"a task that is {task.status} cannot be finished again")
    return TaskFinished(**_head(team, actor, now), task_id=task.id, done=draft.done, note=draft.note)


def clock_events(team: Team, now: datetime) -> list[DomainEvent]:
    """Overdue and escalation (to the assigned agency's head of service) for each open task past its due time,
    once each."""
    events: list[DomainEvent] = []
    offset = 1
    for task in team.tasks.values():
        if task.open and not task.overdue and now >= task.due_at:
            events.append(TaskOverdue(**_head(team, SYSTEM, now, offset), task_id=task.id, due_at=task.due_at))
            events.append(
                TaskEscalated(
                    **_head(team, SYSTEM, now, offset + 1),
                    task_id=task.id,
                    to_agency_id=task.agency_id,
                    to_role=Role.HEAD_OF_SERVICE.value,
                )
            )
            offset += 2
    return events


def plan_visit(team: Team, actor: Actor, agency_id: UUID, draft: VisitDraft, now: datetime) -> VisitPlanned:
    return VisitPlanned(
        **_head(team, actor, now),
        visit_id=new_stream_id(),
        agency_id=agency_id,
        window_from=draft.window_from,
        window_to=draft.window_to,
        purpose=draft.purpose,
        visiting_roles=tuple(role.value for role in draft.visiting_roles),
    )


def nearby_visits(team: Team, draft: VisitDraft, days: int, exclude: UUID | None = None) -> list[Visit]:
    """Planned visits of other agencies within `days` of the draft's window (the warning of a duplicate)."""
    start, end = draft.window_from - timedelta(days=days), draft.window_to + timedelta(days=days)
    return [
        visit
        for visit in team.visits.values()
        if visit.status is VisitStatus.PLANNED
        and visit.agency_id != exclude
        and visit.window_from <= end
        and visit.window_to >= start
    ]


def visit_of(team: Team, visit_id: UUID) -> Visit:
    visit = team.visits.get(visit_id)
    if visit is None:
        raise InvalidInput("visit_not_found", "no such visit in this person's team", "visit_id")
    return visit


def _require_planned(visit: Visit, action: str) -> None:
    if visit.status is not VisitStatus.PLANNED:
        raise Conflict("illegal_transition", f"a visit that is {visit.status} cannot be {action}")


def join_visit(team: Team, visit: Visit, actor: Actor, agency_id: UUID, now: datetime) -> VisitJoined:
    _require_planned(visit, "joined")
    if agency_id in visit.agencies:
        raise Conflict("already_joined", "the agency already takes part in this visit")
    return VisitJoined(**_head(team, actor, now), visit_id=visit.id, agency_id=agency_id)


def complete_visit(team: Team, visit: Visit, actor: Actor, draft: VisitOutcome, now: datetime) -> VisitDone:
    _require_planned(visit, "done")
    return VisitDone(**_head(team, actor, now), visit_id=visit.id, findings=draft.findings)


def cancel_visit(team: Team, visit: Visit, actor: Actor, now: datetime) -> VisitCancelled:
    _require_planned(visit, "cancelled")
    return VisitCancelled(**_head(team, actor, now), visit_id=visit.id)


def _prior_residence(facts: CaseFacts) -> Prefilled:
    if facts.prior_residence_received:
        return Prefilled(Verdict.CONFORMS, "prior_residence.received")
    if facts.prior_residence_asked:
        return Prefilled(Verdict.DOES_NOT_CONFORM, "prior_residence.not_received")
    return Prefilled(Verdict.DOES_NOT_CONFORM, "prior_residence.not_asked")


def _tasks_on_time(tasks: list[Task]) -> Prefilled:
    if not tasks:
        return Prefilled(Verdict.NOT_APPLICABLE, "tasks.none")
    if any(task.overdue or (task.finished_at is not None and task.finished_at > task.due_at) for task in tasks):
        return Prefilled(Verdict.DOES_NOT_CONFORM, "tasks.late")
    if any(task.open for task in tasks):
        return Prefilled(Verdict.DOES_NOT_CONFORM, "tasks.not_finished")
    return Prefilled(Verdict.CONFORMS, "tasks.on_time")


def _response_times(facts: CaseFacts) -> Prefilled:
    if facts.answers_late:
        return Prefilled(Verdict.DOES_NOT_CONFORM, "responses.late")
    if facts.answers_on_time:
        return Prefilled(Verdict.CONFORMS, "responses.on_time")
    if facts.answers_running:
        return Prefilled(Verdict.NOT_APPLICABLE, "responses.running")
    return Prefilled(Verdict.NOT_APPLICABLE, "responses.none")


def prefill(team: Team, facts: CaseFacts) -> dict[str, Prefilled]:
    """What the log can say for the catalogue's criteria marked `prefill`, each with its reason."""
    tasks = list(team.tasks.values())
    finished = any(not task.open for task in tasks)
    cooperation = any(task.agency_id != task.lead_agency_id for task in tasks)
    known = {
        "prior_residence": _prior_residence(facts),
        "response_times": _response_times(facts),
        "tasks_have_deadlines": Prefilled(Verdict.CONFORMS, "deadlines.set")
        if tasks
        else Prefilled(Verdict.DOES_NOT_CONFORM, "deadlines.none"),
        "cooperation": Prefilled(Verdict.CONFORMS, "cooperation.agreed")
        if cooperation
        else Prefilled(Verdict.DOES_NOT_CONFORM, "cooperation.none"),
        "tasks_on_time": _tasks_on_time(tasks),
        "chronology": Prefilled(Verdict.CONFORMS, "chronology.recorded")
        if finished
        else Prefilled(Verdict.DOES_NOT_CONFORM, "chronology.none"),
    }
    return {
        criterion.id: known[criterion.prefill]
        for criterion in catalogue().criteria
        if criterion.prefill is not None and criterion.prefill in known
    }


def review_answers(draft: ReviewDraft, prefilled: dict[str, Prefilled]) -> tuple[ReviewAnswer, ...]:
    """Every criterion of the catalogue: the reviewer's answer (with her remark), else the pre-filled one (marked,
    with its reason), else missing."""
    unknown = sorted(set(draft.answers) - {criterion.id for criterion in catalogue().criteria})
    if unknown:
        raise InvalidInput("unknown_criterion", f"no criterion {unknown[0]} in the catalogue", "answers")
    answers: list[ReviewAnswer] = []
    missing: list[str] = []
    for criterion in catalogue().criteria:
        given, known = draft.answers.get(criterion.id), prefilled.get(criterion.id)
        if given is not None:
            answers.append(ReviewAnswer(criterion=criterion.id, verdict=given.verdict, remark=given.remark))
        elif known is not None:
            answers.append(
                ReviewAnswer(criterion=criterion.id, verdict=known.verdict, prefilled=True, reason=known.reason)
            )
        else:
            missing.append(criterion.id)
    if missing:
        raise InvalidInput("criterion_unanswered", f"criterion {missing[0]} needs an answer", "answers")
    return tuple(answers)


def timely(due_at: str, answered_at: str | None, overdue: bool, now_text: str) -> bool | None:
    """Whether an answer owed came within its clock (times as the views store them, in one format): True if it
    came in time, False if late or still late, None while it is still running within its time."""
    if overdue or (answered_at is not None and answered_at > due_at):
        return False
    if answered_at is not None:
        return True
    return False if now_text >= due_at else None


def sample_cases(candidates: Iterable[str], size: int, seed: str) -> list[str]:
    """A random sample of `size` cases, the same for the same candidates and seed (so that a reviewer, or her
    supervisor, gets the same list again), in a stable order."""

    def draw(case: str) -> str:
        return hashlib.sha256(f"{seed}/{case}".encode()).hexdigest()

    return sorted(sorted(set(candidates), key=draw)[:size])


@singledispatch
def mutate_team(event: DomainEvent, team: Team) -> Team:
    raise TypeError(f"not a team event: {type(event).__name__}")


def _task(team: Team, task_id: UUID, **changes: Any) -> dict[UUID, Task]:
    return {**team.tasks, task_id: replace(team.tasks[task_id], **changes)}


def _visit(team: Team, visit_id: UUID, **changes: Any) -> dict[UUID, Visit]:
    return {**team.visits, visit_id: replace(team.visits[visit_id], **changes)}


@mutate_team.register
def _(event: ResponsibleWorkerNamed, team: Team) -> Team:
    return replace(team, worker_agency_id=event.agency_id, worker_user_id=event.user_id, worker_since=event.timestamp)


@mutate_team.register
def _(event: TaskAgreed, team: Team) -> Team:
    task = Task(
        event.task_id,
        event.lead_agency_id,
        event.agency_id,
        event.title,
        event.working_days,
        event.timestamp,
        event.due_at,
    )
    return replace(team, tasks={**team.tasks, task.id: task})


@mutate_team.register
def _(event: TaskAccepted, team: Team) -> Team:
    return replace(team, tasks=_task(team, event.task_id, status=TaskStatus.ACCEPTED))


@mutate_team.register
def _(event: TaskProgressReported, team: Team) -> Team:
    notes = (*team.tasks[event.task_id].notes, event.note)
    return replace(team, tasks=_task(team, event.task_id, notes=notes))


@mutate_team.register
def _(event: TaskFinished, team: Team) -> Team:
    status = TaskStatus.DONE if event.done else TaskStatus.NOT_DONE
    notes = (*team.tasks[event.task_id].notes, event.note)
    return replace(team, tasks=_task(team, event.task_id, status=status, notes=notes, finished_at=event.timestamp))


@mutate_team.register
def _(event: TaskOverdue, team: Team) -> Team:
    return replace(team, tasks=_task(team, event.task_id, overdue=True))


@mutate_team.register
def _(event: TaskEscalated, team: Team) -> Team:
    return replace(team, tasks=_task(team, event.task_id, escalated_to=event.to_agency_id))


@mutate_team.register
def _(event: VisitPlanned, team: Team) -> Team:
    visit = Visit(
        event.visit_id, event.agency_id, event.window_from, event.window_to, event.purpose, event.visiting_roles
    )
    return replace(team, visits={**team.visits, visit.id: visit})


@mutate_team.register
def _(event: VisitJoined, team: Team) -> Team:
    joined = (*team.visits[event.visit_id].joined, event.agency_id)
    return replace(team, visits=_visit(team, event.visit_id, joined=joined))


@mutate_team.register
def _(event: VisitDone, team: Team) -> Team:
    return replace(team, visits=_visit(team, event.visit_id, status=VisitStatus.DONE, findings=event.findings))


@mutate_team.register
def _(event: VisitCancelled, team: Team) -> Team:
    return replace(team, visits=_visit(team, event.visit_id, status=VisitStatus.CANCELLED))


def fold_team(subject_id: UUID, events: Iterable[DomainEvent]) -> Team:
    team = empty_team(subject_id)
    for event in events:
        team = replace(mutate_team(event, team), version=event.originator_version)
    return team
