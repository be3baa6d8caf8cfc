"""Disclosures between agencies: decided by policy, recorded when permitted, the denial recorded when not.

Data an agency holds only as records released to it is onward disclosure, which the policy restricts.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, StringConstraints, field_validator, model_validator

from events.disclosure import DisclosureRecorded
from events.ids import new_stream_id
from events.review import BreakGlassReviewOpened
from events.values import AgencyKind, DataCategory, Purpose
from hub.consent.review import open_review
from hub.consent.service import ConsentService
from hub.kernel.core import Core, actor_for, agency_summary
from hub.kernel.drafts import DraftModel
from hub.kernel.errors import Forbidden
from hub.people.relationship_service import RelationshipService
from hub.people.service import SubjectService
from policies.decision import Principal
from policies.engine import BREAK_GLASS_MIN_CHARS, AgencyFacts, DisclosureRequest
from policies.legal_bases import BASES_BY_ID
from projections.record_requests import RecordRequestQueries

Justification = Annotated[
    str, StringConstraints(strict=True, strip_whitespace=True, min_length=BREAK_GLASS_MIN_CHARS, max_length=2000)
]


class DisclosureDraft(DraftModel):
    """What is disclosed to whom, why, and on what: a consent, a statutory basis, or break-glass."""

    recipient: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=40)]
    subjects: Annotated[list[UUID], Field(min_length=1, max_length=20)]
    categories: Annotated[list[DataCategory], Field(min_length=1, max_length=len(DataCategory))]
    purpose: Purpose
    consent_id: UUID | None = None
    basis: Annotated[str, StringConstraints(strict=True, max_length=40)] | None = None
    break_glass_justification: Justification | None = None

    @field_validator("basis")
    @classmethod
    def _catalogued(cls, value: str | None) -> str | None:
        if value is not None and value not in BASES_BY_ID:
            raise ValueError(f"unknown legal basis; one of {', '.join(BASES_BY_ID)}")
        return value

    @model_validator(mode="after")
    def _one_ground(self) -> DisclosureDraft:
        grounds = [self.consent_id, self.basis, self.break_glass_justification]
        if sum(ground is not None for ground in grounds) != 1:
            raise ValueError("give exactly one of consent_id, basis or break_glass_justification")
        return self


class DisclosureService:
    def __init__(
        self, core: Core, consents: ConsentService, subjects: SubjectService, relationships: RelationshipService
    ) -> None:
        self.core = core
        self.consents = consents
        self.subjects = subjects
        self.relationships = relationships
        self.received = RecordRequestQueries(core.views_db)

    def request_for(self, principal: Principal, draft: DisclosureDraft) -> DisclosureRequest:
        """The policy request for a draft (also what `hub policy explain` evaluates): with the discloser's
        relationships to each person, and what it holds about them only as released records, over every record
        of each person."""
        recipient = self.core.recipient_agency(draft.recipient, "recipient")
        subjects = tuple(dict.fromkeys(draft.subjects))
        self.core.wait_for_views()
        for index, subject_id in enumerate(subjects):
            self.subjects.require_known(subject_id, f"subjects.{index}")
        return DisclosureRequest(
            principal=principal,
            recipient=AgencyFacts(UUID(recipient["id"]), AgencyKind(recipient["kind"])),
            subjects=subjects,
            categories=tuple(dict.fromkeys(draft.categories)),
            purpose=draft.purpose,
            now=self.core.now(),
            consent_id=draft.consent_id,
            consent=self.consents.facts(draft.consent_id) if draft.consent_id else None,
            basis=draft.basis,
            break_glass_justification=draft.break_glass_justification,
            received=self._received(principal.agency_id, subjects),
            ties=self.relationships.ties_by_subject(principal.agency_id, subjects),
        )

    def _received(self, agency_id: UUID, subjects: tuple[UUID, ...]) -> frozenset[tuple[UUID, DataCategory]]:
        """The (person, category) pairs the agency holds only as records released to it, under whichever record of
        the person they were released: the restriction follows the person, not an id."""
        pairs: set[tuple[UUID, DataCategory]] = set()
        for subject_id in subjects:
            records = tuple(self.relationships.records_of(subject_id))
            pairs.update((subject_id, category) for _, category in self.received.received(agency_id, records))
        return frozenset(pairs)

    def prepare(
        self, principal: Principal, draft: DisclosureDraft, via_request_id: UUID | None = None
    ) -> tuple[DisclosureRecorded, BreakGlassReviewOpened | None]:
        """Decide a disclosure; a denial is recorded and raised, a permit returns the events to append."""
        request = self.request_for(principal, draft)
        decision = self.core.policy_engine.decide_disclosure(request)
        resource = f"disclosure:{draft.recipient}"
        if not decision.permitted:
            self.core.record_access(principal, decision, "disclosure", resource, draft.purpose, request.subjects)
            raise Forbidden("disclosure_denied", "; ".join(decision.reasons))
        assert decision.basis is not None
        assert decision.policy_hash is not None
        actor = actor_for(principal, decision.role)
        event = DisclosureRecorded(
            originator_id=new_stream_id(),
            originator_version=1,
            actor=actor,
            recipient_agency_id=request.recipient.id,
            subjects=request.subjects,
            categories=request.categories,
            purpose=request.purpose,
            basis=decision.basis,
            reasons=decision.reasons,
            policy_hash=decision.policy_hash,
            consent_id=decision.consent_id,
            consent_version=decision.consent_version,
            break_glass=decision.break_glass,
            via_request_id=via_request_id,
        )
        review = None
        if decision.break_glass and draft.break_glass_justification is not None:
            review = open_review(
                actor,
                "disclosure",
                f"disclosure:{event.originator_id}",
                request.subjects,
                draft.break_glass_justification,
            )
        return event, review

    def disclose(self, principal: Principal, draft: DisclosureDraft) -> dict[str, Any]:
        event, review = self.prepare(principal, draft)
        self.core.app.append(event, *([review] if review else []))
        recipient = self.core.registry_queries.agency(event.recipient_agency_id)
        assert recipient is not None
        return {
            "id": str(event.originator_id),
            "recipient": agency_summary(recipient),
            "subjects": [str(subject) for subject in event.subjects],
            "categories": list(event.categories),
            "purpose": event.purpose,
            "basis": event.basis,
            "consent_id": str(event.consent_id) if event.consent_id else None,
            "consent_version": event.consent_version,
            "break_glass": event.break_glass,
            "review_id": str(review.originator_id) if review else None,
            "policy_hash": event.policy_hash,
            "reasons": list(event.reasons),
        }
