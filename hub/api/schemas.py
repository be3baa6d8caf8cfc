"""Response bodies of the API (request bodies are the domain drafts)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from events.handover import HandoverStatus
from events.records import CategoryState, RecordRequestStatus, WithholdReason
from events.values import AgencyKind, Concern, DataCategory, Decision, Purpose, Relationship, Urgency
from events.written_requests import RequestedRight, WrittenRequestStatus


class AgencySummary(BaseModel):
    id: str
    code: str
    name: str
    kind: str


class Notice(BaseModel):
    en: str
    lv: str


class SubmissionReceipt(BaseModel):
    id: str
    status: str
    routed_to: list[AgencySummary]
    already_known: bool = Field(
        description="the child has an open referral or case, or a closed one still monitored: this one was linked to it"
    )
    notice: Notice | None = None
    replayed: bool = Field(False, description="a repeat of an earlier submission with the same Idempotency-Key")


class TransitionResult(BaseModel):
    id: str
    status: str
    version: int
    routed_to: list[AgencySummary] | None = None


class ChildSummary(BaseModel):
    given_name: str
    family_name: str
    birth_date: date | None


class ClockState(BaseModel):
    clock: str
    due_at: datetime
    running: bool
    overdue: bool


class IncomingItem(BaseModel):
    id: str
    submitted_at: datetime
    status: str
    urgency: Urgency
    concerns: list[Concern]
    municipality: str
    worker: str | None
    lead: bool = Field(description="the caller's agency leads the work on this referral")
    referrer: AgencySummary
    child: ChildSummary
    linked_to: list[str]
    clocks: list[ClockState]


class OutgoingItem(BaseModel):
    id: str
    submitted_at: datetime
    child: ChildSummary = Field(description="the child the caller's agency referred")
    milestone: str
    outcome: str | None = None
    with_: AgencySummary = Field(alias="with")


class InboxPage(BaseModel):
    items: list[IncomingItem] | list[OutgoingItem]
    next_cursor: int | None


class TimelinePerson(BaseModel):
    user: str
    role: str
    agency: str | None


class TimelineEntry(BaseModel):
    at: datetime
    event: str | None = None
    milestone: str | None = None
    by: TimelinePerson | None = None
    details: dict[str, object] | None = None
    question: str | None = None
    outcome: str | None = None


class Timeline(BaseModel):
    id: str
    entries: list[TimelineEntry]


class Distribution(BaseModel):
    count: int
    median_hours: float | None
    p90_hours: float | None


class OverdueClock(BaseModel):
    referral: str = Field(description="a pseudonym of the referral")
    clock: str
    urgency: Urgency
    due_at: datetime
    agency: str | None


class MunicipalityFigures(BaseModel):
    municipality: str
    referrals: int
    by_source_kind: dict[str, int]
    by_concern: dict[str, int]
    by_status: dict[str, int]
    time_to_acknowledge: Distribution
    time_to_decide: Distribution
    overdue_now: list[OverdueClock]


class SupervisionReport(BaseModel):
    generated_at: datetime
    municipalities: list[MunicipalityFigures]


class CandidateMatch(BaseModel):
    subject_id: UUID
    candidate_id: UUID
    referral_id: UUID


class SubjectChange(BaseModel):
    subject_id: UUID
    candidate_id: UUID | None = None
    state: str | None = None
    codes: str | None = None


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
    milestone: str | None = None
    submitted_at: datetime
    routed_to: list[AgencySummary]
    open_question: str | None = Field(None, description="the question put to the referrer, while it is unanswered")
    worker: str | None = None
    linked_to: list[str] | None = None
    monitoring_until: datetime | None = Field(None, description="while the monitoring after closure runs, its end")
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


class Erasure(BaseModel):
    subject_id: UUID
    erased: list[UUID] = Field(description="every record of the person (records confirmed to be the same person)")


class Checkpoint(BaseModel):
    """A signed checkpoint of the audit log: the Merkle tree's size and root, and the signed note."""

    tree_size: int
    root_hash: str = Field(description="the tree's root hash, base64")
    signed_at: datetime
    checkpoint: str = Field(description="the signed note (C2SP format, Ed25519)")


class InclusionProof(BaseModel):
    type: Literal["inclusion"]
    notification_id: int
    leaf_index: int
    leaf_hash: str = Field(description="base64")
    tree_size: int
    proof: list[str] = Field(description="the audit path, base64 hashes from the leaf up")
    checkpoint: str = Field(description="the signed note the proof leads to")


class ConsistencyProof(BaseModel):
    type: Literal["consistency"]
    from_: int = Field(alias="from")
    to: int
    proof: list[str] = Field(description="base64 hashes")
    old_checkpoint: str = Field(description="the signed note of size `from`")
    checkpoint: str = Field(description="the signed note of size `to`")


class ReplayEntry(BaseModel):
    """One access (permitted or denied), disclosure, or sign-in or token exchange (permitted or refused), as the log
    recorded it."""

    notification_id: int
    time: datetime
    kind: Literal["access", "disclosure", "sign_in", "administration"]
    user: str
    agency_id: UUID | None
    role: str
    action: str
    resource: str
    purpose: str
    subjects: list[UUID]
    categories: list[DataCategory]
    decision: Decision
    basis: str | None
    break_glass: bool
    justification: str | None = Field(description="a break-glass access's written justification")
    review_id: UUID | None = Field(None, description="the review a break-glass access opened")
    review: Literal["open", "justified", "not_justified"] | None = Field(
        None, description="that review's state: open, or the head of service's outcome"
    )
    recipient_agency_id: UUID | None
    consent_id: UUID | None
    consent_version: int | None
    policy_hash: str | None
    reason: str | None = Field(default=None, description="why a sign-in or token exchange was refused")


class AuditReplay(BaseModel):
    entries: list[ReplayEntry]
    checkpoint: Checkpoint | None = Field(
        description="the checkpoint the replay stands on: the latest, or the last one signed by `as_of`"
    )


class NamedAgency(BaseModel):
    code: str
    name: str
    kind: str


class WithheldAgency(BaseModel):
    """An agency that reported a concern, not named to the person who is the alleged source of risk."""

    withheld: Literal[True]
    name: Notice


class UnlistedAgency(BaseModel):
    """An agency the registry no longer lists, known by its id only."""

    id: UUID


ReportAgency = NamedAgency | WithheldAgency | UnlistedAgency


class AccessReportEntry(BaseModel):
    time: datetime
    kind: Literal["access", "disclosure"]
    agency: ReportAgency | None
    recipient: ReportAgency | None = Field(description="for a disclosure, the agency that received the data")
    what: Notice
    categories: list[DataCategory]
    purpose: str
    basis: str | None
    break_glass: bool
    proof: InclusionProof | None = Field(
        description="proof that the line's record is in the signed log (`hub audit check-proof`); "
        "none until a checkpoint covers it"
    )


class AccessReport(BaseModel):
    subject_id: UUID
    as_of: datetime
    title: Notice
    withholding_rules: str = Field(description="the version of the withholding rules applied")
    for_alleged_source_of_risk: bool
    responsible_worker: str | None = Field(
        default=None, description="the display name of the family's current responsible worker, if one is named"
    )
    entries: list[AccessReportEntry]


class PersonAsRecorded(BaseModel):
    """One way a referral recorded the person."""

    given_name: str
    family_name: str
    birth_date: date | None
    personal_code: str | None
    relationship: Relationship | None


class ExportedPerson(BaseModel):
    record_id: UUID
    details_recorded: list[PersonAsRecorded]


class ExportedReferral(BaseModel):
    """A referral about the person as they may see it: no reporter, no free text, no open police work."""

    received_at: datetime
    status: str
    urgency: Urgency
    concerns: list[Concern]
    lead_agency: ReportAgency | None
    agencies: list[ReportAgency | None]


class SubjectExport(BaseModel):
    """What the hub holds about a person, for the person (GDPR Art. 15)."""

    format: str
    generated_at: datetime
    person: ExportedPerson
    referrals: list[ExportedReferral]
    access_report: AccessReport


class WrittenRequestDocument(BaseModel):
    """A person's written request about their data and its clock (GDPR Art. 12(3))."""

    id: UUID
    subject_id: UUID
    agency: AgencySummary | None = Field(description="the agency that answers it")
    right: RequestedRight
    received_at: datetime
    due_at: datetime = Field(description="the end of the last day to answer (Riga), extended or not")
    extended: bool
    status: WrittenRequestStatus
    overdue: bool


class Investigation(BaseModel):
    id: UUID
    status: Literal["open", "closed"]
    subjects: list[UUID]


class RecordsTimeliness(BaseModel):
    """One municipality's prior-residence requests and handed-over cases."""

    municipality: str
    requests_sent: int
    requests_received: int
    answered: int
    answered_on_time_percent: float | None
    median_turnaround_hours: float | None
    p90_turnaround_hours: float | None
    overdue_now: int
    handed_over_cases: int
    cases_holding_prior_residence_records_percent: float | None


# --- record requests and handovers: the allow-lists of what their routes return --------------------------------


class CategoryStateView(BaseModel):
    """One requested category: open, released, withheld (with the reason) or forwarded (to whom)."""

    category: DataCategory
    state: CategoryState
    reason: WithholdReason | None = None
    note: str | None = None
    forwarded_to: AgencySummary | None = None
    forwarded_request_id: str | None = None


class RecordRequestDocument(BaseModel):
    """A record request as a party sees it; `subjects` only on a recorded read that may see who it is about."""

    id: str
    status: RecordRequestStatus
    requester: AgencySummary | None
    responder: AgencySummary | None
    purpose: Purpose
    basis: str
    urgency: Urgency
    created_at: datetime
    due_at: datetime
    categories: list[CategoryStateView]
    reminded: bool
    overdue: bool
    escalated: bool
    closing_reason: str | None
    handover_id: str | None
    forwarded_from: str | None
    subjects: list[PersonView] | None = None


class RecordRequestEnvelope(BaseModel):
    """A record request in a listing: agencies, state and clocks, nothing personal."""

    id: str
    status: RecordRequestStatus
    requester: AgencySummary | None
    responder: AgencySummary | None
    urgency: Urgency
    created_at: str
    due_at: str
    open_categories: int
    overdue: bool
    escalated: bool
    handover_id: str | None
    forwarded_from: str | None


class ReleasedEntry(BaseModel):
    title: str
    text: str
    recorded_on: date | None = None


class ReleasedDocumentReference(BaseModel):
    document_id: UUID
    file_name: str
    media_type: str
    size: int
    sha256: str


class ReleasedCategory(BaseModel):
    category: DataCategory
    released_at: datetime
    disclosure_id: str
    entries: list[ReleasedEntry]
    documents: list[ReleasedDocumentReference]


class ReleasedRecords(BaseModel):
    """What was released to the requester, with the restriction on sharing it further."""

    request_id: str
    responder: AgencySummary | None
    restriction: Notice
    released: list[ReleasedCategory]


class ChecklistEntry(BaseModel):
    """A prior-residence request the new owner of a case should make, and whether it has."""

    responder: AgencySummary | None
    categories: list[DataCategory]
    purpose: Purpose
    request_id: str | None
    done: bool


class HandoverDocument(BaseModel):
    """A handover as a party sees it; the checklist only for its new owner, `subjects` only on a recorded read."""

    id: str
    status: HandoverStatus
    from_agency: AgencySummary | None
    to_agency: AgencySummary | None
    owner: AgencySummary | None
    from_municipality: str
    to_municipality: str
    moved_on: date
    recorded_at: datetime
    decided_at: datetime | None
    decline_reason: str | None
    checklist: list[ChecklistEntry] | None = None
    subjects: list[PersonView] | None = None


class HandoverEnvelope(BaseModel):
    """A handover in a listing (nothing personal)."""

    id: str
    status: HandoverStatus
    from_municipality: str
    to_municipality: str
    from_agency: AgencySummary | None
    to_agency: AgencySummary | None


class CaseReviewFigure(BaseModel):
    """One municipality and criterion group: the case-file reviews' non-conformity (counts only)."""

    municipality: str
    group: str
    answers: int
    non_conforming: int
    non_conformity_percent: float | None


class ProcessingActivity(BaseModel):
    basis: str = Field(description="the legal basis id decisions and disclosures record")
    citation: str
    title: Notice
    purposes: list[str]
    data_categories: list[str]
    disclosed_by: list[str] = Field(description="agency kinds that may disclose under it")
    recipients_by_agency_kind: list[str]
    onward_disclosure: bool


class Retention(BaseModel):
    version: str
    years_after_last_closure: dict[str, int]


class RecordOfProcessing(BaseModel):
    controller: Notice
    policy_hash: str = Field(description="the hash every decision records: the policies this record is generated from")
    legal_bases_version: str
    activities: list[ProcessingActivity]
    retention: Retention
    rules: dict[str, list[str]] = Field(description="the Cedar policy ids, per policy file")
    security_measures: list[Notice]
    record_hash: str
