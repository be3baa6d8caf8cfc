"""Consents: record a grant, list a subject's consents (audited), withdraw."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query

from hub.api.auth import HubDep, PrincipalDep
from hub.api.schemas import ConsentDocument
from hub.consent.domain import ConsentDraft, WithdrawalDraft

router = APIRouter(prefix="/v1/consents", tags=["consents"])


@router.post("", status_code=201, response_model=ConsentDocument)
def grant_consent(draft: ConsentDraft, hub: HubDep, principal: PrincipalDep) -> dict[str, Any]:
    """Record a consent (piekrišana) the caller's agency received, with its evidence."""
    return hub.consents.grant(principal, draft)


@router.get("", response_model=list[ConsentDocument])
def list_consents(
    hub: HubDep,
    principal: PrincipalDep,
    subject_id: Annotated[UUID, Query(description="The data subject")],
    purpose: Annotated[str, Header(alias="X-Purpose", max_length=200)] = "consent-check",
) -> list[dict[str, Any]]:
    """A subject's consents, newest first, with their status now; every read is recorded."""
    return hub.consents.list_for_subject(principal, subject_id, purpose)


@router.post("/{consent_id}/withdraw", response_model=ConsentDocument)
def withdraw_consent(consent_id: UUID, draft: WithdrawalDraft, hub: HubDep, principal: PrincipalDep) -> dict[str, Any]:
    """Withdraw a consent: later disclosures relying on it are denied at once."""
    return hub.consents.withdraw(principal, consent_id, draft)
