"""Break-glass review stream: each emergency access opens a review that the head of service resolves."""

from __future__ import annotations

from uuid import UUID

from events.base import DomainEvent
from events.values import ReviewOutcome


class BreakGlassReviewOpened(DomainEvent):
    """An access without consent or basis; the reviewing agency is the one the user acted for."""

    agency_id: UUID
    action: str
    resource: str
    subjects: tuple[UUID, ...]
    justification: str


class BreakGlassReviewResolved(DomainEvent):
    outcome: ReviewOutcome
    note: str
