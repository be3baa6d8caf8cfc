"""Investigation stream: the police mark that they investigate an offence concerning some subjects, and close it.

While open, the subjects' own access report does not show the police's part (see `policies/access_report.py`).
"""

from __future__ import annotations

from uuid import UUID

from events.base import DomainEvent


class InvestigationOpened(DomainEvent):
    police_agency_id: UUID
    subjects: tuple[UUID, ...]
    reference: str


class InvestigationClosed(DomainEvent):
    police_agency_id: UUID
    subjects: tuple[UUID, ...]
