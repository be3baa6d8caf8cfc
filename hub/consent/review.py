"""The break-glass review aggregate: opened with the emergency access, resolved once by a head of service."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import singledispatch
from typing import Annotated
from uuid import UUID

from pydantic import StringConstraints

from events.base import Actor, DomainEvent
from events.ids import new_stream_id
from events.review import BreakGlassReviewOpened, BreakGlassReviewResolved
from events.values import ReviewOutcome
from hub.kernel.drafts import DraftModel
from hub.kernel.errors import Conflict


class ResolutionDraft(DraftModel):
    outcome: ReviewOutcome
    note: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=2000)]


@dataclass(frozen=True)
class Review:
    id: UUID
    version: int
    agency_id: UUID
    requested_by: str
    action: str
    resource: str
    subjects: tuple[UUID, ...]
    justification: str
    opened_at: datetime
    outcome: ReviewOutcome | None = None
    note: str | None = None
    resolved_by: str | None = None


def open_review(
    actor: Actor, action: str, resource: str, subjects: tuple[UUID, ...], justification: str
) -> BreakGlassReviewOpened:
    assert actor.agency_id is not None
    return BreakGlassReviewOpened(
        originator_id=new_stream_id(),
        originator_version=1,
        actor=actor,
        agency_id=actor.agency_id,
        action=action,
        resource=resource,
        subjects=subjects,
        justification=justification.strip(),
    )


def resolve_review(review: Review, actor: Actor, draft: ResolutionDraft) -> BreakGlassReviewResolved:
    if review.outcome is not None:
        raise Conflict("review_already_resolved", f"the review was resolved as {review.outcome.value}")
    return BreakGlassReviewResolved(
        originator_id=review.id,
        originator_version=review.version + 1,
        actor=actor,
        outcome=draft.outcome,
        note=draft.note,
        subjects=review.subjects,
    )


@singledispatch
def mutate_review(event: DomainEvent, review: Review | None) -> Review | None:
    raise TypeError(f"not a review event: {type(event).__name__}")


@mutate_review.register
def _(event: BreakGlassReviewOpened, _: Review | None) -> Review:
    return Review(
        id=event.originator_id,
        version=event.originator_version,
        agency_id=event.agency_id,
        requested_by=event.actor.user_id,
        action=event.action,
        resource=event.resource,
        subjects=event.subjects,
        justification=event.justification,
        opened_at=event.timestamp,
    )


@mutate_review.register
def _(event: BreakGlassReviewResolved, review: Review | None) -> Review:
    assert review is not None
    return replace(
        review,
        version=event.originator_version,
        outcome=event.outcome,
        note=event.note,
        resolved_by=event.actor.user_id,
    )


def project_review(review: Review | None, events: Iterable[DomainEvent]) -> Review | None:
    for event in events:
        review = mutate_review(event, review)
    return review
