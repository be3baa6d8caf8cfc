"""Supervision figures for the ministry (aggregates only, no personal data)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from hub.api.auth import HubDep, PrincipalDep

router = APIRouter(prefix="/v1/supervision", tags=["supervision"])


@router.get("/records")
def records_timeliness(hub: HubDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """Per municipality: requests sent and received, answered on time, turnaround, overdue now, cases informed."""
    return hub.supervision.records(principal)
