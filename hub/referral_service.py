"""Referrals: submission with routing, the agency inbox and single-referral reads, every read audited."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from events.values import AgencyKind, DataCategory, Decision
from hub.core import Core, actor_for, agency_summary
from hub.domain.errors import Forbidden, InvalidInput, NotFound
from hub.domain.referral import Referral, ReferralDraft, submit_referral
from hub.domain.review import open_review
from policies import access, roles, routing
from policies.access import AccessDecision, Principal, ReferralResource
from projections.referrals import ReferralQueries
from projections.registry import RegistryQueries
from projections.viewdb import Row

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InboxPage:
    items: list[dict[str, Any]]
    next_cursor: int | None


class ReferralService:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.queries = ReferralQueries(core.views_db)

    def submit(self, principal: Principal, draft: ReferralDraft) -> dict[str, Any]:
        if not roles.may_submit_referrals(principal.roles):
            raise Forbidden("role_may_not_submit", "none of the caller's roles may submit referrals")
        submitting_role = sorted(principal.roles & roles.REFERRAL_SUBMITTING_ROLES)[0]
        recipients = self._route(draft)
        event = submit_referral(
            draft,
            actor_for(principal, submitting_role),
            tuple(UUID(row["id"]) for row in recipients),
            routing.ROUTING_VERSION,
        )
        self.core.app.append(event)
        return {
            "id": str(event.originator_id),
            "status": "submitted",
            "routed_to": [agency_summary(row) for row in recipients],
        }

    def _route(self, draft: ReferralDraft) -> list[Row]:
        municipality = draft.child.municipality
        recipients: list[Row] = []
        for kind in routing.recipient_kinds(draft.concerns, draft.urgency):
            national = kind in routing.NATIONAL_KINDS
            found = self.core.registry.agencies_of_kind(kind.value, None if national else municipality)
            if kind is AgencyKind.SOCIAL_SERVICE and not found:
                raise InvalidInput(
                    "no_social_service",
                    "no social service is registered for the child's municipality",
                    "child.municipality",
                )
            if not found:
                log.warning("no %s registered to route to", kind.value)
            recipients.extend(found)
        return recipients

    def inbox(self, principal: Principal, limit: int, before: int | None, purpose: str) -> InboxPage:
        decision = access.decide_inbox_read(principal)
        resource = f"inbox:{principal.agency_id}"
        if not decision.permitted:
            self.core.record_access(principal, decision, "inbox.read", resource, purpose)
            raise Forbidden("access_denied", "; ".join(decision.reasons))
        self.core.follower.catch_up()
        rows = self.queries.inbox(principal.agency_id, limit, before)
        referrals = [self.core.app.referral(UUID(row["id"])) for row in rows]
        subjects = tuple(subject for referral in referrals for subject in referral.subject_ids)
        self.core.record_access(principal, decision, "inbox.read", resource, purpose, subjects)
        agencies = {row["id"]: row for row in self.core.registry.agencies()}
        items = [
            {
                "id": row["id"],
                "submitted_at": row["submitted_at"],
                "status": row["status"],
                "urgency": row["urgency"],
                "concerns": referral.concerns,
                "municipality": row["municipality"],
                "referrer": agency_summary(agencies[row["referrer_agency_id"]]),
                "child": {
                    "given_name": referral.child.given_name,
                    "family_name": referral.child.family_name,
                    "birth_date": referral.child.birth_date,
                },
            }
            for row, referral in zip(rows, referrals, strict=True)
        ]
        next_cursor = int(rows[-1]["seq"]) if len(rows) == limit else None
        return InboxPage(items=items, next_cursor=next_cursor)

    def resource_of(self, referral_id: UUID) -> ReferralResource | None:
        """What the policy needs to know about a referral, or None if there is no such referral."""
        self.core.follower.catch_up()
        envelope = self.queries.envelope(referral_id)
        if envelope is None:
            return None
        return ReferralResource(
            referral_id=referral_id,
            referrer_agency_id=UUID(envelope["referrer_agency_id"]),
            recipients=frozenset(UUID(agency_id) for agency_id in envelope["recipients"]),
        )

    def read(
        self, principal: Principal, referral_id: UUID, purpose: str, break_glass_justification: str | None = None
    ) -> dict[str, Any]:
        resource = f"referral:{referral_id}"
        target = self.resource_of(referral_id)
        if target is None:
            denial = AccessDecision(Decision.DENY, access.acting_role(principal), None, (), ("no such referral",))
            self.core.record_access(principal, denial, "referral.read", resource, purpose)
            raise NotFound("referral_not_found", "no referral with this id is visible to the caller")
        decision = access.decide_referral_read(principal, target, break_glass_justification)
        referral = self.core.app.referral(referral_id)
        subjects = referral.subject_ids
        if not decision.permitted:
            self.core.record_access(principal, decision, "referral.read", resource, purpose, subjects)
            if break_glass_justification is not None:
                raise Forbidden("break_glass_denied", "; ".join(decision.reasons))
            if principal.agency_id in referral.recipients:
                raise Forbidden("access_denied", "; ".join(decision.reasons))
            raise NotFound("referral_not_found", "no referral with this id is visible to the caller")
        review = (
            (
                open_review(
                    actor_for(principal, decision.role), "referral.read", resource, subjects, break_glass_justification
                ),
            )
            if decision.break_glass and break_glass_justification is not None
            else ()
        )
        self.core.record_access(principal, decision, "referral.read", resource, purpose, subjects, also=review)
        envelope = self.queries.envelope(referral_id)
        assert envelope is not None
        return present_referral(referral, envelope, decision, self.core.registry)


def present_referral(
    referral: Referral, envelope: Row, decision: AccessDecision, registry: RegistryQueries
) -> dict[str, Any]:
    """Shape a referral for a reader: only the data categories the decision allows."""
    recipients = [registry.agency(agency_id) for agency_id in referral.recipients]
    document: dict[str, Any] = {
        "id": str(referral.id),
        "status": envelope["status"],
        "submitted_at": referral.submitted_at,
        "routed_to": [agency_summary(row) for row in recipients if row is not None],
    }
    allowed = set(decision.categories)
    if DataCategory.REFERRAL_CONTENT in allowed:
        document |= {
            "urgency": referral.urgency,
            "concerns": referral.concerns,
            "summary": referral.summary,
        }
    if DataCategory.IDENTITY in allowed:
        document |= {
            "child": referral.child.model_dump(exclude={"relationship"}),
            "family": [member.model_dump(exclude={"birth_date"}) for member in referral.family],
        }
    return document
