"""FHIR Task for a referral's workflow (the closed loop of HL7 BSeR and IHE 360X): one Task per referral and recipient.

`Task.focus` is the referral (ServiceRequest), `requester` the referring agency, `owner` the recipient;
`status` and `businessStatus` follow the referral's states. A reader allowed the referral's content sees its
status (businessStatus in the hub's referral-status codes); anyone else allowed to read it, the referrer in
particular, sees the milestone only (businessStatus in the hub's milestone codes), as `policies.feedback` allows.
A Task's id is the referral id and the first 12 hex digits of the recipient agency's id.
"""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from fhir.resources.R4B.task import Task
from pydantic import BaseModel, Field

from events.consent import HUB_CODES
from events.referrals import ReferralStatus
from events.values import DataCategory
from hub.kernel.errors import NotFound
from hub.referrals.domain import Referral
from policies import feedback
from policies.feedback import Milestone

AGENCY_SYSTEM = f"{HUB_CODES}/agency"
STATUS_SYSTEM = f"{HUB_CODES}/referral-status"
MILESTONE_SYSTEM = f"{HUB_CODES}/milestone"
AGENCY_SUFFIX = 12

S = ReferralStatus
TASK_STATUS_OF_REFERRAL: dict[ReferralStatus, str] = {
    S.SUBMITTED: "requested",
    S.ACKNOWLEDGED: "received",
    S.ASSIGNED: "received",
    S.INFORMATION_REQUESTED: "on-hold",
    S.ACCEPTED: "in-progress",
    S.DECLINED: "rejected",
    S.CLOSED: "completed",
    S.WITHDRAWN: "cancelled",
}
# What the referrer's Task says: a decline and a closure are the same milestone, so the same Task status.
TASK_STATUS_OF_MILESTONE: dict[Milestone, str] = {
    Milestone.SENT: "requested",
    Milestone.RECEIVED: "received",
    Milestone.INFORMATION_REQUESTED: "on-hold",
    Milestone.BEING_ACTED_ON: "in-progress",
    Milestone.CLOSED: "completed",
    Milestone.WITHDRAWN: "cancelled",
}


class Coding(BaseModel):
    system: str
    code: str


class CodeableConcept(BaseModel):
    coding: list[Coding]


class Identifier(BaseModel):
    system: str
    value: str


class AgencyReference(BaseModel):
    identifier: Identifier = Field(description="the agency's code in the hub")


class Reference(BaseModel):
    reference: str


class FhirTask(BaseModel):
    """A referral's workflow for one recipient, as a FHIR R4 Task: exactly the elements the hub fills."""

    resourceType: Literal["Task"]
    id: str
    status: str = Field(description="FHIR task status, following the referral's state (or milestone)")
    businessStatus: CodeableConcept = Field(description="the referral's status, or the referrer's milestone")
    intent: Literal["order"]
    focus: Reference = Field(description="the referral, as ServiceRequest/{id}")
    requester: AgencyReference
    owner: AgencyReference
    authoredOn: str
    for_: Reference | None = Field(None, alias="for", description="the child, for readers allowed identity data")


class SearchEntry(BaseModel):
    fullUrl: str
    resource: FhirTask
    search: dict[str, str]


class TaskBundle(BaseModel):
    """The Tasks of one referral, as a FHIR searchset Bundle."""

    resourceType: Literal["Bundle"]
    type: Literal["searchset"]
    total: int
    entry: list[SearchEntry]


def task_id(referral_id: UUID, agency_id: UUID) -> str:
    return f"{referral_id}-{agency_id.hex[:AGENCY_SUFFIX]}"


def parse_task_id(value: str) -> tuple[UUID, str]:
    """The referral id and the recipient's suffix of a Task id (NotFound for anything else)."""
    referral_part, _, suffix = value.rpartition("-")
    try:
        referral_id = UUID(referral_part)
    except ValueError:
        raise NotFound("task_not_found", "no Task with this id is visible to the caller") from None
    if len(suffix) != AGENCY_SUFFIX:
        raise NotFound("task_not_found", "no Task with this id is visible to the caller")
    return referral_id, suffix


def _agency(code: str) -> dict[str, Any]:
    return {"identifier": {"system": AGENCY_SYSTEM, "value": code}}


def referral_tasks(
    referral: Referral, categories: tuple[DataCategory, ...], agency_codes: dict[UUID, str]
) -> list[dict[str, Any]]:
    """The referral's Tasks, one per recipient, showing what `categories` (the read's decision) allow."""
    if DataCategory.REFERRAL_CONTENT in categories:
        status = TASK_STATUS_OF_REFERRAL[referral.status]
        business = {"system": STATUS_SYSTEM, "code": referral.status.value}
    else:
        milestone = feedback.MILESTONE_OF_STATUS[referral.status.value]
        status = TASK_STATUS_OF_MILESTONE[milestone]
        business = {"system": MILESTONE_SYSTEM, "code": milestone.value}
    tasks = []
    for agency_id in referral.recipients:
        task: dict[str, Any] = {
            "resourceType": "Task",
            "id": task_id(referral.id, agency_id),
            "status": status,
            "businessStatus": {"coding": [business]},
            "intent": "order",
            "focus": {"reference": f"ServiceRequest/{referral.id}"},
            "requester": _agency(agency_codes[referral.referrer_agency_id]),
            "owner": _agency(agency_codes[agency_id]),
            "authoredOn": referral.submitted_at.isoformat(),
        }
        if DataCategory.IDENTITY in categories:
            task["for"] = {"reference": f"Patient/{referral.child.subject_id}"}
        tasks.append(Task.model_validate(task).model_dump(mode="json", exclude_none=True, by_alias=True))
    return tasks


def search_bundle(tasks: list[dict[str, Any]], base_url: str) -> dict[str, Any]:
    """Tasks as a searchset Bundle (a search result may carry `total`, bdl-1); `base_url` is the FHIR base."""
    entries = [
        {"fullUrl": f"{base_url}/Task/{task['id']}", "resource": task, "search": {"mode": "match"}} for task in tasks
    ]
    return {"resourceType": "Bundle", "type": "searchset", "total": len(tasks), "entry": entries}
