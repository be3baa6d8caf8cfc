"""Access stream: every read of personal data, permitted or denied, is an event."""

from __future__ import annotations

from uuid import UUID

from events.base import DomainEvent
from events.values import DataCategory, Decision


class AccessRecorded(DomainEvent):
    """One read or disclosure attempt: who (in `actor`), what action on which resource, about whom, why, the outcome.

    `policy_hash`, `consent_id`/`consent_version` and `break_glass` let an auditor re-run the decision later.
    """

    action: str
    resource: str
    purpose: str
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
