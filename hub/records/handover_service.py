"""Case handover after a change of residence: record the move (offer), accept or decline, read, list.

The old service stays responsible until the new one accepts. After acceptance the old service still reads its
own history of the handover, but not the new owner's checklist or what the new owner asked for since.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from events.handover import ChecklistItem, HandoverStatus
from events.values import AgencyKind, DataCategory, Purpose
from hub.kernel.core import Core, actor_for, agency_summary
from hub.kernel.drafts import DraftModel
from hub.kernel.errors import Forbidden, InvalidInput, NotFound
from hub.people.relationship_service import RelationshipService
from hub.people.service import SubjectService
from hub.records import handover as handovers
from hub.records.handover import Handover, ResidenceChangeDraft
from hub.records.handover_transitions import TRANSITIONS, HandoverAction
from policies import roles
from policies.decision import Principal, acting_role, denied
from policies.engine import PersonAction, ReadRequest, Relation
from projections.handovers import HandoverQueries
from projections.record_requests import RecordRequestQueries


class HandoverService:
    def __init__(self, core: Core, subjects: SubjectService, relationships: RelationshipService) -> None:
        self.core = core
        self.subjects = subjects
        self.relationships = relationships
        self.queries = HandoverQueries(core.views_db)
        self.requests = RecordRequestQueries(core.views_db)

    def record_move(
        self, principal: Principal, draft: ResidenceChangeDraft, now: datetime | None = None
    ) -> dict[str, Any]:
        """The family moved: offer the case to the social service of the new municipality. Only the current owner
        of the case (the lead social service of every person named) hands it over."""
        self._social_service_role(principal)
        people = self.subjects.known(draft.subjects)
        role = self.relationships.authorize(
            principal,
            PersonAction.HAND_OVER,
            [person.subject_id for person in people],
            f"handover:{draft.to_municipality}",
            "handover.record",
        ).role
        own = self.core.registry_queries.agency(principal.agency_id)
        assert own is not None
        targets = self.core.registry_queries.agencies_of_kind(AgencyKind.SOCIAL_SERVICE.value, draft.to_municipality)
        if not targets:
            raise InvalidInput(
                "no_social_service", "no social service is registered for that municipality", "to_municipality"
            )
        events = handovers.record_residence_change(
            draft,
            actor_for(principal, role),
            own["municipality"],
            UUID(targets[0]["id"]),
            people,
            now or self.core.now(),
        )
        self.core.app.append(*events)
        return self._present(self.core.app.handover(events[0].originator_id), principal)

    def act(
        self,
        principal: Principal,
        handover_id: UUID,
        action: HandoverAction,
        draft: DraftModel | None = None,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """Accept or decline, as the social service the case was offered to; returns the handover as it sees it."""
        transition = TRANSITIONS[action]
        transition.check(draft)
        handover = self._as_receiver(principal, handover_id)
        actor = actor_for(principal, self._social_service_role(principal))
        self.core.app.append(transition.command(self, handover, actor, now or self.core.now(), draft))
        return self._present(self.core.app.handover(handover_id), principal)

    def checklist_for(self, handover: Handover) -> tuple[ChecklistItem, ...]:
        """The requests to make of the old municipality's social service and bāriņtiesa."""
        previous = [
            (UUID(row["id"]), AgencyKind(row["kind"]))
            for kind in (AgencyKind.SOCIAL_SERVICE, AgencyKind.ORPHANS_COURT)
            for row in self.core.registry_queries.agencies_of_kind(kind.value, handover.from_municipality)
        ]
        return handovers.missing_information_checklist(previous)

    def listing(self, principal: Principal, box: str, limit: int) -> list[dict[str, Any]]:
        """Envelopes only (no personal data)."""
        self._social_service_role(principal)
        self.core.wait_for_views()
        return [
            {
                "id": row["id"],
                "status": row["status"],
                "from_municipality": row["from_municipality"],
                "to_municipality": row["to_municipality"],
                "from_agency": self._agency(UUID(row["from_agency_id"])),
                "to_agency": self._agency(UUID(row["to_agency_id"])) if row["to_agency_id"] else None,
            }
            for row in self.queries.listing(principal.agency_id, box, limit)
        ]

    def read(self, principal: Principal, handover_id: UUID, purpose: str) -> dict[str, Any]:
        """The handover as its reader may see it; the read is recorded, permitted or denied."""
        handover = self._handover(handover_id)
        parties = {handover.from_agency_id, handover.to_agency_id} if handover else set()
        relations = frozenset({Relation.HANDOVER_PARTY}) if principal.agency_id in parties else frozenset()
        decision = self.core.policy_engine.decide_read(
            ReadRequest(principal, relations, (DataCategory.IDENTITY, DataCategory.STATUS))
        )
        resource = f"handover:{handover_id}"
        if handover is None or not decision.permitted:
            if handover is None:
                decision = denied(acting_role(principal), "no such handover")
            subjects = handover.subject_ids if handover else ()
            self.core.record_access(principal, decision, "handover.read", resource, purpose, subjects)
            raise NotFound("handover_not_found", "no handover with this id is visible to the caller")
        self.core.record_access(principal, decision, "handover.read", resource, purpose, handover.subject_ids)
        document = self._present(handover, principal)
        document["subjects"] = [subject.model_dump(mode="json") for subject in handover.subjects]
        return document

    def _handover(self, handover_id: UUID) -> Handover | None:
        self.core.wait_for_views()
        if self.queries.envelope(handover_id) is None:
            return None
        return self.core.app.handover(handover_id)

    def _as_receiver(self, principal: Principal, handover_id: UUID) -> Handover:
        handover = self._handover(handover_id)
        if handover is None:
            raise NotFound("handover_not_found", "no handover with this id")
        if handover.to_agency_id != principal.agency_id:
            raise Forbidden("not_offered_to_caller", "only the social service the case was offered to may decide")
        return handover

    @staticmethod
    def _social_service_role(principal: Principal) -> str:
        role = roles.casework_role(principal.roles)
        if principal.agency_kind is not AgencyKind.SOCIAL_SERVICE or role is None:
            raise Forbidden("may_not_hand_over", "only caseworkers of a social service hand cases over")
        return role.value

    def _agency(self, agency_id: UUID) -> dict[str, Any] | None:
        row = self.core.registry_queries.agency(agency_id)
        return agency_summary(row) if row is not None else None

    def _present(self, handover: Handover, principal: Principal) -> dict[str, Any]:
        """The owner sees the checklist and its progress; the old service sees its own history only."""
        document: dict[str, Any] = {
            "id": str(handover.id),
            "status": handover.status,
            "from_agency": self._agency(handover.from_agency_id),
            "to_agency": self._agency(handover.to_agency_id) if handover.to_agency_id else None,
            "owner": self._agency(handover.owner_agency_id),
            "from_municipality": handover.from_municipality,
            "to_municipality": handover.to_municipality,
            "moved_on": handover.moved_on,
            "recorded_at": handover.recorded_at,
            "decided_at": handover.decided_at,
            "decline_reason": handover.decline_reason,
        }
        if handover.status is HandoverStatus.ACCEPTED and principal.agency_id == handover.owner_agency_id:
            asked = {
                (row["responder_agency_id"]): row["id"]
                for row in self.requests.for_handover(handover.id)
                if row["requester_agency_id"] == str(principal.agency_id)
            }
            document["checklist"] = [
                {
                    "responder": self._agency(item.responder_agency_id),
                    "categories": list(item.categories),
                    "purpose": Purpose.PRIOR_RESIDENCE_RECORDS,
                    "request_id": asked.get(str(item.responder_agency_id)),
                    "done": str(item.responder_agency_id) in asked,
                }
                for item in handover.checklist
            ]
        return document
