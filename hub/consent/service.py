"""Consents: record a grant, list a subject's consents (audited), withdraw, and the expiry sweep."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from events.values import DataCategory
from hub.consent.domain import Consent, ConsentDraft, WithdrawalDraft, expire_consent, grant_consent, withdraw_consent
from hub.kernel.core import Core, actor_for
from hub.kernel.errors import Forbidden, NotFound
from hub.people.relationship_service import RelationshipService
from hub.people.service import SubjectService
from policies.decision import Principal
from policies.engine import ConsentFacts, PersonAction, ReadRequest, Relation
from projections.consents import ConsentQueries


class ConsentService:
    def __init__(self, core: Core, subjects: SubjectService, relationships: RelationshipService) -> None:
        self.core = core
        self.subjects = subjects
        self.relationships = relationships
        self.queries = ConsentQueries(core.views_db)

    def grant(self, principal: Principal, draft: ConsentDraft) -> dict[str, Any]:
        """Record a consent the caller's agency received (with its evidence): only the lead social service of the
        person's case records one."""
        self.core.wait_for_views()
        subject_id = self.subjects.known_id(draft.subject_id, draft.personal_code, "")
        role = self.relationships.authorize(
            principal, PersonAction.RECORD_CONSENT, [subject_id], f"consents:{subject_id}", "consent.record"
        ).role
        recipients: list[UUID] = []
        for index, code in enumerate(draft.recipient_agencies):
            recipients.append(UUID(self.core.recipient_agency(code, f"recipient_agencies.{index}")["id"]))
        event = grant_consent(draft, subject_id, actor_for(principal, role), tuple(recipients), self.core.now())
        self.core.app.append(event)
        return self._present(self.core.app.consent(event.originator_id))

    def list_for_subject(self, principal: Principal, subject_id: UUID, purpose: str) -> list[dict[str, Any]]:
        """A subject's consents, newest first; the read is recorded, permitted or denied."""
        self.core.wait_for_views()
        self.subjects.require_known(subject_id, "subject_id")
        ties = self.relationships.ties(principal.agency_id, subject_id)
        decision = self.core.policy_engine.decide_read(
            ReadRequest(principal, frozenset({Relation.CONSENT_REGISTER}), (DataCategory.CONSENT,), ties=ties)
        )
        resource = f"consents:{subject_id}"
        if not decision.permitted:
            self.core.record_access(principal, decision, "consents.read", resource, purpose, (subject_id,))
            raise Forbidden("access_denied", "; ".join(decision.reasons))
        consents = [self.core.app.consent(UUID(row["id"])) for row in self.queries.for_subject(subject_id)]
        self.core.record_access(principal, decision, "consents.read", resource, purpose, (subject_id,))
        return [self._present(consent) for consent in consents]

    def withdraw(self, principal: Principal, consent_id: UUID, draft: WithdrawalDraft) -> dict[str, Any]:
        """Withdraw at once: every later disclosure relying on this consent is denied. Only the agency that recorded
        it or the lead social service of the person's case withdraws it."""
        consent = self._consent(consent_id)
        if consent is None:
            raise NotFound("consent_not_found", "no consent with this id")
        role = self.relationships.authorize(
            principal,
            PersonAction.WITHDRAW_CONSENT,
            [consent.subject_id],
            f"consent:{consent_id}",
            "consent.withdraw",
            recorded_here=consent.recorded_by_agency == principal.agency_id,
        ).role
        event = withdraw_consent(consent, actor_for(principal, role), draft.reason, self.core.now())
        self.core.app.append(event)
        return self._present(self.core.app.consent(consent_id))

    def expire_due(self) -> int:
        """Append an expiry event for every active consent whose period has ended; returns how many."""
        self.core.wait_for_views()
        now = self.core.now()
        expired = 0
        for row in self.queries.active_with_end():
            event = expire_consent(self.core.app.consent(UUID(row["id"])), now)
            if event is not None:
                self.core.app.append(event)
                expired += 1
        return expired

    def facts(self, consent_id: UUID) -> ConsentFacts | None:
        consent = self._consent(consent_id)
        return consent.facts() if consent is not None else None

    def _consent(self, consent_id: UUID) -> Consent | None:
        self.core.wait_for_views()
        if not self.queries.exists(consent_id):
            return None
        return self.core.app.consent(consent_id)

    def _present(self, consent: Consent) -> dict[str, Any]:
        agencies = [self.core.registry_queries.agency(agency_id) for agency_id in consent.recipient_agencies]
        return {
            "id": str(consent.id),
            "version": consent.version,
            "subject_id": str(consent.subject_id),
            "status": consent.status_at(self.core.now()),
            "granted_by": consent.grantor.model_dump(),
            "recipient_agencies": [row["code"] for row in agencies if row is not None],
            "recipient_kinds": list(consent.recipient_kinds),
            "purposes": list(consent.purposes),
            "categories": list(consent.categories),
            "valid_from": consent.valid_from,
            "valid_until": consent.valid_until,
            "evidence": consent.evidence,
        }
