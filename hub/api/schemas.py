"""Response bodies of the API (request bodies are the domain drafts)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel

from events.values import Concern, Relationship, Urgency


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
