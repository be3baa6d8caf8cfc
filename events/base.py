"""Base classes for immutable, pydantic-defined domain events and the actor who caused them."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from eventsourcing.domain import datetime_now_with_tzinfo
from pydantic import BaseModel, ConfigDict, Field


class Immutable(BaseModel):
    """A frozen model that rejects unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Actor(Immutable):
    """Who caused an event: a user acting inside an agency with a role, or the hub itself."""

    user_id: str
    agency_id: UUID | None = None
    role: str = "system"


SYSTEM = Actor(user_id="hub", role="system")


class DomainEvent(Immutable):
    """One fact in the log; `originator_id` and `originator_version` place it in its stream."""

    originator_id: UUID
    originator_version: int
    timestamp: datetime = Field(default_factory=datetime_now_with_tzinfo)
    event_id: UUID = Field(default_factory=uuid4)
    actor: Actor = SYSTEM

    def data_subject(self) -> UUID | None:
        """The person this event's own personal fields are about (people's details name their own subject)."""
        return None

    def data_subjects(self) -> tuple[UUID, ...]:
        """Everyone this event names: its free text that may name people (`NAMES_PEOPLE`) is sealed under each."""
        subject = self.data_subject()
        return (subject,) if subject is not None else ()


class AboutSubject(DomainEvent):
    """An event in a stream about a person (a referral, a record request): `about` names whose key seals its text."""

    about: UUID | None = None

    def data_subject(self) -> UUID | None:
        return self.about
