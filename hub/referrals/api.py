"""Referrals: submit (idempotent), read one, its timeline, and every transition of its life (reads audited)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Response

from hub.api.auth import HubDep, PrincipalDep
from hub.api.header_text import BREAK_GLASS_HEADER, decode_ext_value
from hub.api.schemas import ReferralDocument, SubmissionReceipt, Timeline, TransitionResult
from hub.api.transition_routes import add_transition_routes
from hub.kernel.errors import InvalidInput
from hub.referrals.domain import ReferralDraft
from hub.referrals.emergency_read import MAX_JUSTIFICATION, EmergencyReadDraft
from hub.referrals.transitions import TRANSITIONS

router = APIRouter(prefix="/v1/referrals", tags=["referrals"])
PurposeHeader = Annotated[str, Header(alias="X-Purpose", max_length=200)]
# Percent-encoding takes up to three characters per byte, and a character up to four bytes.
ENCODED_MAX = 20 + 12 * MAX_JUSTIFICATION
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Repeat a submission safely: the same key and body return the original referral",
    ),
]


@router.post("", status_code=201, response_model=SubmissionReceipt, response_model_exclude_none=True)
def submit_referral(
    draft: ReferralDraft,
    hub: HubDep,
    principal: PrincipalDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    """Report a child who may be at risk; routed by policy to the agencies that must act."""
    receipt = hub.referrals.submit(principal, draft, idempotency_key)
    if receipt.get("replayed"):
        response.status_code = 200
    return receipt


def header_justification(
    plain: Annotated[str | None, Header(alias=BREAK_GLASS_HEADER, max_length=MAX_JUSTIFICATION)] = None,
    encoded: Annotated[
        str | None,
        Header(
            alias=f"{BREAK_GLASS_HEADER}*",
            max_length=ENCODED_MAX,
            description="The justification as an RFC 8187 ext-value (for text that is not ASCII): "
            "UTF-8''<percent-encoded>",
        ),
    ] = None,
) -> str | None:
    """A break-glass justification from the plain header (ASCII: `AsciiTextHeaders` refuses other bytes) or the
    RFC 8187 encoded one, not both."""
    if plain is not None and encoded is not None:
        raise InvalidInput("ambiguous_justification", "send the justification in one header only", BREAK_GLASS_HEADER)
    if encoded is None:
        return plain
    justification = decode_ext_value(encoded, f"{BREAK_GLASS_HEADER}*")
    if len(justification) > MAX_JUSTIFICATION:
        raise InvalidInput(
            "string_too_long", f"a justification has at most {MAX_JUSTIFICATION} characters", f"{BREAK_GLASS_HEADER}*"
        )
    return justification


@router.get("/{referral_id}", response_model=ReferralDocument, response_model_exclude_none=True)
def read_referral(
    referral_id: UUID,
    hub: HubDep,
    principal: PrincipalDep,
    break_glass: Annotated[str | None, Depends(header_justification)],
    purpose: PurposeHeader = "referral-handling",
) -> dict[str, object]:
    """One referral, shaped by what the caller's agency may see; every read is recorded.

    In an emergency, a role that allows it may read with a written justification (break-glass): the access
    is flagged and a review opens in the head of service's queue. Text that is not ASCII goes in the encoded
    header or, better, in the body of `POST /v1/referrals/{id}/emergency-read`.
    """
    return hub.referrals.read(principal, referral_id, purpose, break_glass)


@router.post("/{referral_id}/emergency-read", response_model=ReferralDocument, response_model_exclude_none=True)
def emergency_read(
    referral_id: UUID,
    draft: EmergencyReadDraft,
    hub: HubDep,
    principal: PrincipalDep,
    purpose: PurposeHeader = "referral-handling",
) -> dict[str, object]:
    """Read a referral the caller's agency may not otherwise see, in an emergency, with a written justification.

    The same decision as a break-glass read: a role that allows it and a justification long enough; the access is
    recorded as break-glass and a review opens in the head of service's queue. A refusal is recorded too.
    """
    return hub.referrals.read(principal, referral_id, purpose, draft.justification)


@router.get("/{referral_id}/timeline", response_model=Timeline, response_model_exclude_none=True)
def read_timeline(
    referral_id: UUID, hub: HubDep, principal: PrincipalDep, purpose: PurposeHeader = "referral-handling"
) -> dict[str, object]:
    """Who did what and when; the referrer sees status milestones only. Every read is recorded."""
    return hub.referral_timeline.read(principal, referral_id, purpose)


add_transition_routes(
    router,
    TRANSITIONS.values(),
    "referral_id",
    lambda hub, principal, referral_id, action, draft: hub.referral_workflow.act(principal, referral_id, action, draft),
    response_model=TransitionResult,
    response_model_exclude_none=True,
)
