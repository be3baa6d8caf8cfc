"""Referrals: submit, read one (audited)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header

from hub.api.auth import HubDep, PrincipalDep
from hub.api.schemas import ReferralDocument, SubmissionReceipt
from hub.domain.referral import ReferralDraft

router = APIRouter(prefix="/v1/referrals", tags=["referrals"])
PurposeHeader = Annotated[str, Header(alias="X-Purpose", max_length=200)]


@router.post("", status_code=201, response_model=SubmissionReceipt)
def submit_referral(draft: ReferralDraft, hub: HubDep, principal: PrincipalDep) -> dict[str, object]:
    """Report a child who may be at risk; routed by policy to the agencies that must act."""
    return hub.referrals.submit(principal, draft)


@router.get("/{referral_id}", response_model=ReferralDocument, response_model_exclude_none=True)
def read_referral(
    referral_id: UUID,
    hub: HubDep,
    principal: PrincipalDep,
    purpose: PurposeHeader = "referral-handling",
    break_glass: Annotated[str | None, Header(alias="X-Break-Glass-Justification", max_length=2000)] = None,
) -> dict[str, object]:
    """One referral, shaped by what the caller's agency may see; every read is recorded.

    In an emergency, a role that allows it may read with a written justification (break-glass): the access
    is flagged and a review opens in the head of service's queue.
    """
    return hub.referrals.read(principal, referral_id, purpose, break_glass)
