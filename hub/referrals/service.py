"""Referrals: idempotent submission with routing and subject linking, agency inboxes and single reads (audited)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.persistence import IntegrityError

from events.ids import new_stream_id
from events.values import AgencyKind, Concern, DataCategory, Decision, Urgency
from hub.consent.review_service import open_review
from hub.kernel.core import Core, actor_for, agency_summary
from hub.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from hub.people.service import SubjectService
from hub.referrals.domain import Referral, ReferralDraft, submit_referral
from policies import access, clocks, feedback, roles, routing
from policies.access import AccessDecision, Principal, ReferralResource
from policies.decision import denied
from projections.referrals import InboxFilter, ReferralQueries
from projections.registry import RegistryQueries
from projections.viewdb import Row

log = logging.getLogger(__name__)

# Told to a referrer whose referral joins an open one about the same child, or one closed but still monitored;
# nothing more is revealed.
ALREADY_KNOWN = {
    "en": "The child is already known to the social service; your referral has been added to the existing work.",
    "lv": "Bērns jau ir zināms sociālajam dienestam; jūsu ziņojums pievienots jau uzsāktajam darbam.",
}
MAX_SUBMIT_ATTEMPTS = 3


@dataclass(frozen=True)
class InboxPage:
    items: list[dict[str, Any]]
    next_cursor: int | None


def idempotent_referral_id(agency_id: UUID, key: str) -> UUID:
    """The same agency and key always name the same referral, so the store itself rejects a second one."""
    return uuid5(NAMESPACE_URL, f"hub:referral:{agency_id}:{key}")


def body_hash(draft: ReferralDraft) -> str:
    return hashlib.sha256(draft.model_dump_json().encode()).hexdigest()


class ReferralService:
    def __init__(self, core: Core, subjects: SubjectService) -> None:
        self.core = core
        self.subjects = subjects
        self.queries = ReferralQueries(core.views_db)

    def submit(self, principal: Principal, draft: ReferralDraft, idempotency_key: str | None = None) -> dict[str, Any]:
        """Record a referral routed by policy; with a key, a repeat of the same submission returns the original."""
        if not roles.may_submit_referrals(principal.roles):
            raise Forbidden("role_may_not_submit", "none of the caller's roles may submit referrals")
        digest = body_hash(draft)
        referral_id = idempotent_referral_id(principal.agency_id, idempotency_key) if idempotency_key else None
        for _ in range(MAX_SUBMIT_ATTEMPTS):
            if referral_id is not None and self.core.app.exists(referral_id):
                return self._replay(self.core.app.referral(referral_id), digest)
            try:
                return self._submit_once(principal, draft, referral_id, digest)
            except IntegrityError:
                log.info("referral submission raced another writer; retrying")
        raise Conflict("concurrent_change", "the submission kept colliding with concurrent ones; retry")

    def _submit_once(
        self, principal: Principal, draft: ReferralDraft, referral_id: UUID | None, digest: str
    ) -> dict[str, Any]:
        submitting_role = sorted(principal.roles & roles.REFERRAL_SUBMITTING_ROLES)[0]
        actor = actor_for(principal, submitting_role)
        recipients = self.route(draft.child.municipality, draft.concerns, draft.urgency, "child.municipality")
        people, subject_events = self.subjects.resolve(draft.people(), actor)
        at = self.core.now()
        same_child = self.subjects.same_person([people[0].subject_id])
        linked = self.queries.open_referrals_about(same_child, monitored_at=at)
        lead = UUID(recipients[0]["id"])
        event = submit_referral(
            draft,
            actor,
            referral_id or new_stream_id(),
            people,
            tuple(UUID(row["id"]) for row in recipients),
            routing.ROUTING_VERSION,
            tuple(UUID(row["id"]) for row in linked),
            digest,
            clocks.start_clocks(draft.urgency, AgencyKind.SOCIAL_SERVICE, lead, at),
            clocks.CLOCKS_VERSION,
            at,
        )
        self.core.append_shared(*subject_events, event)
        return self._receipt(event.originator_id, recipients, bool(linked))

    def _replay(self, referral: Referral, digest: str) -> dict[str, Any]:
        if referral.body_hash != digest:
            raise Conflict("idempotency_key_reused", "this Idempotency-Key was used for a different referral")
        agencies = self.core.registry_queries.agencies_by_id(referral.recipients)
        rows = [agencies[agency_id] for agency_id in referral.recipients if agency_id in agencies]
        receipt = self._receipt(referral.id, rows, bool(referral.linked_to))
        return receipt | {"replayed": True}

    @staticmethod
    def _receipt(referral_id: UUID, recipients: list[Row], already_known: bool) -> dict[str, Any]:
        receipt: dict[str, Any] = {
            "id": str(referral_id),
            "status": "submitted",
            "routed_to": [agency_summary(row) for row in recipients],
            "already_known": already_known,
        }
        if already_known:
            receipt["notice"] = ALREADY_KNOWN
        return receipt

    def route(self, municipality: str, concerns: Iterable[Concern], urgency: Urgency, field: str) -> list[Row]:
        """The agencies a referral goes to, the municipality's social service (the lead) first."""
        recipients: list[Row] = []
        with self.core.registry_queries.one_position():  # one reading of the registry for every kind
            for kind in routing.recipient_kinds(concerns, urgency):
                national = kind in routing.NATIONAL_KINDS
                found = self.core.registry_queries.agencies_of_kind(kind.value, None if national else municipality)
                if kind is AgencyKind.SOCIAL_SERVICE and not found:
                    detail = "no social service is registered for that municipality"
                    raise InvalidInput("no_social_service", detail, field)
                if not found:
                    log.warning("no %s registered to route to", kind.value)
                recipients.extend(found)
        return recipients

    def inbox(
        self,
        principal: Principal,
        direction: str,
        limit: int,
        before: int | None,
        purpose: str,
        where: InboxFilter | None = None,
    ) -> InboxPage:
        """Incoming referrals with the agency's clocks, or outgoing ones with their milestones; `where` filters the
        whole inbox before paging (and may order it by due time)."""
        decision = (
            access.decide_inbox_read(principal) if direction == "incoming" else access.decide_outbox_read(principal)
        )
        resource = f"inbox:{direction}:{principal.agency_id}"
        if not decision.permitted:
            self.core.record_access(principal, decision, "inbox.read", resource, purpose)
            raise Forbidden("access_denied", "; ".join(decision.reasons))
        self.core.wait_for_views()
        if direction == "outgoing":
            rows = self.queries.outgoing(principal.agency_id, limit, before, where)
            sent = [self.core.app.referral(UUID(row["id"])) for row in rows]
            children = tuple(referral.child.subject_id for referral in sent)
            self.core.record_access(principal, decision, "inbox.read", resource, purpose, children)
            leads = self.core.registry_queries.agencies_by_id(UUID(row["lead_agency_id"]) for row in rows)
            items = [
                self._outgoing_item(row, referral, leads[UUID(row["lead_agency_id"])])
                for row, referral in zip(rows, sent, strict=True)
            ]
        else:
            rows = self.queries.incoming(principal.agency_id, limit, before, where)
            referrals = [self.core.app.referral(UUID(row["id"])) for row in rows]
            subjects = tuple(subject for referral in referrals for subject in referral.subject_ids)
            self.core.record_access(principal, decision, "inbox.read", resource, purpose, subjects)
            running = self.queries.clocks((row["id"] for row in rows), principal.agency_id)
            referrers = self.core.registry_queries.agencies_by_id(referral.referrer_agency_id for referral in referrals)
            items = [
                self._incoming_item(
                    principal.agency_id, row, referral, running[row["id"]], referrers[referral.referrer_agency_id]
                )
                for row, referral in zip(rows, referrals, strict=True)
            ]
        next_cursor = int(rows[-1]["cursor"]) if len(rows) == limit else None
        return InboxPage(items=items, next_cursor=next_cursor)

    def _incoming_item(
        self, agency_id: UUID, row: Row, referral: Referral, clock_rows: list[Row], referrer: Row
    ) -> dict[str, Any]:
        now = self.core.now().isoformat()
        return {
            "id": row["id"],
            "submitted_at": row["submitted_at"],
            "status": row["status"],
            "urgency": row["urgency"],
            "concerns": referral.concerns,
            "municipality": row["municipality"],
            "worker": row["worker"],
            "lead": row["lead_agency_id"] == str(agency_id),
            "referrer": agency_summary(referrer),
            "child": {
                "given_name": referral.child.given_name,
                "family_name": referral.child.family_name,
                "birth_date": referral.child.birth_date,
            },
            "linked_to": [str(linked) for linked in referral.linked_to],
            "clocks": [present_clock(clock, now) for clock in clock_rows],
        }

    @staticmethod
    def _outgoing_item(row: Row, referral: Referral, lead: Row) -> dict[str, Any]:
        """What the referrer sent (the child it named) and the milestone reached, not the work done."""
        item: dict[str, Any] = {
            "id": row["id"],
            "submitted_at": row["submitted_at"],
            "child": {
                "given_name": referral.child.given_name,
                "family_name": referral.child.family_name,
                "birth_date": referral.child.birth_date,
            },
            "milestone": feedback.MILESTONE_OF_STATUS[row["status"]].value,
            "with": agency_summary(lead),
        }
        if row["status"] == "closed":
            item["outcome"] = row["outcome"]
        elif row["status"] == "declined":
            item["outcome"] = feedback.DECLINED_OUTCOME
        return item

    def held_about(self, subject_id: UUID) -> list[dict[str, Any]]:
        """The referrals naming a person and how each names them, for their own export (the caller has decided and
        records the read). The summary is left out: free text that may name others, the reporter among them."""
        self.core.wait_for_views()
        held = []
        for row in self.queries.all_about(subject_id):
            referral = self.core.app.referral(UUID(row["id"]))
            named = [person for person in (referral.child, *referral.family) if person.subject_id == subject_id]
            held.append(
                {
                    "id": row["id"],
                    "submitted_at": referral.submitted_at,
                    "status": row["status"],
                    "urgency": referral.urgency.value,
                    "concerns": [concern.value for concern in referral.concerns],
                    "referrer_agency_id": referral.referrer_agency_id,
                    "lead_agency_id": referral.lead_agency_id,
                    "recipients": tuple(UUID(agency) for agency in row["recipients"]),
                    "named_as": [person.model_dump(mode="json", exclude={"subject_id"}) for person in named],
                }
            )
        return held

    def resource_of(self, referral_id: UUID) -> ReferralResource | None:
        """What the policy needs to know about a referral, or None if there is no such referral."""
        self.core.wait_for_views()
        envelope = self.queries.envelope(referral_id)
        if envelope is None:
            return None
        return ReferralResource(
            referral_id=referral_id,
            referrer_agency_id=UUID(envelope["referrer_agency_id"]),
            recipients=frozenset(UUID(agency_id) for agency_id in envelope["recipients"]),
        )

    def authorize_read(
        self,
        principal: Principal,
        referral_id: UUID,
        action: str,
        purpose: str,
        break_glass: str | None = None,
        needs: frozenset[DataCategory] = frozenset(),
    ) -> tuple[Referral, AccessDecision]:
        """Decide and record a read of one referral; raises (after recording) when it is denied or unknown.

        `needs` are categories the caller's use requires (a FHIR Bundle carries identity and content): a decision
        that does not cover them is recorded and answered as a denial.
        """
        resource = f"referral:{referral_id}"
        target = self.resource_of(referral_id)
        if target is None:
            denial = denied(access.acting_role(principal), "no such referral")
            self.core.record_access(principal, denial, action, resource, purpose)
            raise NotFound("referral_not_found", "no referral with this id is visible to the caller")
        decision = access.decide_referral_read(principal, target, break_glass)
        missing = needs - set(decision.categories)
        if decision.permitted and missing:
            reason = f"this read needs {', '.join(sorted(missing))}, which the caller may not see"
            decision = replace(decision, decision=Decision.DENY, categories=(), reasons=(reason,))
        referral = self.core.app.referral(referral_id)
        subjects = referral.subject_ids
        if not decision.permitted:
            self.core.record_access(principal, decision, action, resource, purpose, subjects)
            if break_glass is not None:
                raise Forbidden("break_glass_denied", "; ".join(decision.reasons))
            if principal.agency_id in (*referral.recipients, referral.referrer_agency_id):
                raise Forbidden("access_denied", "; ".join(decision.reasons))
            raise NotFound("referral_not_found", "no referral with this id is visible to the caller")
        review = (
            (open_review(actor_for(principal, decision.role), action, resource, subjects, break_glass),)
            if decision.break_glass and break_glass is not None
            else ()
        )
        self.core.record_access(principal, decision, action, resource, purpose, subjects, also=review)
        return referral, decision

    def read(
        self, principal: Principal, referral_id: UUID, purpose: str, break_glass_justification: str | None = None
    ) -> dict[str, Any]:
        referral, decision = self.authorize_read(
            principal, referral_id, "referral.read", purpose, break_glass_justification
        )
        envelope = self.queries.envelope(referral_id)
        assert envelope is not None
        return present_referral(referral, envelope, decision, self.core.registry_queries, self.core.now())


def present_clock(row: Row, now: str) -> dict[str, Any]:
    return {
        "clock": row["clock"],
        "due_at": row["due_at"],
        "running": row["stopped_at"] is None,
        "overdue": row["overdue_at"] is not None or (row["stopped_at"] is None and row["due_at"] <= now),
    }


def present_referral(
    referral: Referral, envelope: Row, decision: AccessDecision, registry: RegistryQueries, now: datetime
) -> dict[str, Any]:
    """Shape a referral for a reader: only the data categories the decision allows (monitoring: while it runs)."""
    recipients = registry.agencies_by_id(referral.recipients)
    allowed = set(decision.categories)
    document: dict[str, Any] = {
        "id": str(referral.id),
        "submitted_at": referral.submitted_at,
        "routed_to": [agency_summary(recipients[agency]) for agency in referral.recipients if agency in recipients],
        # The question the referrer is asked to answer (the referrer's milestones carry it too).
        "open_question": referral.open_question,
    }
    if DataCategory.REFERRAL_CONTENT in allowed:
        document |= {
            "status": envelope["status"],
            "urgency": referral.urgency,
            "concerns": referral.concerns,
            "summary": referral.summary,
            "worker": referral.worker,
            "linked_to": [str(linked) for linked in referral.linked_to],
            "monitoring_until": referral.monitored_at(now),
        }
    else:
        document["milestone"] = feedback.MILESTONE_OF_STATUS[envelope["status"]].value
        document["status"] = document["milestone"]
    if DataCategory.IDENTITY in allowed:
        document |= {
            "child": referral.child.model_dump(exclude={"relationship"}),
            "family": [member.model_dump(exclude={"birth_date"}) for member in referral.family],
        }
    return document
