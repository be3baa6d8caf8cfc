"""Break-glass review stream: each emergency access opens a review that the head of service resolves.

The justification and the review note are free text that may name any of the people read: sealed under each.
"""

from __future__ import annotations

from typing import Annotated, ClassVar
from uuid import UUID

from events.base import DomainEvent
from events.personal import NAMES_PEOPLE
from events.values import ReviewOutcome


class BreakGlassReviewOpened(DomainEvent):
    """An access without consent or basis; the reviewing agency is the one the user acted for."""

    clear_in_older_events: ClassVar[frozenset[str]] = frozenset({"justification"})

    agency_id: UUID
    action: str
    resource: str
    subjects: tuple[UUID, ...]
    justification: Annotated[str, NAMES_PEOPLE]

    def data_subjects(self) -> tuple[UUID, ...]:
        return self.subjects


class BreakGlassReviewResolved(DomainEvent):
    """`subjects` are the reviewed access's people (older events lack them and kept the note in the clear)."""

    clear_in_older_events: ClassVar[frozenset[str]] = frozenset({"note"})

    outcome: ReviewOutcome
    note: Annotated[str, NAMES_PEOPLE]
    subjects: tuple[UUID, ...] = ()

    def data_subjects(self) -> tuple[UUID, ...]:
        return self.subjects
