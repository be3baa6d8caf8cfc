"""Case handover after a change of residence: record the move, accept or decline, list, read (audited)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Query

from hub.api.auth import HubDep, PrincipalDep
from hub.records.domain import ReasonDraft
from hub.records.handover import ResidenceChangeDraft

router = APIRouter(prefix="/v1/handovers", tags=["handovers"])


@router.post("", status_code=201)
def record_move(draft: ResidenceChangeDraft, hub: HubDep, principal: PrincipalDep) -> dict[str, Any]:
    """The family moved (dzīvesvietas maiņa): the case is offered to the new municipality's social service."""
    return hub.handovers.record_move(principal, draft)


@router.get("")
def list_handovers(
    hub: HubDep,
    principal: PrincipalDep,
    box: Annotated[Literal["incoming", "outgoing"], Query()] = "incoming",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[dict[str, Any]]:
    return hub.handovers.listing(principal, box, limit)


@router.get("/{handover_id}")
def read_handover(
    handover_id: UUID,
    hub: HubDep,
    principal: PrincipalDep,
    purpose: Annotated[str, Header(alias="X-Purpose", max_length=200)] = "case-handover",
) -> dict[str, Any]:
    """The handover; its new owner also sees the missing-information checklist. The read is recorded."""
    return hub.handovers.read(principal, handover_id, purpose)


@router.post("/{handover_id}/accept")
def accept(handover_id: UUID, hub: HubDep, principal: PrincipalDep) -> dict[str, Any]:
    """Take over the case (ownership changes now) and get the checklist of requests to make."""
    return hub.handovers.accept(principal, handover_id)


@router.post("/{handover_id}/decline")
def decline(handover_id: UUID, draft: ReasonDraft, hub: HubDep, principal: PrincipalDep) -> dict[str, Any]:
    """Decline the offer; the old service stays responsible."""
    return hub.handovers.decline(principal, handover_id, draft.reason)
