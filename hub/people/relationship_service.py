"""Need-to-know: the acting agency's relationships to a person, and the policy decision on a change about them.

A person may have several records (merged matches, earlier codes); relationships count over every one of them,
so that restrictions and rights follow the person, not an id. A refusal is recorded like any other decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from events.values import Tie
from hub.kernel.core import Core
from hub.kernel.errors import Forbidden, InvalidInput
from policies.decision import AccessDecision, Principal
from policies.engine import PersonAction, PersonRequest
from projections.relationships import RelationshipQueries
from projections.subjects import SubjectQueries

NO_PERSON = UUID(int=0)


class RelationshipService:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.queries = RelationshipQueries(core.views_db)
        self.people = SubjectQueries(core.views_db)

    def records_of(self, subject_id: UUID) -> list[UUID]:
        """Every record of the person (as far as the views have followed; callers catch up)."""
        return self.people.same_person([subject_id]) or [subject_id]

    def ties(self, agency_id: UUID, subject_id: UUID) -> frozenset[Tie]:
        """The relationships the agency holds now with the person (every record of them)."""
        return self.queries.ties(agency_id, self.records_of(subject_id), self.core.now())

    def ties_by_subject(self, agency_id: UUID, subject_ids: Iterable[UUID]) -> dict[UUID, frozenset[Tie]]:
        return {subject_id: self.ties(agency_id, subject_id) for subject_id in subject_ids}

    def decide(
        self,
        principal: Principal,
        action: PersonAction,
        subject_id: UUID,
        *,
        recorded_here: bool = False,
        reason: str = "",
    ) -> AccessDecision:
        """The policy's decision on one change about one person, with the caller's relationships to them."""
        ties = self.ties(principal.agency_id, subject_id)
        request = PersonRequest(principal, action, subject_id, ties, recorded_here=recorded_here, reason=reason)
        return self.core.policy_engine.decide_person(request)

    def decide_role(self, principal: Principal, action: PersonAction) -> AccessDecision:
        """Whether the caller's role and agency kind could take this action at all, for a person whose case its
        agency leads: the gate of a listing whose rows are then each decided with the real relationships."""
        request = PersonRequest(principal, action, NO_PERSON, frozenset({Tie.CASE_LEAD}))
        return self.core.policy_engine.decide_person(request)

    def authorize(
        self,
        principal: Principal,
        action: PersonAction,
        subject_ids: Iterable[UUID],
        resource: str,
        what: str | None = None,
        *,
        recorded_here: bool = False,
        reason: str = "",
    ) -> AccessDecision:
        """Permit only if the policy permits the change about every person named; a refusal is recorded and raised
        (403 `action_not_permitted`). Callers have caught the views up."""
        subjects = tuple(dict.fromkeys(subject_ids))
        if not subjects:
            raise InvalidInput("no_subject", "name at least one person", "subjects")
        decisions = [
            self.decide(principal, action, subject_id, recorded_here=recorded_here, reason=reason)
            for subject_id in subjects
        ]
        refused = next((decision for decision in decisions if not decision.permitted), None)
        if refused is not None:
            self.core.record_access(principal, refused, what or action.value, resource, action.value, subjects)
            raise Forbidden("action_not_permitted", "; ".join(refused.reasons))
        return decisions[0]
