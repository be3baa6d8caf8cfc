"""A child's case as one agency takes part in it: its referrals, record requests, handovers and the consents, and
the other agencies involved in them; and finding a child by personal code or by name and birth date.

Need-to-know: only an agency related to the child now (`RelationshipService`) sees the case, and only its own part
in it (the streams through which it is related). Every view and every search is recorded, permitted or denied; a
search that finds no child the agency is related to says just that, whether or not the hub knows the child.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from pydantic import model_validator

from events.people import PersonDetails
from events.values import DataCategory, Tie
from hub.kernel.blind_index import BlindIndex
from hub.kernel.core import Core, agency_summary
from hub.kernel.drafts import DraftModel, Name
from hub.kernel.errors import Forbidden, NotFound
from hub.kernel.personal_code import PersonalCodeText
from hub.people.relationship_service import RelationshipService
from policies import feedback, roles
from policies.decision import AccessDecision, Principal, acting_role, denied
from policies.engine import ReadRequest, Relation
from projections.consents import ConsentQueries
from projections.handovers import HandoverQueries
from projections.record_requests import RecordRequestQueries
from projections.referrals import ReferralQueries
from projections.subjects import SubjectQueries
from projections.viewdb import Row

CASE_CATEGORIES = (DataCategory.IDENTITY, DataCategory.STATUS)


class ChildSearchDraft(DraftModel):
    """A personal code, or the given name, family name and birth date together."""

    personal_code: PersonalCodeText | None = None
    given_name: Name | None = None
    family_name: Name | None = None
    birth_date: date | None = None

    @model_validator(mode="after")
    def _enough(self) -> ChildSearchDraft:
        if self.personal_code is None and None in (self.given_name, self.family_name, self.birth_date):
            raise ValueError("give a personal code, or the given name, family name and birth date")
        return self


class CaseService:
    def __init__(self, core: Core, relationships: RelationshipService, index: BlindIndex) -> None:
        self.core = core
        self.relationships = relationships
        self.index = index
        self.people = SubjectQueries(core.views_db)
        self.referrals = ReferralQueries(core.views_db)
        self.requests = RecordRequestQueries(core.views_db)
        self.handovers = HandoverQueries(core.views_db)
        self.consents = ConsentQueries(core.views_db)

    def _decide(self, principal: Principal, subject_id: UUID) -> AccessDecision:
        ties = self.relationships.ties(principal.agency_id, subject_id)
        relations = frozenset({Relation.CASE_VIEW}) if ties else frozenset()
        return self.core.policy_engine.decide_read(ReadRequest(principal, relations, CASE_CATEGORIES, ties=ties))

    def case(self, principal: Principal, subject_id: UUID, purpose: str) -> dict[str, Any]:
        """The agency's part in the child's case; 404 `case_not_found` (recorded) for a child it is not related to,
        whether or not the hub knows the child."""
        self.core.wait_for_views()
        records = self.relationships.records_of(subject_id)
        decision = self._decide(principal, subject_id)
        resource = f"case:{subject_id}"
        if not decision.permitted:
            self.core.record_access(principal, decision, "case.read", resource, purpose, tuple(records))
            raise NotFound("case_not_found", "no case of a child the caller's agency is related to")
        document = self._case(principal, subject_id, records)
        self.core.record_access(principal, decision, "case.read", resource, purpose, tuple(records))
        return document

    def person(self, principal: Principal, subject_id: UUID, purpose: str) -> dict[str, Any] | None:
        """Who a page about a person is about: their name and birth date as the agency's own streams give them, for an
        agency related to them (None otherwise, or once erased). Showing them is recorded as a read."""
        self.core.wait_for_views()
        decision = self._decide(principal, subject_id)
        if not decision.permitted:
            return None
        records = self.relationships.records_of(subject_id)
        person = self._person(principal, records, self._sources(principal, records))
        if person is not None:
            self.core.record_access(principal, decision, "person.read", f"person:{subject_id}", purpose, tuple(records))
        return person

    def search(self, principal: Principal, draft: ChildSearchDraft, purpose: str) -> list[dict[str, Any]]:
        """The children matching the code (or name and birth date) that the caller's agency is related to now;
        case workers only. The search is recorded: permitted for the children shown, denied for any other match."""
        if roles.casework_role(principal.roles) is None:
            refusal = denied(acting_role(principal), "only case workers search for a child")
            self.core.record_access(principal, refusal, "subjects.search", "subjects:search", purpose)
            raise Forbidden("access_denied", "only case workers search for a child")
        self.core.wait_for_views()
        unrelated: list[UUID] = []
        shown: list[tuple[UUID, AccessDecision]] = []
        for subject_id in self._matches(draft):
            decision = self._decide(principal, subject_id)
            if decision.permitted:
                shown.append((subject_id, decision))
            else:
                unrelated.append(subject_id)
        if unrelated or not shown:
            refusal = denied(acting_role(principal), "no child the caller's agency is related to matches")
            self.core.record_access(principal, refusal, "subjects.search", "subjects:search", purpose, tuple(unrelated))
        results = []
        for subject_id, decision in shown:
            records = self.relationships.records_of(subject_id)
            self.core.record_access(principal, decision, "subjects.search", "subjects:search", purpose, tuple(records))
            person = self._person(principal, records, self._sources(principal, records))
            results.append({"subject_id": str(subject_id), "person": person})
        return results

    # --- helpers --------------------------------------------------------------------------------------------

    def _matches(self, draft: ChildSearchDraft) -> list[UUID]:
        if draft.personal_code is not None:
            holder = self.people.by_code(self.index.personal_code(draft.personal_code))
            return [holder] if holder is not None else []
        assert draft.given_name is not None
        assert draft.family_name is not None
        assert draft.birth_date is not None
        digest = self.index.name_and_birth_date(draft.given_name, draft.family_name, draft.birth_date)
        return self.people.by_name(digest)

    def _sources(self, principal: Principal, records: list[UUID]) -> dict[str, set[Tie]]:
        sources: dict[str, set[Tie]] = {}
        for row in self.relationships.queries.sources(principal.agency_id, records):
            sources.setdefault(row["source_id"], set()).add(Tie(row["tie"]))
        return sources

    def _case(self, principal: Principal, subject_id: UUID, records: list[UUID]) -> dict[str, Any]:
        sources = self._sources(principal, records)
        referrals = [
            self._referral(row, sources[row["id"]])
            for row in map(self.referrals.envelope, map(UUID, sources))
            if row is not None
        ]
        requests = [row for row in map(self.requests.envelope, map(UUID, sources)) if row is not None]
        handovers = [row for row in map(self.handovers.envelope, map(UUID, sources)) if row is not None]
        consent_ties = self.relationships.ties(principal.agency_id, subject_id)
        consent_read = self.core.policy_engine.decide_read(
            ReadRequest(principal, frozenset({Relation.CONSENT_REGISTER}), (DataCategory.CONSENT,), ties=consent_ties)
        )
        consents = (
            [
                {"id": row["id"], "status": row["status"], "valid_until": row["valid_until"]}
                for record in records
                for row in self.consents.for_subject(record)
            ]
            if consent_read.permitted
            else None
        )
        return {
            "subject_id": str(subject_id),
            "person": self._person(principal, records, sources),
            "referrals": sorted(referrals, key=lambda item: str(item["submitted_at"]), reverse=True),
            "record_requests": [self._request(row) for row in requests],
            "handovers": [self._handover(row) for row in handovers],
            "consents": consents,
            "involved": self._involved(principal, sources),
        }

    def _person(self, principal: Principal, records: list[UUID], sources: dict[str, set[Tie]]) -> dict[str, Any] | None:
        """The child's name and birth date as one of the agency's own streams gives them (None once erased)."""
        if any(self.core.subject_keys.is_erased(record) for record in records):
            return None
        for source in sources:
            for person in self._people_of(UUID(source), sources[source]):
                if person.subject_id in records:
                    return {
                        "given_name": person.given_name,
                        "family_name": person.family_name,
                        "birth_date": person.birth_date,
                    }
        return None

    def _people_of(self, source: UUID, ties: set[Tie]) -> tuple[PersonDetails, ...]:
        """The people a stream names, where the agency's part in it lets it see who they are."""
        if self.referrals.envelope(source) is not None:
            if Tie.RECIPIENT not in ties and Tie.CASE_LEAD not in ties:
                return ()
            referral = self.core.app.referral(source)
            return (referral.child, *referral.family)
        if self.requests.envelope(source) is not None:
            return self.core.app.record_request(source).subjects
        if self.handovers.envelope(source) is not None:
            return self.core.app.handover(source).subjects
        return ()

    def _referral(self, row: Row, ties: set[Tie]) -> dict[str, Any]:
        works_it = bool(ties & {Tie.RECIPIENT, Tie.CASE_LEAD})
        item: dict[str, Any] = {
            "id": row["id"],
            "submitted_at": row["submitted_at"],
            "lead": self._agency(row["lead_agency_id"]),
            "sent_by_us": Tie.REFERRER in ties,
        }
        if works_it:
            item.update(status=row["status"], urgency=row["urgency"])
        else:
            item["milestone"] = feedback.MILESTONE_OF_STATUS[row["status"]].value
        return item

    def _request(self, row: Row) -> dict[str, Any]:
        return {
            "id": row["id"],
            "status": row["status"],
            "created_at": row["created_at"],
            "due_at": row["due_at"],
            "requester": self._agency(row["requester_agency_id"]),
            "responder": self._agency(row["responder_agency_id"]),
        }

    def _handover(self, row: Row) -> dict[str, Any]:
        return {
            "id": row["id"],
            "status": row["status"],
            "from_municipality": row["from_municipality"],
            "to_municipality": row["to_municipality"],
            "from_agency": self._agency(row["from_agency_id"]),
            "to_agency": self._agency(row["to_agency_id"]) if row["to_agency_id"] else None,
        }

    def _involved(self, principal: Principal, sources: dict[str, set[Tie]]) -> list[dict[str, Any]]:
        """The other agencies taking part in the agency's own streams about the child, with how they take part."""
        ties: dict[str, set[str]] = {}
        for row in self.relationships.queries.parties(sources):
            if row["agency_id"] != str(principal.agency_id):
                ties.setdefault(row["agency_id"], set()).add(row["tie"])
        involved = []
        for agency_id, agency_ties in ties.items():
            agency = self._agency(agency_id)
            if agency is not None:
                involved.append({**agency, "ties": sorted(agency_ties)})
        return sorted(involved, key=lambda item: str(item["name"]))

    def _agency(self, agency_id: str) -> dict[str, Any] | None:
        row = self.core.registry_queries.agency(UUID(agency_id))
        return agency_summary(row) if row is not None else None
