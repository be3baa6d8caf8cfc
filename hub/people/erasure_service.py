"""Erasure by crypto-shredding: a "subject erased" event, the person's key destroyed, derived data purged.

The log is never rewritten (so its hashes still verify); what made it personal becomes unreadable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from events.base import SYSTEM, Actor, DomainEvent
from events.subjects import ErasureReason
from hub.kernel.core import Core, actor_for
from hub.kernel.errors import NotFound, Unavailable
from hub.people import domain as domain
from hub.people.relationship_service import RelationshipService
from hub.people.service import SubjectService
from policies.decision import Principal
from policies.engine import PersonAction
from policies.retention import RETENTION_VERSION, retention_ends
from projections.referrals import ReferralQueries
from projections.subjects import SubjectView
from projections.viewdb import ScrubIncomplete


@dataclass(frozen=True)
class RetentionDue:
    subject_id: UUID
    last_closed: datetime
    retention_ended: datetime


class ErasureService:
    def __init__(self, core: Core, subjects: SubjectService, relationships: RelationshipService) -> None:
        self.core = core
        self.subjects = subjects
        self.relationships = relationships
        self.referrals = ReferralQueries(core.views_db)

    def erase(self, principal: Principal, subject_id: UUID, reason: ErasureReason, purpose: str) -> dict[str, Any]:
        """A manual erasure of a person (every record merged with it), by the head of the lead social service of
        their case, or by the registry administrator on a court order; the decision is audited either way."""
        self.core.wait_for_views()
        if not self.subjects.queries.exists(subject_id):
            raise NotFound("subject_not_found", "no subject with this id")
        records = tuple(self.subjects.same_person([subject_id]))
        decision = self.relationships.authorize(
            principal, PersonAction.ERASE, [subject_id], f"subject:{subject_id}", "subject.erase", reason=reason.value
        )
        events = self._erasure_events(records, reason, decision.basis or "", actor_for(principal, decision.role))
        self.core.record_access(
            principal, decision, "subject.erase", f"subject:{subject_id}", purpose, records, also=events
        )
        self._destroy_keys(records)
        return {"subject_id": str(subject_id), "erased": [str(record) for record in records]}

    def _erasure_events(
        self, records: tuple[UUID, ...], reason: ErasureReason, basis: str, actor: Actor
    ) -> tuple[DomainEvent, ...]:
        at = self.core.now()
        events = (domain.erase(self.core.app.subject(record), reason, basis, actor, at) for record in records)
        return tuple(event for event in events if event is not None)

    def _destroy_keys(self, records: tuple[UUID, ...]) -> None:
        """Destroy the keys, purge the blind indexes from the views, then scrub both databases' files."""
        for record in records:
            self.core.subject_keys.destroy(record, self.core.now())
        self.core.wait_for_views()
        try:
            self.core.views_db.scrub(SubjectView.purged_tables)
            self.core.subject_keys.scrub()
        except ScrubIncomplete:
            raise Unavailable(
                "erasure_scrub_incomplete", "the person is erased, but copies may remain on disk: repeat the erasure"
            ) from None

    def retention_due(self, now: datetime | None = None) -> list[RetentionDue]:
        """People whose every referral ended longer ago than the retention period, not yet erased."""
        at = now or self.core.now()
        self.core.wait_for_views()
        due = []
        for row in self.referrals.subjects_last_closed():
            if row["still_open"] or row["last_closed"] is None:
                continue
            subject_id = UUID(row["subject_id"])
            ends = retention_ends(datetime.fromisoformat(row["last_closed"]))
            if ends <= at and not self.core.subject_keys.is_erased(subject_id):
                due.append(RetentionDue(subject_id, datetime.fromisoformat(row["last_closed"]), ends))
        return due

    def apply_retention(self, now: datetime | None = None) -> list[RetentionDue]:
        """Erase everyone `retention_due` lists, as the hub itself, citing the retention rule."""
        due = self.retention_due(now)
        for item in due:
            events = self._erasure_events(
                (item.subject_id,), ErasureReason.RETENTION_EXPIRED, RETENTION_VERSION, SYSTEM
            )
            if events:
                self.core.app.append(*events)
            self._destroy_keys((item.subject_id,))
        return due
