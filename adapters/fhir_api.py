"""FHIR endpoints: submit a referral as a Bundle, read one back as a Bundle, follow its workflow as Tasks.

Every read is decided and recorded like the referral read it mirrors.
Every refusal is an OperationOutcome listing each issue (`adapters.fhir_outcome`).
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Header, Path, Query, Request, Response

from adapters.fhir_bundle_model import ReferralBundle
from adapters.fhir_outcome import FHIR_JSON, OUTCOME_RESPONSES, FhirJSONResponse, FhirRoute
from adapters.fhir_referrals import bundle_from_referral, draft_from_bundle, request_id
from adapters.fhir_task import FhirTask, TaskBundle, parse_task_id, referral_tasks, search_bundle
from events.values import DataCategory
from hub.api.auth import HubDep, PrincipalDep
from hub.api.schemas import SubmissionReceipt
from hub.kernel.errors import FieldError, InvalidFields, NotFound
from hub.service import Hub
from policies.decision import Principal

router = APIRouter(prefix="/v1/fhir", tags=["fhir"], route_class=FhirRoute, responses=OUTCOME_RESPONSES)


@router.post(
    "/Bundle",
    status_code=201,
    response_model=SubmissionReceipt,
    response_model_exclude_none=True,
    responses={200: {"model": SubmissionReceipt, "description": "a repeat (same ServiceRequest.id)"}},
)
def submit_bundle(
    bundle: Annotated[dict[str, Any], Body(media_type=FHIR_JSON)],
    hub: HubDep,
    principal: PrincipalDep,
    response: Response,
) -> dict[str, object]:
    """A Bundle of ServiceRequest + Patient (+ RelatedPerson) becomes a referral; idempotent by ServiceRequest.id."""
    draft = draft_from_bundle(bundle)
    key = request_id(bundle)
    receipt = hub.referrals.submit(principal, draft, f"fhir:{key}" if key else None)
    if receipt.get("replayed"):
        response.status_code = 200
    return receipt


FHIR_BUNDLE_CATEGORIES = frozenset({DataCategory.IDENTITY, DataCategory.REFERRAL_CONTENT})


@router.get(
    "/ServiceRequest/{referral_id}/$bundle",
    response_model=ReferralBundle,
    response_model_exclude_none=True,
    response_class=FhirJSONResponse,
)
def read_bundle(
    referral_id: UUID,
    hub: HubDep,
    principal: PrincipalDep,
    purpose: Annotated[str, Header(alias="X-Purpose", max_length=200)] = "referral-handling",
) -> dict[str, Any]:
    """The referral as a FHIR Bundle, for an agency allowed to see both its identity data and content."""
    referral, _ = hub.referrals.authorize_read(
        principal, referral_id, "referral.read.fhir", purpose, needs=FHIR_BUNDLE_CATEGORIES
    )
    return bundle_from_referral(referral)


FOCUS_PREFIX = "ServiceRequest/"


def _tasks(hub: Hub, principal: Principal, referral_id: UUID, action: str, purpose: str) -> list[dict[str, Any]]:
    """The referral's Tasks, read like the referral itself: decided, recorded, shaped by what the reader may see."""
    referral, decision = hub.referrals.authorize_read(principal, referral_id, action, purpose)
    agencies = {referral.referrer_agency_id, *referral.recipients}
    codes = {agency_id: hub.app.agency(agency_id).code for agency_id in agencies}
    return referral_tasks(referral, decision.categories, codes)


@router.get("/Task", response_model=TaskBundle, response_model_exclude_none=True, response_class=FhirJSONResponse)
def search_tasks(
    request: Request,
    hub: HubDep,
    principal: PrincipalDep,
    focus: Annotated[str, Query(max_length=100, description="ServiceRequest/{referral id}")],
    purpose: Annotated[str, Header(alias="X-Purpose", max_length=200)] = "referral-handling",
) -> dict[str, Any]:
    """The referral's Tasks, one per recipient (the referrer sees milestones only); the search is recorded."""
    try:
        referral_id = UUID(focus.removeprefix(FOCUS_PREFIX)) if focus.startswith(FOCUS_PREFIX) else None
    except ValueError:
        referral_id = None
    if referral_id is None:
        message = "focus must be ServiceRequest/{referral id}"
        raise InvalidFields("invalid_search", message, [FieldError("focus", "invalid_value", message)])
    tasks = _tasks(hub, principal, referral_id, "task.search", purpose)
    return search_bundle(tasks, str(request.base_url).rstrip("/") + router.prefix)


@router.get(
    "/Task/{task_id}", response_model=FhirTask, response_model_exclude_none=True, response_class=FhirJSONResponse
)
def read_task(
    task_id: Annotated[str, Path(max_length=64)],
    hub: HubDep,
    principal: PrincipalDep,
    purpose: Annotated[str, Header(alias="X-Purpose", max_length=200)] = "referral-handling",
) -> dict[str, Any]:
    """One Task: the referral's workflow at one recipient (the read is recorded like a read of the referral)."""
    referral_id, _ = parse_task_id(task_id)
    for task in _tasks(hub, principal, referral_id, "task.read", purpose):
        if task["id"] == task_id:
            return task
    raise NotFound("task_not_found", "no Task with this id is visible to the caller")
