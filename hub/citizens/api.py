"""A person's own access report and data export over HTTP, with their citizen's session as the bearer token (staff
tokens are refused here, as citizens' sessions are on every staff route)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hub.api.auth import CHALLENGE, HubDep
from hub.api.schemas import AccessReport, SubjectExport
from hub.citizens.service import CitizenSessionEnded
from policies.decision import Citizen

router = APIRouter(prefix="/v1/me", tags=["a person's own data"])
bearer = HTTPBearer(auto_error=False, description="A citizen's session (signing in at /my/signin)")


def current_citizen(
    request: Request, hub: HubDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Citizen:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "a citizen's session is required", headers=CHALLENGE)
    try:
        citizen = hub.citizens.authenticate(credentials.credentials)
    except CitizenSessionEnded:
        raise HTTPException(401, "a citizen's session is required", headers=CHALLENGE) from None
    request.app.state.rate_limits.check(citizen)
    return citizen


CitizenDep = Annotated[Citizen, Depends(current_citizen)]


@router.get("/access-report", response_model=AccessReport)
def own_access_report(hub: HubDep, citizen: CitizenDep) -> dict[str, Any]:
    """Who accessed the person's own data, when and on what basis (withholding rules applied), with proofs."""
    return hub.citizens.report(citizen, citizen.subject_id)


@router.get("/export", response_model=SubjectExport)
def own_export(hub: HubDep, citizen: CitizenDep) -> dict[str, Any]:
    """What the hub holds about the person, as they may see it (GDPR Art. 15); recorded."""
    return hub.citizens.export(citizen, citizen.subject_id)
