"""Handover stream (pēctecība): a family moved; its case is offered to the new municipality's social service."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from events.base import DomainEvent, Immutable
from events.people import PersonDetails
from events.personal import PERSONAL
from events.values import DataCategory


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
    note: Annotated[str, PERSONAL] = ""

    def data_subject(self) -> UUID | None:
        return self.subjects[0].subject_id if self.subjects else None


class HandoverOffered(DomainEvent):
    to_agency_id: UUID


class HandoverAccepted(DomainEvent):
    """Ownership passes to the accepting service, with its missing-information checklist."""

    checklist: tuple[ChecklistItem, ...]


class HandoverDeclined(DomainEvent):
    reason: str
