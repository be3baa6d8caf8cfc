"""A person's own access report, produced by a case worker to hand over (recorded), and police investigations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header

from hub.api.auth import HubDep, PrincipalDep
from hub.api.schemas import AccessReport, Investigation
from hub.audit.access_report_service import InvestigationDraft
from hub.kernel.errors import InvalidInput

router = APIRouter(tags=["access reports"])


@router.get("/v1/subjects/{subject_id}/access-report", response_model=AccessReport)
def access_report(
    subject_id: UUID,
    hub: HubDep,
    principal: PrincipalDep,
    for_alleged_source_of_risk: bool = False,
    as_of: datetime | None = None,
    purpose: Annotated[str, Header(alias="X-Purpose", max_length=200)] = "subject access request",
) -> dict[str, Any]:
    """Which agencies accessed or received the person's data, when and on what basis (withholding rules applied)."""
    if as_of is not None and as_of.tzinfo is None:
        raise InvalidInput("timezone_required", "give times with a UTC offset", "as_of")
    return hub.access_reports.report(principal, subject_id, purpose, for_alleged_source_of_risk, as_of)


@router.post("/v1/investigations", status_code=201, response_model=Investigation)
def open_investigation(draft: InvestigationDraft, hub: HubDep, principal: PrincipalDep) -> dict[str, Any]:
    """Police: an investigation concerns these subjects; their access reports hide it until it is closed."""
    return hub.access_reports.open_investigation(principal, draft)


@router.post("/v1/investigations/{investigation_id}/close", response_model=Investigation)
def close_investigation(investigation_id: UUID, hub: HubDep, principal: PrincipalDep) -> dict[str, Any]:
    """Police: the investigation is closed; it appears in the subjects' access reports from now on."""
    return hub.access_reports.close_investigation(principal, investigation_id)
