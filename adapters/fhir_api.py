"""FHIR endpoints: submit a referral as a Bundle, read one back as a Bundle (the read is recorded).

Every refusal is an OperationOutcome listing each issue (`adapters.fhir_outcome`).
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Header, Response

from adapters.fhir_bundle_model import ReferralBundle
from adapters.fhir_outcome import FHIR_JSON, OUTCOME_RESPONSES, FhirJSONResponse, FhirRoute
from adapters.fhir_referrals import bundle_from_referral, draft_from_bundle, request_id
from events.values import DataCategory
from hub.api.auth import HubDep, PrincipalDep
from hub.api.schemas import SubmissionReceipt

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
