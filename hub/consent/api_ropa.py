"""The record of processing activities (GDPR Art. 30), generated from the policies the hub runs with."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from hub.api.auth import HubDep, PrincipalDep
from hub.api.schemas import RecordOfProcessing
from policies.ropa import record_of_processing

router = APIRouter(prefix="/v1/policy", tags=["policy"])


@router.get("/ropa", response_model=RecordOfProcessing)
def ropa(hub: HubDep, principal: PrincipalDep) -> dict[str, Any]:
    """Purposes, legal bases, data categories, recipients, retention and measures, with the policy hash (no
    personal data: anyone signed in may read it)."""
    del principal
    return record_of_processing(hub.policy_engine)
