"""Response bodies of the API (request bodies are the domain drafts)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel

from events.values import AgencyKind, Concern, DataCategory, Purpose, Relationship, Urgency


class AgencySummary(BaseModel):
    id: str
    code: str
    name: str
    kind: str


class SubmissionReceipt(BaseModel):
    id: str
    status: str
    routed_to: list[AgencySummary]


class ChildSummary(BaseModel):
    given_name: str
    family_name: str
    birth_date: date | None


class InboxItem(BaseModel):
    id: str
    submitted_at: datetime
    status: str
    urgency: Urgency
    concerns: list[Concern]
    municipality: str
    referrer: AgencySummary
    child: ChildSummary


class InboxPage(BaseModel):
    items: list[InboxItem]
    next_cursor: int | None


class PersonView(BaseModel):
    subject_id: UUID
    given_name: str
    family_name: str
    birth_date: date | None = None
    personal_code: str | None = None
    relationship: Relationship | None = None


class ReferralDocument(BaseModel):
    """A referral as its reader may see it: content and identity only where the policy allows."""

    id: str
    status: str
    submitted_at: datetime
    routed_to: list[AgencySummary]
    urgency: Urgency | None = None
    concerns: list[Concern] | None = None
    summary: str | None = None
    child: PersonView | None = None
    family: list[PersonView] | None = None


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    store: str
    projection_lag: int


class Grantor(BaseModel):
    name: str
    relationship: Relationship | None


class ConsentDocument(BaseModel):
    id: UUID
    version: int
    subject_id: UUID
    status: str
    granted_by: Grantor
    recipient_agencies: list[str]
    recipient_kinds: list[AgencyKind]
    purposes: list[Purpose]
    categories: list[DataCategory]
    valid_from: datetime
    valid_until: datetime | None
    evidence: str


class DisclosureReceipt(BaseModel):
    id: UUID
    recipient: AgencySummary
    subjects: list[UUID]
    categories: list[DataCategory]
    purpose: Purpose
    basis: str
    consent_id: UUID | None
    consent_version: int | None
    break_glass: bool
    review_id: UUID | None
    policy_hash: str
    reasons: list[str]


class ReviewDocument(BaseModel):
    id: UUID
    status: str
    requested_by: str
    action: str
    resource: str
    subjects: list[UUID]
    justification: str
    opened_at: datetime
    note: str | None
    resolved_by: str | None
