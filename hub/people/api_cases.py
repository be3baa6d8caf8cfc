"""A child's case as the caller's agency takes part in it, and finding a child (case workers; both recorded)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header
from pydantic import BaseModel

from hub.api.auth import HubDep, PrincipalDep
from hub.api.schemas import AgencySummary
from hub.people.case_service import ChildSearchDraft

router = APIRouter(prefix="/v1/subjects", tags=["subjects"])
Purpose = Annotated[str, Header(alias="X-Purpose", max_length=200)]


class CasePerson(BaseModel):
    given_name: str
    family_name: str
    birth_date: date | None


class CaseReferral(BaseModel):
    id: UUID
    submitted_at: datetime
    lead: AgencySummary | None
    sent_by_us: bool
    status: str | None = None
    urgency: str | None = None
    milestone: str | None = None


class CaseRecordRequest(BaseModel):
    id: UUID
    status: str
    created_at: datetime
    due_at: datetime
    requester: AgencySummary | None
    responder: AgencySummary | None


class CaseHandover(BaseModel):
    id: UUID
    status: str
    from_municipality: str
    to_municipality: str
    from_agency: AgencySummary | None
    to_agency: AgencySummary | None


class CaseConsent(BaseModel):
    id: UUID
    status: str
    valid_until: datetime | None


class InvolvedAgency(AgencySummary):
    ties: list[str]


class CaseDocument(BaseModel):
    subject_id: UUID
    person: CasePerson | None
    referrals: list[CaseReferral]
    record_requests: list[CaseRecordRequest]
    handovers: list[CaseHandover]
    consents: list[CaseConsent] | None
    involved: list[InvolvedAgency]


class ChildMatch(BaseModel):
    subject_id: UUID
    person: CasePerson | None


@router.post("/search", response_model=list[ChildMatch])
def search_children(
    draft: ChildSearchDraft, hub: HubDep, principal: PrincipalDep, purpose: Purpose = "case-search"
) -> list[dict[str, Any]]:
    """Children matching a personal code, or a name and birth date, that the caller's agency is related to; an
    empty list says no such child, not whether the hub knows one. The search is recorded."""
    return hub.cases.search(principal, draft, purpose)


@router.get("/{subject_id}/case", response_model=CaseDocument)
def read_case(subject_id: UUID, hub: HubDep, principal: PrincipalDep, purpose: Purpose = "case-view") -> dict[str, Any]:
    """The caller's agency's part in the child's case: referrals, record requests, handovers, consents and the
    other agencies involved in them. The read is recorded."""
    return hub.cases.case(principal, subject_id, purpose)
