"""Investigation stream: the police mark that they investigate an offence concerning some subjects, and close it.

While open, the subjects' own access report does not show the police's part (see `policies/access_report.py`).
"""

from __future__ import annotations

from typing import Annotated, ClassVar
from uuid import UUID

from events.base import DomainEvent
from events.personal import NAMES_PEOPLE


class InvestigationOpened(DomainEvent):
    """The police's case reference may name people: sealed under each subject (older events: in the clear)."""

    clear_in_older_events: ClassVar[frozenset[str]] = frozenset({"reference"})

    police_agency_id: UUID
    subjects: tuple[UUID, ...]
    reference: Annotated[str, NAMES_PEOPLE]

    def data_subjects(self) -> tuple[UUID, ...]:
        return self.subjects


class InvestigationClosed(DomainEvent):
    police_agency_id: UUID
    subjects: tuple[UUID, ...]
