"""Disclosures: decided by policy; permitted ones recorded with their basis, denials recorded too."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from hub.api.auth import HubDep, PrincipalDep
from hub.api.schemas import DisclosureReceipt
from hub.consent.disclosure_service import DisclosureDraft

router = APIRouter(prefix="/v1/disclosures", tags=["disclosures"])


@router.post("", status_code=201, response_model=DisclosureReceipt)
def disclose(draft: DisclosureDraft, hub: HubDep, principal: PrincipalDep) -> dict[str, Any]:
    """Disclose data about subjects to another agency on a consent, a statutory basis, or break-glass."""
    return hub.disclosures.disclose(principal, draft)
