"""What the team routes answer: the team, tasks, visits, case-file reviews and the review figures."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from events.team import TaskStatus, Verdict, VisitStatus
from hub.api.schemas import AgencySummary


class ResponsibleWorker(BaseModel):
    display_name: str | None
    agency: AgencySummary | None
    since: str


class TeamTie(BaseModel):
    tie: str
    since: str


class TeamMember(BaseModel):
    agency: AgencySummary | None
    ties: list[TeamTie]


class TeamDocument(BaseModel):
    subject_id: str
    responsible_worker: ResponsibleWorker | None
    agencies: list[TeamMember] = []


class TaskDocument(BaseModel):
    task_id: str
    lead: AgencySummary | None
    agency: AgencySummary | None
    title: str
    working_days: int
    agreed_at: datetime
    due_at: datetime
    status: TaskStatus
    done: bool | None
    notes: list[str]
    overdue: bool
    escalated_to: AgencySummary | None


class TaskEnvelope(BaseModel):
    task_id: str
    subject_id: str
    agency: AgencySummary | None
    lead: AgencySummary | None
    due_at: str
    status: TaskStatus
    overdue: bool


class VisitDocument(BaseModel):
    visit_id: str
    agency: AgencySummary | None
    window_from: date
    window_to: date
    visiting_roles: list[str]
    joined: list[AgencySummary | None]
    status: VisitStatus
    purpose: str | None = None
    findings: str | None = None


class PlannedVisit(VisitDocument):
    warnings: list[VisitDocument]


class PrefillReason(BaseModel):
    """Why the hub pre-filled an answer: a code of the catalogue and its words in Latvian and English."""

    code: str
    lv: str
    en: str


class PrefilledCriterion(BaseModel):
    criterion: str
    group: str
    lv: str
    en: str
    prefilled: Verdict | None
    reason: PrefillReason | None


class ReviewPrefill(BaseModel):
    catalogue: str
    criteria: list[PrefilledCriterion]


class ReviewAnswerDocument(BaseModel):
    criterion: str
    verdict: Verdict
    prefilled: bool
    reason: PrefillReason | None
    remark: str


class ReviewDocument(BaseModel):
    id: str
    catalogue: str
    reviewed_on: date
    answers: list[ReviewAnswerDocument]
    prefilled: list[str]
    remarks: str


class SampledCase(BaseModel):
    subject_id: str


class ReviewSample(BaseModel):
    """Cases drawn for review: `candidates` is how many the period held that were not yet reviewed."""

    catalogue: str
    since: date | None
    until: date | None
    candidates: int
    cases: list[SampledCase]
