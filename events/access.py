"""Access stream: every read of personal data, permitted or denied, is an event."""

from __future__ import annotations

from typing import Annotated, ClassVar
from uuid import UUID

from events.base import DomainEvent
from events.personal import NAMES_PEOPLE
from events.values import DataCategory, Decision


class AccessRecorded(DomainEvent):
    """One read or disclosure attempt: who (in `actor`), what action on which resource, about whom, why, the outcome.

    `policy_hash`, `consent_id`/`consent_version` and `break_glass` let an auditor re-run the decision later.
    The purpose is free text that may name people: sealed under every subject (see `events.personal`).
    """

    clear_in_older_events: ClassVar[frozenset[str]] = frozenset({"purpose"})

    action: str
    resource: str
    purpose: Annotated[str, NAMES_PEOPLE]
    subjects: tuple[UUID, ...]
    categories: tuple[DataCategory, ...]
    decision: Decision
    basis: str | None
    reasons: tuple[str, ...]
    redacted: tuple[DataCategory, ...] = ()
    policy_hash: str | None = None
    consent_id: UUID | None = None
    consent_version: int | None = None
    break_glass: bool = False

    def data_subjects(self) -> tuple[UUID, ...]:
        return self.subjects
