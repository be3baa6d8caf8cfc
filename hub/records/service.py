"""Prior-residence record requests: create, acknowledge, answer per category, refuse, withdraw, read, clocks.

Every release is a disclosure decided by the policy engine; every read of a request or of released content is an
audited access; the clocks (`tick`) are derived from the log and idempotent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from events.base import Actor, DomainEvent
from events.handover import HandoverStatus
from events.people import PersonDetails
from events.records import CategoryState, DocumentReference
from events.values import AgencyKind, DataCategory
from hub.consent.disclosure_service import DisclosureDraft, DisclosureService
from hub.kernel.core import Core, actor_for, agency_summary
from hub.kernel.drafts import DraftModel
from hub.kernel.errors import Forbidden, Gone, InvalidInput, NotFound
from hub.people.relationship_service import RelationshipService
from hub.people.service import SubjectService
from hub.records import domain as records
from hub.records.document_store import DocumentErased, DocumentStore, sha256_hex
from hub.records.domain import (
    AnswersDraft,
    Forward,
    NotHeldAnswer,
    RecordRequest,
    RecordRequestDraft,
    Release,
    ReleasedAnswer,
    Settlement,
    WithheldAnswer,
)
from hub.records.transitions import TRANSITIONS, RecordRequestAction
from policies import roles
from policies.decision import AccessDecision, Principal, acting_role, denied
from policies.engine import PersonAction, ReadRequest, Relation
from projections.record_requests import RecordRequestQueries
from projections.viewdb import Row

ONWARD_NOTICE = {
    "en": "Released by the originating agency for this request only; do not disclose further without a basis of "
    "your own (the person's consent).",
    "lv": "Izsniegts tikai šim pieprasījumam; tālāk izpaust drīkst tikai ar savu tiesisko pamatu (personas "
    "piekrišanu).",
}


@dataclass(frozen=True)
class Download:
    file_name: str
    media_type: str
    content: bytes


class RecordsService:
    def __init__(
        self,
        core: Core,
        disclosures: DisclosureService,
        subjects: SubjectService,
        relationships: RelationshipService,
    ) -> None:
        self.core = core
        self.disclosures = disclosures
        self.subjects = subjects
        self.relationships = relationships
        self.queries = RecordRequestQueries(core.views_db)
        self.documents = DocumentStore(core.settings.documents_path, core.subject_keys)

    # --- commands -------------------------------------------------------------------------------------------

    def create(
        self, principal: Principal, draft: RecordRequestDraft, now: datetime | None = None
    ) -> list[dict[str, Any]]:
        """One request per responding agency, appended together; returns the requests as their requester sees them.
        The requester must be related to every person named (their case, a referral about them, an offered case)."""
        if principal.agency_kind not in roles.RECORD_KEEPING_KINDS or roles.casework_role(principal.roles) is None:
            raise Forbidden("may_not_request_records", "only caseworkers of a social service or bāriņtiesa may ask")
        moment = now or self.core.now()
        subjects = self._subjects(principal, draft)
        decision = self.relationships.authorize(
            principal,
            PersonAction.REQUEST_RECORDS,
            [subject.subject_id for subject in subjects],
            f"record-request:{draft.municipality}",
            "record-request.create",
        )
        actor = actor_for(principal, decision.role)
        events = [
            records.create_request(
                records.RequestTerms.of(draft), actor, principal.agency_id, UUID(row["id"]), subjects, moment
            )
            for row in self._responders(principal, draft)
        ]
        self.core.app.append(*events)
        return [
            self._present(self.core.app.record_request(event.originator_id), with_subjects=False) for event in events
        ]

    def act(
        self,
        principal: Principal,
        request_id: UUID,
        action: RecordRequestAction,
        draft: DraftModel | None = None,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """Take one transition of the table: check the party, decide, append; returns the request as parties see
        it. `draft` is the body the action's row takes (None when it takes none)."""
        transition = TRANSITIONS[action]
        transition.check(draft)
        request = (
            self._as_requester(principal, request_id)
            if transition.by_requester
            else self._as_responder(principal, request_id)
        )
        actor = actor_for(principal, self._role(principal))
        self.core.app.append(*transition.command(self, principal, request, actor, now or self.core.now(), draft))
        return self._present(self.core.app.record_request(request_id), with_subjects=False)

    def settle(
        self, principal: Principal, request: RecordRequest, actor: Actor, now: datetime, draft: AnswersDraft
    ) -> list[DomainEvent]:
        """Settle some or all categories: released (as one disclosure), withheld, or not held and forwarded."""
        records.check_answerable(request, draft)
        extra: list[DomainEvent] = []
        settlements: list[Settlement] = []
        released = [answer for answer in draft.answers if isinstance(answer, ReleasedAnswer)]
        if released:
            disclosure, _ = self.disclosures.prepare(principal, self._release_draft(request, released), request.id)
            extra.append(disclosure)
            settlements.extend(self._released(request, released, disclosure.originator_id))
        settlements.extend(answer for answer in draft.answers if isinstance(answer, WithheldAnswer))
        forwarded, created = self._forwards(principal, request, draft, now)
        settlements.extend(forwarded)
        extra.extend(created)
        return [*records.answer_events(request, actor, now, settlements), *extra]

    def tick(self, now: datetime | None = None) -> int:
        """Append the reminders, overdue and escalation events the clocks call for now; returns how many."""
        moment = now or self.core.now()
        self.core.wait_for_views()
        appended = 0
        for row in self.queries.active():
            events = records.clock_events(self.core.app.record_request(UUID(row["id"])), moment)
            if events:
                self.core.app.append(*events)
                appended += len(events)
        return appended

    # --- reads ----------------------------------------------------------------------------------------------

    def listing(self, principal: Principal, box: str, limit: int) -> list[dict[str, Any]]:
        """Envelopes only (no personal data): agencies, state, clocks."""
        if roles.casework_role(principal.roles) is None:
            raise Forbidden("access_denied", "none of the caller's roles works record requests")
        self.core.wait_for_views()
        return [self._envelope(row) for row in self.queries.listing(principal.agency_id, box, limit)]

    def read(self, principal: Principal, request_id: UUID, purpose: str) -> dict[str, Any]:
        """The request with its subjects and the state of each category (no released content); audited."""
        request, decision = self._decided_read(
            principal, request_id, purpose, (DataCategory.IDENTITY, DataCategory.STATUS)
        )
        self.core.record_access(
            principal, decision, "record_request.read", f"record_request:{request_id}", purpose, request.subject_ids
        )
        return self._present(request, with_subjects=DataCategory.IDENTITY in decision.categories)

    def released(self, principal: Principal, request_id: UUID, purpose: str) -> dict[str, Any]:
        """What was released to the requester, with its onward-sharing restriction; every read is recorded."""
        request = self._request(request_id)
        categories = tuple(request.released) if request is not None else ()
        request, decision = self._decided_read(
            principal, request_id, purpose, (DataCategory.STATUS, *categories), requester_only=True
        )
        self.core.record_access(
            principal, decision, "records.read", f"record_request:{request_id}/released", purpose, request.subject_ids
        )
        return {
            "request_id": str(request.id),
            "responder": self._agency(request.responder_agency_id),
            "restriction": ONWARD_NOTICE,
            "released": [
                {
                    "category": category,
                    "released_at": part.released_at,
                    "disclosure_id": str(part.disclosure_id),
                    "entries": [entry.model_dump() for entry in part.entries],
                    "documents": [reference.model_dump() for reference in part.documents],
                }
                for category, part in request.released.items()
                if category in decision.categories
            ],
        }

    def document(self, principal: Principal, request_id: UUID, document_id: UUID, purpose: str) -> Download:
        """One released document, decrypted for the requester; the download is recorded."""
        request = self._request(request_id)
        found = request.document(document_id) if request is not None else None
        categories = (found[0],) if found else (DataCategory.STATUS,)
        request, decision = self._decided_read(principal, request_id, purpose, categories, requester_only=True)
        resource = f"record_request:{request_id}/documents/{document_id}"
        self.core.record_access(principal, decision, "records.document", resource, purpose, request.subject_ids)
        if found is None:
            raise NotFound("document_not_found", "no such document in this request's released records")
        reference = found[1]
        try:
            content = self.documents.get(document_id, reference.sha256)
        except DocumentErased:
            raise Gone("subject_erased", "the person this document is about was erased") from None
        return Download(reference.file_name, reference.media_type, content)

    # --- helpers --------------------------------------------------------------------------------------------

    def _decided_read(
        self,
        principal: Principal,
        request_id: UUID,
        purpose: str,
        categories: tuple[DataCategory, ...],
        requester_only: bool = False,
    ) -> tuple[RecordRequest, AccessDecision]:
        """Decide a read; a denial (or a request the caller may not see) is recorded and raised."""
        request = self._request(request_id)
        relations: set[Relation] = set()
        if request is not None and request.requester_agency_id == principal.agency_id:
            relations.add(Relation.RECORD_REQUESTER)
        if request is not None and request.responder_agency_id == principal.agency_id and not requester_only:
            relations.add(Relation.RECORD_RESPONDER)
        decision = self.core.policy_engine.decide_read(ReadRequest(principal, frozenset(relations), categories))
        if request is None or not decision.permitted:
            if request is None:
                decision = denied(acting_role(principal), "no such record request")
            subjects = request.subject_ids if request is not None else ()
            action = "records.read" if requester_only else "record_request.read"
            self.core.record_access(principal, decision, action, f"record_request:{request_id}", purpose, subjects)
            raise NotFound("record_request_not_found", "no record request with this id is visible to the caller")
        return request, decision

    def _request(self, request_id: UUID) -> RecordRequest | None:
        self.core.wait_for_views()
        if self.queries.envelope(request_id) is None:
            return None
        return self.core.app.record_request(request_id)

    def _as_requester(self, principal: Principal, request_id: UUID) -> RecordRequest:
        request = self._request(request_id)
        if request is None or request.requester_agency_id != principal.agency_id:
            raise Forbidden("not_requester", "only the requesting agency may withdraw a request")
        return request

    def _as_responder(self, principal: Principal, request_id: UUID) -> RecordRequest:
        request = self._request(request_id)
        if request is None:
            raise NotFound("record_request_not_found", "no record request with this id")
        if request.responder_agency_id != principal.agency_id:
            raise Forbidden("not_responder", "only the agency the request was sent to may answer it")
        if roles.casework_role(principal.roles) is None:
            raise Forbidden("role_may_not_answer", "none of the caller's roles works record requests")
        return request

    @staticmethod
    def _role(principal: Principal) -> str:
        role = roles.casework_role(principal.roles)
        return role.value if role is not None else acting_role(principal)

    def _subjects(self, principal: Principal, draft: RecordRequestDraft) -> tuple[PersonDetails, ...]:
        if draft.handover_id is None:
            return self.subjects.known(draft.subjects)
        self.core.wait_for_views()
        if not self.core.app.exists(draft.handover_id):
            raise InvalidInput("unknown_handover", "no handover with this id", "handover_id")
        handover = self.core.app.handover(draft.handover_id)
        if handover.status is not HandoverStatus.ACCEPTED or handover.owner_agency_id != principal.agency_id:
            raise InvalidInput(
                "not_handover_owner", "the caller's agency has not accepted this handover", "handover_id"
            )
        return handover.subjects

    def _responders(self, principal: Principal, draft: RecordRequestDraft) -> list[Row]:
        if not draft.agencies:
            found = [
                row
                for kind in (AgencyKind.SOCIAL_SERVICE, AgencyKind.ORPHANS_COURT)
                for row in self.core.registry_queries.agencies_of_kind(kind.value, draft.municipality)
            ]
            if not found:
                raise InvalidInput("no_agencies", "no social service or bāriņtiesa is registered there", "municipality")
            return found
        rows = []
        for index, code in enumerate(dict.fromkeys(draft.agencies)):
            row = self.core.recipient_agency(code, f"agencies.{index}")
            if row["municipality"] not in (draft.municipality, None):
                raise InvalidInput(
                    "agency_outside_municipality", f"{code} does not serve {draft.municipality}", f"agencies.{index}"
                )
            rows.append(row)
        return rows

    def _release_draft(self, request: RecordRequest, released: list[ReleasedAnswer]) -> DisclosureDraft:
        recipient = self.core.registry_queries.agency(request.requester_agency_id)
        assert recipient is not None
        return DisclosureDraft(
            recipient=recipient["code"],
            subjects=list(request.subject_ids),
            categories=[answer.category for answer in released],
            purpose=request.purpose,
            basis=request.basis,
        )

    def _released(
        self, request: RecordRequest, released: list[ReleasedAnswer], disclosure_id: UUID
    ) -> list[Settlement]:
        """Store each document encrypted, then describe each released category."""
        settlements: list[Settlement] = []
        for answer in released:
            references = []
            for document in answer.documents:
                content = document.content
                reference = DocumentReference(
                    document_id=uuid4(),
                    file_name=document.file_name,
                    media_type=document.media_type,
                    size=len(content),
                    sha256=sha256_hex(content),
                )
                self.documents.put(reference.document_id, request.subject_ids[0], content)
                references.append(reference)
            settlements.append(Release(answer, tuple(references), disclosure_id))
        return settlements

    def _forwards(
        self, principal: Principal, request: RecordRequest, draft: AnswersDraft, now: datetime
    ) -> tuple[list[Settlement], list[DomainEvent]]:
        """Not held here: one new request per agency named, from the same requester, linked to this one."""
        by_agency: dict[UUID, list[DataCategory]] = defaultdict(list)
        for index, answer in enumerate(draft.answers):
            if not isinstance(answer, NotHeldAnswer):
                continue
            field = f"answers.{index}.forward_to"
            row = self.core.recipient_agency(answer.forward_to, field)
            if UUID(row["id"]) in (principal.agency_id, request.requester_agency_id):
                raise InvalidInput("forward_to_party", "forward to an agency other than the two parties", field)
            by_agency[UUID(row["id"])].append(answer.category)
        actor = actor_for(principal, self._role(principal))
        created = [
            records.create_request(
                request.terms(tuple(categories)),
                actor,
                request.requester_agency_id,
                agency_id,
                request.subjects,
                now,
                forwarded_from=request.id,
            )
            for agency_id, categories in by_agency.items()
        ]
        settlements: list[Settlement] = [
            Forward(category=category, to_agency_id=event.responder_agency_id, request_id=event.originator_id)
            for event in created
            for category in event.categories
        ]
        return settlements, list(created)

    def _agency(self, agency_id: UUID) -> dict[str, Any] | None:
        row = self.core.registry_queries.agency(agency_id)
        return agency_summary(row) if row is not None else None

    def _envelope(self, row: Row) -> dict[str, Any]:
        return {
            "id": row["id"],
            "status": row["status"],
            "requester": self._agency(UUID(row["requester_agency_id"])),
            "responder": self._agency(UUID(row["responder_agency_id"])),
            "urgency": row["urgency"],
            "created_at": row["created_at"],
            "due_at": row["due_at"],
            "open_categories": row["open_categories"],
            "overdue": bool(row["overdue"]),
            "escalated": bool(row["escalated"]),
            "handover_id": row["handover_id"],
            "forwarded_from": row["forwarded_from"],
        }

    def _present(self, request: RecordRequest, with_subjects: bool) -> dict[str, Any]:
        categories = []
        for category in request.categories:
            item: dict[str, Any] = {"category": category, "state": request.settled.get(category, CategoryState.OPEN)}
            if category in request.withheld:
                item["reason"], item["note"] = request.withheld[category]
            if category in request.forwarded:
                agency_id, forwarded_request_id = request.forwarded[category]
                item["forwarded_to"] = self._agency(agency_id)
                item["forwarded_request_id"] = str(forwarded_request_id)
            categories.append(item)
        document: dict[str, Any] = {
            "id": str(request.id),
            "status": request.status,
            "requester": self._agency(request.requester_agency_id),
            "responder": self._agency(request.responder_agency_id),
            "purpose": request.purpose,
            "basis": request.basis,
            "urgency": request.urgency,
            "created_at": request.created_at,
            "due_at": request.due_at,
            "categories": categories,
            "reminded": request.reminded,
            "overdue": request.overdue,
            "escalated": request.escalated,
            "closing_reason": request.closing_reason,
            "handover_id": str(request.handover_id) if request.handover_id else None,
            "forwarded_from": str(request.forwarded_from) if request.forwarded_from else None,
        }
        if with_subjects:
            document["subjects"] = [subject.model_dump(mode="json") for subject in request.subjects]
        return document
