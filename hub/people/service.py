"""Subjects: resolve the people a referral names to single records, and let case managers settle matches."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal
from uuid import UUID, uuid4

from eventsourcing.persistence import IntegrityError

from events.base import Actor, DomainEvent
from events.people import PersonDetails
from events.values import DataCategory
from hub.kernel.blind_index import BlindIndex
from hub.kernel.core import Core, actor_for
from hub.kernel.errors import Conflict, Forbidden, Gone, InvalidInput, NotFound
from hub.kernel.personal_code import InvalidPersonalCode, parse_personal_code
from hub.people import domain as domain
from hub.people.drafts import SubjectDraft
from hub.people.relationship_service import RelationshipService
from policies.decision import Principal
from policies.engine import PersonAction, ReadRequest, Relation
from projections.subjects import SubjectQueries

FindFor = Literal["consents", "access-report"]
# What finding a person for each page must be allowed: the same read that page makes.
FIND_FOR: dict[str, tuple[Relation, DataCategory]] = {
    "consents": (Relation.CONSENT_REGISTER, DataCategory.CONSENT),
    "access-report": (Relation.ACCESS_REPORT, DataCategory.ACCESS_LOG),
}
# A name + birth date shared by more records than this is too common to be worth a case manager's time.
MAX_CANDIDATES = 5


class SubjectService:
    def __init__(self, core: Core, index: BlindIndex, relationships: RelationshipService) -> None:
        self.core = core
        self.index = index
        self.relationships = relationships
        self.queries = SubjectQueries(core.views_db)

    def resolve(
        self, people: Sequence[SubjectDraft], actor: Actor
    ) -> tuple[tuple[PersonDetails, ...], list[DomainEvent]]:
        """Each person's subject record, and the events that register new records or note candidate matches."""
        self.core.wait_for_views()
        at = self.core.now()
        seen: dict[str, UUID] = {}
        details: list[PersonDetails] = []
        events: list[DomainEvent] = []
        for person in people:
            birth_date = person.birth_date
            code_index = self.index.personal_code(person.personal_code) if person.personal_code else None
            name_index = (
                self.index.name_and_birth_date(person.given_name, person.family_name, birth_date)
                if birth_date is not None
                else None
            )
            key = code_index or name_index
            subject_id = seen.get(key) if key else None
            if subject_id is None:
                subject_id, new = self._subject_for(code_index, name_index, actor, at)
                events.extend(new)
            if key:
                seen[key] = subject_id
            details.append(
                PersonDetails(
                    subject_id=subject_id,
                    given_name=person.given_name,
                    family_name=person.family_name,
                    birth_date=birth_date,
                    personal_code=person.personal_code,
                    relationship=person.relationship,
                )
            )
        return tuple(details), events

    def _subject_for(
        self, code_index: str | None, name_index: str | None, actor: Actor, at: datetime
    ) -> tuple[UUID, list[DomainEvent]]:
        known = self.queries.by_code(code_index) if code_index is not None else None
        if known is not None:
            return known, []
        subject_id = uuid4()  # random: an id derived from a code would confirm the code after erasure
        events: list[DomainEvent] = [domain.register_subject(subject_id, code_index, name_index, actor, at)]
        if name_index is not None:
            subject = domain.mutate_subject(events[0], None)
            for candidate_id in self.queries.by_name(name_index)[:MAX_CANDIDATES]:
                matched = domain.match_candidate(subject, candidate_id, actor, at)
                subject = domain.mutate_subject(matched, subject)
                events.append(matched)
        return subject_id, events

    def known(self, people: Sequence[SubjectDraft], field: str = "subjects") -> tuple[PersonDetails, ...]:
        """The people a request names (record requests, handovers), each resolved to the record the hub has of them:
        by subject id, else by any personal code they have had. A person the hub does not know is 422
        `unknown_subject` (no agency could be related to them), so no second record of anyone is ever made here."""
        self.core.wait_for_views()
        details = []
        for index, person in enumerate(people):
            subject_id = self.known_id(person.subject_id, person.personal_code, f"{field}.{index}")
            details.append(
                PersonDetails(
                    subject_id=subject_id,
                    given_name=person.given_name,
                    family_name=person.family_name,
                    birth_date=person.birth_date,
                    personal_code=person.personal_code,
                    relationship=person.relationship,
                )
            )
        return tuple(details)

    def known_id(self, subject_id: UUID | None, personal_code: str | None, field: str) -> UUID:
        """The record of a person named by subject id, or else by any personal code they have had (canonical
        form). Unknown: 422 `unknown_subject`; a code of someone else than the subject id names: 422
        `subject_code_mismatch`."""
        by_code = self.queries.by_code(self.index.personal_code(personal_code)) if personal_code else None
        if subject_id is None:
            if by_code is None:
                raise InvalidInput(
                    "unknown_subject", "no person with this personal code is known; give their subject id", field
                )
            return by_code
        self.require_known(subject_id, f"{field}.subject_id" if field else "subject_id")
        if by_code is not None and by_code not in self.same_person([subject_id]):
            raise InvalidInput(
                "subject_code_mismatch",
                "this personal code belongs to another person",
                f"{field}.personal_code" if field else "personal_code",
            )
        return subject_id

    def find_related(self, principal: Principal, personal_code: str, page: FindFor, purpose: str) -> UUID:
        """The record of a person found by a personal code (through the blind index), for a page the caller's
        agency may open about them now (their consents, or their access report). The search is recorded; an
        unknown code and a person the agency has no tie to get the same 404, so the search reveals nothing."""
        try:
            code = parse_personal_code(personal_code).value
        except InvalidPersonalCode as error:
            raise InvalidInput("invalid_personal_code", str(error), "personal_code") from None
        self.core.wait_for_views()
        found = self.queries.by_code(self.index.personal_code(code))
        ties = self.relationships.ties(principal.agency_id, found) if found else frozenset()
        relation, category = FIND_FOR[page]
        decision = self.core.policy_engine.decide_read(
            ReadRequest(principal, frozenset({relation}) if ties else frozenset(), (category,), ties=ties)
        )
        subjects = (found,) if found else ()
        self.core.record_access(principal, decision, "subject.find", f"subjects:find:{page}", purpose, subjects)
        if found is None or not decision.permitted:
            raise NotFound("person_not_found", "no person the caller may see has this personal code")
        return found

    def record_of(self, personal_code: str) -> UUID | None:
        """The record of the person who has (or had) this personal code, through the blind index; None for a code
        that is malformed, unknown or of an erased person. Not recorded here: the caller records what it does."""
        try:
            code = parse_personal_code(personal_code).value
        except InvalidPersonalCode:
            return None
        self.core.wait_for_views()
        found = self.queries.by_code(self.index.personal_code(code))
        if found is None or self.core.subject_keys.is_erased(found):
            return None
        return found

    def require_known(self, subject_id: UUID, field: str) -> None:
        """A subject id from input must name a person the hub knows (422 `unknown_subject`) and has not erased
        (410 `subject_erased`: nothing more can be recorded or disclosed about them). Callers wait for the views
        first, so a person recorded a moment ago is known."""
        if not self.queries.exists(subject_id):
            raise InvalidInput("unknown_subject", "no person with this subject id is known", field)
        if self.core.subject_keys.is_erased(subject_id):
            raise Gone("subject_erased", "this person's data was erased", field)

    def same_person(self, subject_ids: Sequence[UUID]) -> list[UUID]:
        """Every record confirmed to be the same person, as far as the views have followed (callers catch up)."""
        return self.queries.same_person(subject_ids) or list(subject_ids)

    def add_code(self, principal: Principal, subject_id: UUID, personal_code: str) -> dict[str, Any]:
        """Record a new personal code (issued on request or adoption); every earlier code keeps matching."""
        role = self._permitted(principal, subject_id, "subject.add-code")
        try:
            code = parse_personal_code(personal_code).value
        except InvalidPersonalCode as error:
            raise InvalidInput("invalid_personal_code", str(error), "personal_code") from None
        code_index = self.index.personal_code(code)
        holder = self.queries.by_code(code_index)
        if holder is not None and holder not in self.queries.same_person([subject_id]):
            raise Conflict("code_belongs_to_another_subject", "this personal code is recorded for another person")
        event = domain.add_code(
            self.core.app.subject(subject_id), code_index, code, actor_for(principal, role), self.core.now()
        )
        if event is not None:
            self._append(event)
        return {"subject_id": str(subject_id), "codes": "added" if event else "unchanged"}

    def confirm(self, principal: Principal, subject_id: UUID, candidate_id: UUID) -> dict[str, Any]:
        """The two records are the same person: from now on both match, and their referrals link."""
        role = self._permitted(principal, subject_id, "subject.confirm-match")
        subject = self.core.app.subject(subject_id)
        self._append(domain.confirm_match(subject, candidate_id, actor_for(principal, role), self.core.now()))
        return {"subject_id": str(subject_id), "candidate_id": str(candidate_id), "state": "confirmed"}

    def reject(self, principal: Principal, subject_id: UUID, candidate_id: UUID) -> dict[str, Any]:
        role = self._permitted(principal, subject_id, "subject.reject-match")
        subject = self.core.app.subject(subject_id)
        self._append(domain.reject_match(subject, candidate_id, actor_for(principal, role), self.core.now()))
        return {"subject_id": str(subject_id), "candidate_id": str(candidate_id), "state": "rejected"}

    def pending_candidates(self, principal: Principal, purpose: str) -> list[dict[str, Any]]:
        """Candidate matches waiting for the caller's agency (ids only: the referrals show who they are). The caller
        must hold a role that settles subject records; each person listed is one its agency is related to now."""
        decision = self.relationships.decide_role(principal, PersonAction.CHANGE_SUBJECT)
        self.core.wait_for_views()
        rows = [
            row
            for row in (self.queries.pending_candidates(principal.agency_id) if decision.permitted else [])
            if self.relationships.decide(principal, PersonAction.CHANGE_SUBJECT, UUID(row["subject_id"])).permitted
        ]
        subjects = tuple(UUID(row["subject_id"]) for row in rows)
        self.core.record_access(principal, decision, "subjects.candidates", "subjects:candidates", purpose, subjects)
        if not decision.permitted:
            raise Forbidden("access_denied", "; ".join(decision.reasons))
        return [
            {"subject_id": row["subject_id"], "candidate_id": row["candidate_id"], "referral_id": row["referral_id"]}
            for row in rows
        ]

    def _permitted(self, principal: Principal, subject_id: UUID, action: str) -> str:
        self.core.wait_for_views()
        if not self.queries.exists(subject_id):
            raise NotFound("subject_not_found", "no subject with this id")
        return self.relationships.authorize(
            principal, PersonAction.CHANGE_SUBJECT, [subject_id], f"subject:{subject_id}", action
        ).role

    def _append(self, event: DomainEvent) -> None:
        try:
            self.core.app.append(event)
        except IntegrityError:
            raise Conflict("concurrent_change", "the subject changed meanwhile; reload and retry") from None
