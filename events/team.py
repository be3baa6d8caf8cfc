"""Team stream (one per person): the named responsible worker, tasks agreed between agencies and coordinated home
visits. Case-file reviews are their own streams (`CaseReviewed`). Free text is sealed under the person's key."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from events.base import AboutSubject, DomainEvent, Immutable
from events.personal import PERSONAL


class TaskStatus(StrEnum):
    AGREED = "agreed"
    ACCEPTED = "accepted"
    DONE = "done"
    NOT_DONE = "not_done"


class VisitStatus(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"


class Verdict(StrEnum):
    CONFORMS = "conforms"
    DOES_NOT_CONFORM = "does_not_conform"
    NOT_APPLICABLE = "not_applicable"


class ResponsibleWorkerNamed(AboutSubject):
    """The lead social service names the one worker the family deals with (the user, by registry id)."""

    agency_id: UUID
    user_id: UUID


class TaskAgreed(AboutSubject):
    task_id: UUID
    lead_agency_id: UUID
    agency_id: UUID
    title: Annotated[str, PERSONAL]
    working_days: int
    due_at: datetime


class TaskAccepted(AboutSubject):
    task_id: UUID


class TaskProgressReported(AboutSubject):
    task_id: UUID
    note: Annotated[str, PERSONAL]


class TaskFinished(AboutSubject):
    """Done or not done, with a note: what the case-file review reads as the chronology."""

    task_id: UUID
    done: bool
    note: Annotated[str, PERSONAL]


class TaskOverdue(AboutSubject):
    task_id: UUID
    due_at: datetime


class TaskEscalated(AboutSubject):
    """Raised to the head of service of the assigned agency, as record-request clocks do."""

    task_id: UUID
    to_agency_id: UUID
    to_role: str


class VisitPlanned(AboutSubject):
    visit_id: UUID
    agency_id: UUID
    window_from: date
    window_to: date
    purpose: Annotated[str, PERSONAL]
    visiting_roles: tuple[str, ...]


class VisitJoined(AboutSubject):
    visit_id: UUID
    agency_id: UUID


class VisitDone(AboutSubject):
    """Findings stay with the visiting agency (sealed; shown to it only)."""

    visit_id: UUID
    findings: Annotated[str, PERSONAL]


class VisitCancelled(AboutSubject):
    visit_id: UUID


class ReviewAnswer(Immutable):
    """One criterion's answer; `reason` is the catalogue's code for why the hub pre-filled it, `remark` the
    reviewer's (sealed: it may name people; it never reaches the ministry's figures)."""

    criterion: str
    verdict: Verdict
    prefilled: bool = False
    reason: str | None = None
    remark: Annotated[str, PERSONAL] = ""


class CaseReviewed(DomainEvent):
    """One case file reviewed against the catalogue; `remarks` holds the reviewer's remarks (sealed)."""

    subject_id: UUID
    reviewer_agency_id: UUID
    municipality: str
    reviewed_on: date
    catalogue: str
    answers: tuple[ReviewAnswer, ...]
    remarks: Annotated[str, PERSONAL] = ""

    def data_subject(self) -> UUID | None:
        return self.subject_id


TEAM_EVENTS: tuple[type[DomainEvent], ...] = (
    ResponsibleWorkerNamed,
    TaskAgreed,
    TaskAccepted,
    TaskProgressReported,
    TaskFinished,
    TaskOverdue,
    TaskEscalated,
    VisitPlanned,
    VisitJoined,
    VisitDone,
    VisitCancelled,
)
