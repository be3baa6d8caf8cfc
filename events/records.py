"""Record request stream: a request for prior-residence records, its answers per data category, its clocks."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from events.base import DomainEvent, Immutable
from events.people import PersonDetails
from events.values import DataCategory, Purpose, Urgency


class WithholdReason(StrEnum):
    NO_RECORDS = "no_records"
    LEGAL_RESTRICTION = "legal_restriction"
    ONGOING_INVESTIGATION = "ongoing_investigation"


class RecordEntry(Immutable):
    """One structured item of released content (an assessment, a service period, a decision)."""

    title: str
    text: str
    recorded_on: date | None = None


class DocumentReference(Immutable):
    """A released document: its blob is stored encrypted elsewhere; the log keeps what identifies it."""

    document_id: UUID
    file_name: str
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
    note: str = ""
    handover_id: UUID | None = None
    forwarded_from: UUID | None = None


class RecordRequestAcknowledged(DomainEvent):
    pass


class RecordCategoryReleased(DomainEvent):
    """Released through the disclosure `disclosure_id` (a DisclosureRecorded appended with this event)."""

    category: DataCategory
    entries: tuple[RecordEntry, ...]
    documents: tuple[DocumentReference, ...]
    disclosure_id: UUID


class RecordCategoryWithheld(DomainEvent):
    category: DataCategory
    reason: WithholdReason
    note: str = ""


class RecordCategoryForwarded(DomainEvent):
    """Not held here: asked of `forwarded_to_agency_id` in the request `forwarded_request_id`."""

    category: DataCategory
    forwarded_to_agency_id: UUID
    forwarded_request_id: UUID


class RecordRequestAnswered(DomainEvent):
    """Every category is settled (released, withheld or forwarded)."""


class RecordRequestRefused(DomainEvent):
    reason: str


class RecordRequestWithdrawn(DomainEvent):
    reason: str


class RecordRequestReminded(DomainEvent):
    due_at: datetime


class RecordRequestOverdue(DomainEvent):
    due_at: datetime


class RecordRequestEscalated(DomainEvent):
    """Raised to the head of service of the responding agency."""

    to_agency_id: UUID
    to_role: str
