"""The audit log over HTTP: signed checkpoints and proofs (any signed-in caller), replay (auditors, recorded)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response

from events.values import Decision
from hub.api.auth import HubDep, PrincipalDep
from hub.api.schemas import AuditReplay, Checkpoint, ConsistencyProof, InclusionProof
from hub.audit.replay import ReplayFilter, to_csv
from hub.kernel.errors import InvalidInput

router = APIRouter(prefix="/v1/audit", tags=["audit"])
Size = Annotated[int, Query(ge=1, le=2**62)]
CSV = "text/csv"


@router.get("/checkpoint", response_model=Checkpoint)
def latest_checkpoint(hub: HubDep, _: PrincipalDep) -> dict[str, Any]:
    """The latest signed checkpoint (C2SP format, Ed25519); verify it with `hub audit public-key`."""
    return hub.audit.latest_checkpoint()


@router.get("/proof/inclusion", response_model=InclusionProof)
def inclusion_proof(
    hub: HubDep, _: PrincipalDep, notification_id: Size, tree_size: Size | None = None
) -> dict[str, Any]:
    """The audit path of one stored record to a signed checkpoint (the latest unless `tree_size` names one)."""
    return hub.audit.inclusion_proof(notification_id, tree_size)


@router.get("/proof/consistency", response_model=ConsistencyProof)
def consistency_proof(
    hub: HubDep,
    _: PrincipalDep,
    old_size: Annotated[int, Query(alias="from", ge=1, le=2**62)],
    new_size: Annotated[int, Query(alias="to", ge=1, le=2**62)],
) -> dict[str, Any]:
    """Proof that the checkpoint of size `to` extends the one of size `from`."""
    return hub.audit.consistency_proof(old_size, new_size)


@router.get(
    "/replay",
    response_model=AuditReplay,
    responses={200: {"content": {CSV: {"schema": {"type": "string", "description": "the entries, one row each"}}}}},
)
def replay(
    hub: HubDep,
    principal: PrincipalDep,
    subject: UUID | None = None,
    user: Annotated[str | None, Query(max_length=100)] = None,
    agency: Annotated[str | None, Query(max_length=40, description="Agency code")] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    decision: Decision | None = None,
    break_glass_only: bool = False,
    as_of: datetime | None = None,
    format: Literal["json", "csv"] = "json",
    purpose: Annotated[str, Header(alias="X-Purpose", max_length=200)] = "audit",
) -> dict[str, Any] | Response:
    """The access and disclosure timeline rebuilt from the log, as of any moment (auditors only; recorded)."""
    agency_id = UUID(hub.known_agency(agency, "agency")["id"]) if agency is not None else None
    for name, value in (("since", since), ("until", until), ("as_of", as_of)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput("timezone_required", "give times with a UTC offset", name)
    where = ReplayFilter(subject, user, agency_id, since, until, decision, break_glass_only, as_of)
    result = hub.audit.replay(principal, where, purpose)
    if format == "json":
        return result
    return Response(to_csv(result["entries"]), media_type=CSV)
