"""Disclosure stream: a permitted disclosure of personal data from one agency to another, with its basis."""

from __future__ import annotations

from uuid import UUID

from events.base import DomainEvent
from events.values import DataCategory, Purpose


class DisclosureRecorded(DomainEvent):
    """Data about `subjects` in `categories` went from the actor's agency to `recipient_agency_id`.

    `via_request_id` names the record request a release answered, if any.
    """

    recipient_agency_id: UUID
    subjects: tuple[UUID, ...]
    categories: tuple[DataCategory, ...]
    purpose: Purpose
    basis: str
    reasons: tuple[str, ...]
    policy_hash: str
    consent_id: UUID | None = None
    consent_version: int | None = None
    break_glass: bool = False
    via_request_id: UUID | None = None
