"""Staff track a person's written requests about their data (GDPR Art. 12(3)): record that the person asked in
writing, extend the one-month clock once with a reason, mark it answered; overdue requests are flagged by the due
work like every other clock. Each change is decided by `policies/citizens.cedar` with the acting agency's
relationships to the person (the social service leading their case); the data protection officer sees every
agency's requests (ids, rights, dates and states) to oversee the clocks."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from events.values import AgencyKind, Role
from events.written_requests import WRITTEN_REQUEST_EVENTS
from hub.citizens import domain
from hub.citizens.domain import ExtensionDraft, WrittenRequest, WrittenRequestDraft
from hub.kernel.core import Core, actor_for, agency_summary
from hub.kernel.errors import Forbidden
from hub.people.relationship_service import RelationshipService
from hub.people.service import SubjectService
from policies import roles
from policies.decision import AccessDecision, Principal
from policies.engine import PersonAction
from projections.record_requests import parse_utc_text, utc_text
from projections.viewdb import Row
from projections.written_requests import WrittenRequestQueries

LIST_LIMIT = 200


class WrittenRequestService:
    def __init__(self, core: Core, relationships: RelationshipService, subjects: SubjectService) -> None:
        self.core = core
        self.relationships = relationships
        self.subjects = subjects
        self.queries = WrittenRequestQueries(core.views_db)

    def record(self, principal: Principal, draft: WrittenRequestDraft) -> dict[str, Any]:
        """The person asked in writing: the request and its clock (a calendar month from the day it arrived)."""
        self.core.wait_for_views()
        self.subjects.require_known(draft.subject_id, "subject_id")
        decision = self._authorize(principal, draft.subject_id, "written-request.record")
        event = domain.record(draft, principal.agency_id, actor_for(principal, decision.role), self.core.now())
        self.core.app.append(event)
        return self._document(self._request(event.originator_id))

    def extend(self, principal: Principal, request_id: UUID, draft: ExtensionDraft) -> dict[str, Any]:
        """Two further months, once, with the reason (Art. 12(3): the person is told why within the first month)."""
        request = self._request(request_id)
        decision = self._authorize(principal, request.subject_id, "written-request.extend")
        self.core.app.append(domain.extend(request, draft, actor_for(principal, decision.role), self.core.now()))
        return self._document(self._request(request_id))

    def answer(self, principal: Principal, request_id: UUID) -> dict[str, Any]:
        request = self._request(request_id)
        decision = self._authorize(principal, request.subject_id, "written-request.answer")
        self.core.app.append(domain.answer(request, actor_for(principal, decision.role), self.core.now()))
        return self._document(self._request(request_id))

    def listing(self, principal: Principal) -> list[dict[str, Any]]:
        """The requests the caller's social service answers, or (the data protection officer) every agency's: ids,
        rights, dates and states only, newest first."""
        self.core.wait_for_views()
        if Role.AUDITOR in principal.roles and principal.agency_kind is AgencyKind.AUDITOR:
            rows = self.queries.of_agency(None, LIST_LIMIT)
        elif roles.casework_role(principal.roles) and principal.agency_kind is AgencyKind.SOCIAL_SERVICE:
            rows = self.queries.of_agency(principal.agency_id, LIST_LIMIT)
        else:
            raise Forbidden("access_denied", "only social services' case workers and the data protection officer")
        return [self._row_document(row) for row in rows]

    def tick(self, now: datetime | None = None) -> int:
        """Overdue events for open requests past their due time; returns how many were appended."""
        moment = now or self.core.now()
        self.core.wait_for_views()
        appended = 0
        for row in self.queries.open_due(utc_text(moment)):
            event = domain.clock_event(self._request(UUID(row["id"])), moment)
            if event is not None:
                self.core.app.append(event)
                appended += 1
        return appended

    def _authorize(self, principal: Principal, subject_id: UUID, what: str) -> AccessDecision:
        self.core.wait_for_views()
        return self.relationships.authorize(
            principal, PersonAction.HANDLE_WRITTEN_REQUEST, [subject_id], f"written-requests:{subject_id}", what
        )

    def _request(self, request_id: UUID) -> WrittenRequest:
        events = [event for event in self.core.app.stream(request_id) if isinstance(event, WRITTEN_REQUEST_EVENTS)]
        return domain.fold(events)

    def _agency(self, agency_id: UUID) -> dict[str, Any] | None:
        row = self.core.registry_queries.agency(agency_id)
        return agency_summary(row) if row is not None else None

    def _document(self, request: WrittenRequest) -> dict[str, Any]:
        return {
            "id": str(request.id),
            "subject_id": str(request.subject_id),
            "agency": self._agency(request.agency_id),
            "right": request.right.value,
            "received_at": request.received_at,
            "due_at": request.due_at,
            "extended": request.extended,
            "status": request.status.value,
            "overdue": request.overdue,
        }

    def _row_document(self, row: Row) -> dict[str, Any]:
        return {
            "id": row["id"],
            "subject_id": row["subject_id"],
            "agency": self._agency(UUID(row["agency_id"])),
            "right": row["request_right"],
            "received_at": parse_utc_text(row["received_at"]),
            "due_at": parse_utc_text(row["due_at"]),
            "extended": bool(row["extended"]),
            "status": row["status"],
            "overdue": bool(row["overdue"]),
        }
