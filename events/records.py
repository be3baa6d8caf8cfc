"""Record request stream: a request for prior-residence records, its answers per data category, its clocks."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from events.base import AboutSubject, DomainEvent, Immutable
from events.people import PersonDetails
from events.personal import NAMES_PEOPLE, PERSONAL
from events.values import DataCategory, Purpose, Urgency


class RecordRequestStatus(StrEnum):
    """Where a record request stands: open until acknowledged, then answered, refused or withdrawn."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    ANSWERED = "answered"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


# While in these states the request's clocks run and it may still be refused or withdrawn.
ACTIVE_STATUSES = frozenset({RecordRequestStatus.OPEN, RecordRequestStatus.ACKNOWLEDGED})


class CategoryState(StrEnum):
    """Where one requested data category stands: open until released, withheld or forwarded."""

    OPEN = "open"
    RELEASED = "released"
    WITHHELD = "withheld"
    FORWARDED = "forwarded"


class WithholdReason(StrEnum):
    NO_RECORDS = "no_records"
    LEGAL_RESTRICTION = "legal_restriction"
    ONGOING_INVESTIGATION = "ongoing_investigation"


class RecordEntry(Immutable):
    """One structured item of released content (an assessment, a service period, a decision)."""

    title: Annotated[str, PERSONAL]
    text: Annotated[str, PERSONAL]
    recorded_on: date | None = None


class DocumentReference(Immutable):
    """A released document: its blob is stored encrypted elsewhere; the log keeps what identifies it."""

    document_id: UUID
    file_name: Annotated[str, PERSONAL]
    media_type: str
    size: int
    sha256: str


class RecordRequestCreated(DomainEvent):
    requester_agency_id: UUID
    responder_agency_id: UUID
    subjects: tuple[PersonDetails, ...]
    purpose: Purpose
    basis: str
    categories: tuple[DataCategory, ...]
    urgency: Urgency
    due_at: datetime
    clocks_version: str
    note: Annotated[str, NAMES_PEOPLE] = ""
    handover_id: UUID | None = None
    forwarded_from: UUID | None = None

    def data_subject(self) -> UUID | None:
        return self.subjects[0].subject_id if self.subjects else None

    def data_subjects(self) -> tuple[UUID, ...]:
        return tuple(subject.subject_id for subject in self.subjects)


class RecordRequestAcknowledged(DomainEvent):
    pass


class RecordCategoryReleased(AboutSubject):
    """Released through the disclosure `disclosure_id` (a DisclosureRecorded appended with this event).

    `onward_allowed`: the releasing agency's recorded permission for the recipient to pass these records on;
    without it the originator controls onward sharing.
    """

    category: DataCategory
    entries: tuple[RecordEntry, ...]
    documents: tuple[DocumentReference, ...]
    disclosure_id: UUID
    onward_allowed: bool = False


class RecordCategoryWithheld(AboutSubject):
    category: DataCategory
    reason: WithholdReason
    note: Annotated[str, PERSONAL] = ""


class RecordCategoryForwarded(DomainEvent):
    """Not held here: asked of `forwarded_to_agency_id` in the request `forwarded_request_id`."""

    category: DataCategory
    forwarded_to_agency_id: UUID
    forwarded_request_id: UUID


class RecordRequestAnswered(DomainEvent):
    """Every category is settled (released, withheld or forwarded)."""


class RecordRequestRefused(AboutSubject):
    reason: Annotated[str, PERSONAL]


class RecordRequestWithdrawn(AboutSubject):
    reason: Annotated[str, PERSONAL]


class RecordRequestReminded(DomainEvent):
    due_at: datetime


class RecordRequestOverdue(DomainEvent):
    due_at: datetime


class RecordRequestEscalated(DomainEvent):
    """Raised to the head of service of the responding agency."""

    to_agency_id: UUID
    to_role: str
