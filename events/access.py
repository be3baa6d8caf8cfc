"""Access stream: every read of personal data, permitted or denied, is an event."""

from __future__ import annotations

from uuid import UUID

from events.base import DomainEvent
from events.values import DataCategory, Decision


class AccessRecorded(DomainEvent):
    """One read attempt: who (in `actor`), what action on which resource, about whom, why, and the outcome."""

    action: str
    resource: str
    purpose: str
    subjects: tuple[UUID, ...]
    categories: tuple[DataCategory, ...]
    decision: Decision
    basis: str | None
    reasons: tuple[str, ...]
