"""Handover stream (pēctecība): a family moved; its case is offered to the new municipality's social service."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar
from uuid import UUID

from events.base import DomainEvent, Immutable
from events.people import PersonDetails
from events.personal import NAMES_PEOPLE
from events.values import DataCategory


class HandoverStatus(StrEnum):
    """Where a handover stands: recorded, offered to the new social service, then accepted or declined."""

    RECORDED = "recorded"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ChecklistItem(Immutable):
    """A prior-residence request the new service should make: to whom, for which categories."""

    responder_agency_id: UUID
    categories: tuple[DataCategory, ...]


class ResidenceChangeRecorded(DomainEvent):
    from_agency_id: UUID
    from_municipality: str
    to_municipality: str
    moved_on: date
    subjects: tuple[PersonDetails, ...]
    note: Annotated[str, NAMES_PEOPLE] = ""

    def data_subject(self) -> UUID | None:
        return self.subjects[0].subject_id if self.subjects else None

    def data_subjects(self) -> tuple[UUID, ...]:
        return tuple(subject.subject_id for subject in self.subjects)


class HandoverOffered(DomainEvent):
    to_agency_id: UUID


class HandoverAccepted(DomainEvent):
    """Ownership passes to the accepting service, with its missing-information checklist."""

    checklist: tuple[ChecklistItem, ...]


class HandoverDeclined(DomainEvent):
    """`subjects` are the handover's people; the reason may name any of them (older events: in the clear)."""

    clear_in_older_events: ClassVar[frozenset[str]] = frozenset({"reason"})

    reason: Annotated[str, NAMES_PEOPLE]
    subjects: tuple[UUID, ...] = ()

    def data_subjects(self) -> tuple[UUID, ...]:
        return self.subjects
