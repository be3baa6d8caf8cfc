"""The record request aggregate: created, acknowledged, answered per category, refused or withdrawn; its clocks.

Commands are pure functions of the aggregate and the input that return the events to append; an illegal
transition raises Conflict with the reason `illegal_transition`.
"""

from __future__ import annotations

import base64
import binascii
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import singledispatch
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError

from events.base import Actor, DomainEvent
from events.ids import new_stream_id
from events.people import PersonDetails
from events.records import (
    ACTIVE_STATUSES,
    CategoryState,
    DocumentReference,
    RecordCategoryForwarded,
    RecordCategoryReleased,
    RecordCategoryWithheld,
    RecordEntry,
    RecordRequestAcknowledged,
    RecordRequestAnswered,
    RecordRequestCreated,
    RecordRequestEscalated,
    RecordRequestOverdue,
    RecordRequestRefused,
    RecordRequestReminded,
    RecordRequestStatus,
    RecordRequestWithdrawn,
    WithholdReason,
)
from events.values import MUNICIPALITIES, AgencyKind, DataCategory, Purpose, Role, Urgency
from hub.kernel.drafts import DraftModel
from hub.kernel.errors import Conflict, InvalidInput
from hub.people.drafts import SubjectDraft
from policies.clocks import CLOCKS_VERSION, RECORD_REQUEST_CLOCKS, ClockName
from policies.legal_bases import BASES_BY_ID

Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=2000)]
AgencyCode = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=40)]
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# Unicode categories a file name may not hold: controls (CR, LF, tab...), invisible format characters
# (direction overrides that disguise an extension), and line and paragraph separators.
UNPRINTABLE = frozenset({"Cc", "Cf", "Zl", "Zp"})
# What a prior-residence request asks of each kind of agency unless the caller says otherwise.
DEFAULT_CATEGORIES: dict[AgencyKind, tuple[DataCategory, ...]] = {
    AgencyKind.SOCIAL_SERVICE: (
        DataCategory.ASSESSMENT,
        DataCategory.RISK_ASSESSMENT,
        DataCategory.REHABILITATION_PLAN,
        DataCategory.SERVICES,
        DataCategory.OUT_OF_HOME_CARE,
    ),
    AgencyKind.ORPHANS_COURT: (DataCategory.COURT_DECISIONS, DataCategory.OUT_OF_HOME_CARE),
}


class RecordRequestDraft(DraftModel):
    """Ask another municipality's agencies (its social service and bāriņtiesa unless `agencies` names others)."""

    municipality: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=40)]
    agencies: Annotated[list[AgencyCode], Field(max_length=10, default_factory=list)]
    handover_id: UUID | None = None
    subjects: Annotated[list[SubjectDraft], Field(max_length=20, default_factory=list)]
    purpose: Purpose = Purpose.PRIOR_RESIDENCE_RECORDS
    basis: Annotated[str, StringConstraints(strict=True, max_length=40)]
    categories: Annotated[list[DataCategory], Field(min_length=1, max_length=len(DataCategory))]
    urgency: Urgency = Urgency.ROUTINE
    note: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, max_length=2000)] = ""

    @field_validator("municipality")
    @classmethod
    def _known_municipality(cls, value: str) -> str:
        if value not in MUNICIPALITIES:
            raise ValueError("unknown municipality code")
        return value

    @field_validator("basis")
    @classmethod
    def _catalogued(cls, value: str) -> str:
        if value not in BASES_BY_ID:
            raise ValueError(f"unknown legal basis; one of {', '.join(BASES_BY_ID)}")
        return value

    @field_validator("categories")
    @classmethod
    def _distinct(cls, value: list[DataCategory]) -> list[DataCategory]:
        if len(set(value)) != len(value):
            raise ValueError("a category is listed twice")
        return value

    @model_validator(mode="after")
    def _covered_by_basis(self) -> RecordRequestDraft:
        basis = BASES_BY_ID[self.basis]
        if self.purpose not in basis.purposes:
            raise ValueError(f"the legal basis {basis.id} does not cover the purpose {self.purpose.value}")
        uncovered = [category.value for category in self.categories if category not in basis.categories]
        if uncovered:
            raise ValueError(f"the legal basis {basis.id} does not cover: {', '.join(uncovered)}")
        if not self.subjects and self.handover_id is None:
            raise ValueError("name the subjects or the handover whose subjects the request is about")
        return self


class EntryDraft(DraftModel):
    title: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=200)]
    text: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=8000)]
    recorded_on: date | None = None


class DocumentDraft(DraftModel):
    """An uploaded document; its file name and media type end up in a download's headers, so both are checked."""

    file_name: Annotated[
        str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^/\\]+$")
    ]
    media_type: Annotated[
        str, StringConstraints(strict=True, max_length=100, pattern=r"^[A-Za-z0-9._+-]+/[A-Za-z0-9._+-]+$")
    ]
    content_base64: Annotated[str, StringConstraints(strict=True, min_length=1)]

    @field_validator("file_name")
    @classmethod
    def _printable(cls, value: str) -> str:
        if any(unicodedata.category(character) in UNPRINTABLE for character in value):
            raise PydanticCustomError(
                "control_character", "a file name may not contain line breaks, tabs or other control characters"
            )
        return value

    @field_validator("content_base64")
    @classmethod
    def _decodable(cls, value: str) -> str:
        try:
            content = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as error:
            raise ValueError("not valid base64") from error
        if len(content) > MAX_DOCUMENT_BYTES:
            raise ValueError(f"a document may hold at most {MAX_DOCUMENT_BYTES} bytes")
        return value

    @property
    def content(self) -> bytes:
        return base64.b64decode(self.content_base64, validate=True)


class ReleasedAnswer(DraftModel):
    category: DataCategory
    outcome: Literal["released"]
    entries: Annotated[list[EntryDraft], Field(max_length=50, default_factory=list)]
    documents: Annotated[list[DocumentDraft], Field(max_length=10, default_factory=list)]
    onward_allowed: bool = False  # the releasing agency lets the recipient pass these records on

    @model_validator(mode="after")
    def _something(self) -> ReleasedAnswer:
        if not self.entries and not self.documents:
            raise ValueError("a release carries at least one entry or document")
        return self


class WithheldAnswer(DraftModel):
    category: DataCategory
    outcome: Literal["withheld"]
    reason: WithholdReason
    note: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, max_length=2000)] = ""


class NotHeldAnswer(DraftModel):
    category: DataCategory
    outcome: Literal["not_held"]
    forward_to: AgencyCode


Answer = Annotated[ReleasedAnswer | WithheldAnswer | NotHeldAnswer, Field(discriminator="outcome")]


class AnswersDraft(DraftModel):
    """Answers to some or all of a request's categories; the request stays open until every one is settled."""

    answers: Annotated[list[Answer], Field(min_length=1, max_length=len(DataCategory))]

    @field_validator("answers")
    @classmethod
    def _one_answer_per_category(cls, value: list[Answer]) -> list[Answer]:
        categories = [answer.category for answer in value]
        if len(set(categories)) != len(categories):
            raise ValueError("a category is answered twice")
        return value


class ReasonDraft(DraftModel):
    reason: Text


@dataclass(frozen=True)
class Released:
    entries: tuple[RecordEntry, ...]
    documents: tuple[DocumentReference, ...]
    disclosure_id: UUID
    released_at: datetime


@dataclass(frozen=True)
class RecordRequest:
    id: UUID
    version: int
    requester_agency_id: UUID
    responder_agency_id: UUID
    subjects: tuple[PersonDetails, ...]
    purpose: Purpose
    basis: str
    categories: tuple[DataCategory, ...]
    urgency: Urgency
    created_at: datetime
    due_at: datetime
    note: str
    handover_id: UUID | None
    forwarded_from: UUID | None
    status: RecordRequestStatus = RecordRequestStatus.OPEN
    settled: Mapping[DataCategory, CategoryState] = field(default_factory=dict)
    released: Mapping[DataCategory, Released] = field(default_factory=dict)
    withheld: Mapping[DataCategory, tuple[WithholdReason, str]] = field(default_factory=dict)
    forwarded: Mapping[DataCategory, tuple[UUID, UUID]] = field(default_factory=dict)
    closing_reason: str | None = None
    reminded: bool = False
    overdue: bool = False
    escalated: bool = False

    @property
    def subject_ids(self) -> tuple[UUID, ...]:
        return tuple(subject.subject_id for subject in self.subjects)

    def terms(self, categories: tuple[DataCategory, ...]) -> RequestTerms:
        return RequestTerms(self.purpose, self.basis, categories, self.urgency, self.note, self.handover_id)

    @property
    def open_categories(self) -> tuple[DataCategory, ...]:
        return tuple(category for category in self.categories if category not in self.settled)

    def document(self, document_id: UUID) -> tuple[DataCategory, DocumentReference] | None:
        for category, part in self.released.items():
            for reference in part.documents:
                if reference.document_id == document_id:
                    return category, reference
        return None


@dataclass(frozen=True)
class RequestTerms:
    """What is asked, why and how urgently: the same for every responder of a draft, kept when forwarding."""

    purpose: Purpose
    basis: str
    categories: tuple[DataCategory, ...]
    urgency: Urgency
    note: str = ""
    handover_id: UUID | None = None

    @classmethod
    def of(cls, draft: RecordRequestDraft) -> RequestTerms:
        return cls(draft.purpose, draft.basis, tuple(draft.categories), draft.urgency, draft.note, draft.handover_id)


def create_request(
    terms: RequestTerms,
    actor: Actor,
    requester_agency_id: UUID,
    responder_agency_id: UUID,
    subjects: tuple[PersonDetails, ...],
    now: datetime,
    forwarded_from: UUID | None = None,
) -> RecordRequestCreated:
    """A request from `requester_agency_id` (the actor's agency, or the original requester when forwarding)."""
    if responder_agency_id == requester_agency_id:
        raise InvalidInput("request_to_self", "an agency cannot request records from itself", "agencies")
    return RecordRequestCreated(
        originator_id=new_stream_id(),
        originator_version=1,
        timestamp=now,
        actor=actor,
        requester_agency_id=requester_agency_id,
        responder_agency_id=responder_agency_id,
        subjects=subjects,
        purpose=terms.purpose,
        basis=terms.basis,
        categories=terms.categories,
        urgency=terms.urgency,
        due_at=RECORD_REQUEST_CLOCKS[terms.urgency][ClockName.ANSWER_RECORDS].due(now),
        clocks_version=CLOCKS_VERSION,
        note=terms.note,
        handover_id=terms.handover_id,
        forwarded_from=forwarded_from,
    )


def _require_status(request: RecordRequest, allowed: frozenset[RecordRequestStatus], action: str) -> None:
    if request.status not in allowed:
        raise Conflict("illegal_transition", f"a request that is {request.status} cannot be {action}")


def acknowledge(request: RecordRequest, actor: Actor, now: datetime) -> RecordRequestAcknowledged:
    _require_status(request, frozenset({RecordRequestStatus.OPEN}), "acknowledged")
    return RecordRequestAcknowledged(
        originator_id=request.id, originator_version=request.version + 1, timestamp=now, actor=actor
    )


def check_answerable(request: RecordRequest, draft: AnswersDraft) -> None:
    """Raise unless every answered category is requested and still open on an acknowledged request."""
    _require_status(request, frozenset({RecordRequestStatus.ACKNOWLEDGED}), "answered (acknowledge it first)")
    for index, answer in enumerate(draft.answers):
        if answer.category not in request.categories:
            raise InvalidInput(
                "category_not_requested",
                f"{answer.category.value} was not requested",
                f"answers.{index}.category",
            )
        if answer.category in request.settled:
            raise Conflict(
                "category_already_settled",
                f"{answer.category.value} was already {request.settled[answer.category]}",
                f"answers.{index}.category",
            )


@dataclass(frozen=True)
class Release:
    """A released answer, disclosed by `disclosure_id`, its documents already stored as `documents`."""

    answer: ReleasedAnswer
    documents: tuple[DocumentReference, ...]
    disclosure_id: UUID

    @property
    def category(self) -> DataCategory:
        return self.answer.category


@dataclass(frozen=True)
class Forward:
    """A category not held here, asked of `to_agency_id` in the new request `request_id`."""

    category: DataCategory
    to_agency_id: UUID
    request_id: UUID


Settlement = Release | WithheldAnswer | Forward


def _about(request: RecordRequest) -> UUID | None:
    """Whose key seals a request's free text: its first subject (the child the request is about)."""
    return request.subjects[0].subject_id if request.subjects else None


def _settlement_event(request: RecordRequest, settlement: Settlement, **head: Any) -> DomainEvent:
    if isinstance(settlement, Release):
        return RecordCategoryReleased(
            **head,
            about=_about(request),
            category=settlement.category,
            entries=tuple(RecordEntry(**entry.model_dump()) for entry in settlement.answer.entries),
            documents=settlement.documents,
            disclosure_id=settlement.disclosure_id,
            onward_allowed=settlement.answer.onward_allowed,
        )
    if isinstance(settlement, WithheldAnswer):
        return RecordCategoryWithheld(
            **head,
            about=_about(request),
            category=settlement.category,
            reason=settlement.reason,
            note=settlement.note,
        )
    return RecordCategoryForwarded(
        **head,
        category=settlement.category,
        forwarded_to_agency_id=settlement.to_agency_id,
        forwarded_request_id=settlement.request_id,
    )


def answer_events(
    request: RecordRequest, actor: Actor, now: datetime, settlements: list[Settlement]
) -> list[DomainEvent]:
    """One event per settled category, numbered in the stream, and the close if nothing is left open."""
    events = [
        _settlement_event(
            request, settlement, originator_id=request.id, originator_version=version, timestamp=now, actor=actor
        )
        for version, settlement in enumerate(settlements, start=request.version + 1)
    ]
    if set(request.settled) | {settlement.category for settlement in settlements} >= set(request.categories):
        events.append(
            RecordRequestAnswered(
                originator_id=request.id,
                originator_version=request.version + len(events) + 1,
                timestamp=now,
                actor=actor,
            )
        )
    return events


def refuse(request: RecordRequest, actor: Actor, reason: str, now: datetime) -> RecordRequestRefused:
    _require_status(request, ACTIVE_STATUSES, "refused")
    if request.settled:
        raise Conflict("illegal_transition", "a request with answered categories cannot be refused as a whole")
    return RecordRequestRefused(
        originator_id=request.id,
        originator_version=request.version + 1,
        timestamp=now,
        actor=actor,
        reason=reason,
        about=_about(request),
    )


def withdraw(request: RecordRequest, actor: Actor, reason: str, now: datetime) -> RecordRequestWithdrawn:
    _require_status(request, ACTIVE_STATUSES, "withdrawn")
    return RecordRequestWithdrawn(
        originator_id=request.id,
        originator_version=request.version + 1,
        timestamp=now,
        actor=actor,
        reason=reason,
        about=_about(request),
    )


def clock_events(request: RecordRequest, now: datetime) -> list[DomainEvent]:
    """What the clocks say now: a reminder before the due time, then overdue and escalation; each only once."""
    if request.status not in ACTIVE_STATUSES:
        return []
    version = request.version
    if now >= request.due_at:
        if request.overdue:
            return []
        return [
            RecordRequestOverdue(
                originator_id=request.id, originator_version=version + 1, timestamp=now, due_at=request.due_at
            ),
            RecordRequestEscalated(
                originator_id=request.id,
                originator_version=version + 2,
                timestamp=now,
                to_agency_id=request.responder_agency_id,
                to_role=Role.HEAD_OF_SERVICE.value,
            ),
        ]
    lead = RECORD_REQUEST_CLOCKS[request.urgency][ClockName.REMIND_RECORDS]
    if not request.reminded and lead.due(now) >= request.due_at:
        return [
            RecordRequestReminded(
                originator_id=request.id, originator_version=version + 1, timestamp=now, due_at=request.due_at
            )
        ]
    return []


@singledispatch
def mutate_request(event: DomainEvent, request: RecordRequest | None) -> RecordRequest | None:
    raise TypeError(f"not a record request event: {type(event).__name__}")


@mutate_request.register
def _(event: RecordRequestCreated, _: RecordRequest | None) -> RecordRequest:
    return RecordRequest(
        id=event.originator_id,
        version=event.originator_version,
        requester_agency_id=event.requester_agency_id,
        responder_agency_id=event.responder_agency_id,
        subjects=event.subjects,
        purpose=event.purpose,
        basis=event.basis,
        categories=event.categories,
        urgency=event.urgency,
        created_at=event.timestamp,
        due_at=event.due_at,
        note=event.note,
        handover_id=event.handover_id,
        forwarded_from=event.forwarded_from,
    )


def _existing(request: RecordRequest | None, event: DomainEvent, **changes: object) -> RecordRequest:
    assert request is not None
    return replace(request, version=event.originator_version, **changes)  # type: ignore[arg-type]


@mutate_request.register
def _(event: RecordRequestAcknowledged, request: RecordRequest | None) -> RecordRequest:
    return _existing(request, event, status=RecordRequestStatus.ACKNOWLEDGED)


@mutate_request.register
def _(event: RecordCategoryReleased, request: RecordRequest | None) -> RecordRequest:
    assert request is not None
    part = Released(event.entries, event.documents, event.disclosure_id, event.timestamp)
    return _existing(
        request,
        event,
        settled={**request.settled, event.category: CategoryState.RELEASED},
        released={**request.released, event.category: part},
    )


@mutate_request.register
def _(event: RecordCategoryWithheld, request: RecordRequest | None) -> RecordRequest:
    assert request is not None
    return _existing(
        request,
        event,
        settled={**request.settled, event.category: CategoryState.WITHHELD},
        withheld={**request.withheld, event.category: (event.reason, event.note)},
    )


@mutate_request.register
def _(event: RecordCategoryForwarded, request: RecordRequest | None) -> RecordRequest:
    assert request is not None
    target = (event.forwarded_to_agency_id, event.forwarded_request_id)
    return _existing(
        request,
        event,
        settled={**request.settled, event.category: CategoryState.FORWARDED},
        forwarded={**request.forwarded, event.category: target},
    )


@mutate_request.register
def _(event: RecordRequestAnswered, request: RecordRequest | None) -> RecordRequest:
    return _existing(request, event, status=RecordRequestStatus.ANSWERED)


@mutate_request.register
def _(event: RecordRequestRefused, request: RecordRequest | None) -> RecordRequest:
    return _existing(request, event, status=RecordRequestStatus.REFUSED, closing_reason=event.reason)


@mutate_request.register
def _(event: RecordRequestWithdrawn, request: RecordRequest | None) -> RecordRequest:
    return _existing(request, event, status=RecordRequestStatus.WITHDRAWN, closing_reason=event.reason)


@mutate_request.register
def _(event: RecordRequestReminded, request: RecordRequest | None) -> RecordRequest:
    return _existing(request, event, reminded=True)


@mutate_request.register
def _(event: RecordRequestOverdue, request: RecordRequest | None) -> RecordRequest:
    return _existing(request, event, overdue=True)


@mutate_request.register
def _(event: RecordRequestEscalated, request: RecordRequest | None) -> RecordRequest:
    return _existing(request, event, escalated=True)


def project_request(request: RecordRequest | None, events: Iterable[DomainEvent]) -> RecordRequest | None:
    for event in events:
        request = mutate_request(event, request)
    return request
