"""A person's written request about their data (GDPR Art. 12(3)): its state folded from its stream, the commands
that record, extend and answer it, and its clock (`policies.clocks.written_request_due`, calendar months in Riga).

A request is extended at most once (by the two further months the article allows), only with a reason and before
the first month ends; an answered request changes no more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from typing import Annotated
from uuid import UUID

from pydantic import StringConstraints

from events.base import SYSTEM, Actor, DomainEvent
from events.ids import new_stream_id
from events.written_requests import (
    RequestedRight,
    WrittenRequestAnswered,
    WrittenRequestExtended,
    WrittenRequestOverdue,
    WrittenRequestRecorded,
    WrittenRequestStatus,
)
from hub.kernel.drafts import DraftModel
from hub.kernel.errors import Conflict, InvalidInput, NotFound
from policies.clocks import CLOCKS_VERSION, RIGA, written_request_due

MIN_REASON_CHARS = 10


class WrittenRequestDraft(DraftModel):
    subject_id: UUID
    right: RequestedRight
    received_on: date  # the Riga day the letter arrived


class ExtensionDraft(DraftModel):
    reason: Annotated[
        str, StringConstraints(strict=True, strip_whitespace=True, min_length=MIN_REASON_CHARS, max_length=1000)
    ]


@dataclass(frozen=True)
class WrittenRequest:
    id: UUID
    version: int
    subject_id: UUID
    agency_id: UUID
    right: RequestedRight
    received_at: datetime
    due_at: datetime
    status: WrittenRequestStatus = WrittenRequestStatus.OPEN
    extended: bool = False
    overdue: bool = False


def fold(events: Sequence[DomainEvent]) -> WrittenRequest:
    """The request as its stream leaves it; NotFound if the stream is no written request."""
    if not events or not isinstance(events[0], WrittenRequestRecorded):
        raise NotFound("written_request_not_found", "no written request with this id")
    first = events[0]
    assert first.about is not None  # a request is always about a person
    request = WrittenRequest(
        first.originator_id, 1, first.about, first.agency_id, first.right, first.received_at, first.due_at
    )
    for event in events[1:]:
        request = replace(request, version=event.originator_version)
        if isinstance(event, WrittenRequestExtended):
            request = replace(request, extended=True, overdue=False, due_at=event.due_at)
        elif isinstance(event, WrittenRequestAnswered):
            request = replace(request, status=WrittenRequestStatus.ANSWERED)
        elif isinstance(event, WrittenRequestOverdue):
            request = replace(request, overdue=True)
    return request


def record(draft: WrittenRequestDraft, agency_id: UUID, actor: Actor, now: datetime) -> WrittenRequestRecorded:
    """A letter received on `received_on` (not in the future): its clock runs a calendar month from that day."""
    if draft.received_on > now.astimezone(RIGA).date():
        raise InvalidInput("received_in_the_future", "the letter cannot arrive after today", "received_on")
    received_at = datetime.combine(draft.received_on, time.min, tzinfo=RIGA).astimezone(UTC)
    return WrittenRequestRecorded(
        originator_id=new_stream_id(),
        originator_version=1,
        timestamp=now,
        actor=actor,
        about=draft.subject_id,
        agency_id=agency_id,
        right=draft.right,
        received_at=received_at,
        due_at=written_request_due(received_at),
        clocks_version=CLOCKS_VERSION,
    )


def _open(request: WrittenRequest) -> None:
    if request.status is WrittenRequestStatus.ANSWERED:
        raise Conflict("written_request_answered", "the request is already answered")


def extend(request: WrittenRequest, draft: ExtensionDraft, actor: Actor, now: datetime) -> WrittenRequestExtended:
    """Two further months, once, with the reason the person is told, and only within the first month (the person
    must hear of the extension within it)."""
    _open(request)
    if request.extended:
        raise Conflict("written_request_extended", "the request's clock was already extended")
    if now >= request.due_at:
        raise Conflict("extension_too_late", "an extension must be decided within the first month")
    return WrittenRequestExtended(
        originator_id=request.id,
        originator_version=request.version + 1,
        timestamp=now,
        actor=actor,
        about=request.subject_id,
        reason=draft.reason,
        due_at=written_request_due(request.received_at, extended=True),
    )


def answer(request: WrittenRequest, actor: Actor, now: datetime) -> WrittenRequestAnswered:
    _open(request)
    return WrittenRequestAnswered(
        originator_id=request.id, originator_version=request.version + 1, timestamp=now, actor=actor,
        about=request.subject_id,
    )  # fmt: skip


def clock_event(request: WrittenRequest, now: datetime) -> WrittenRequestOverdue | None:
    """The overdue event of an open request past its due time (once per due time)."""
    if request.status is WrittenRequestStatus.ANSWERED or request.overdue or now < request.due_at:
        return None
    return WrittenRequestOverdue(
        originator_id=request.id, originator_version=request.version + 1, timestamp=now, actor=SYSTEM,
        about=request.subject_id, agency_id=request.agency_id, due_at=request.due_at,
    )  # fmt: skip
