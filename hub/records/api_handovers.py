"""Case handover after a change of residence: record the move, accept or decline, list, read (audited)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Query

from hub.api.auth import HubDep, PrincipalDep
from hub.api.schemas import HandoverDocument, HandoverEnvelope
from hub.api.transition_routes import add_transition_routes
from hub.records.handover import ResidenceChangeDraft
from hub.records.handover_transitions import TRANSITIONS

router = APIRouter(prefix="/v1/handovers", tags=["handovers"])


@router.post("", status_code=201, response_model=HandoverDocument, response_model_exclude_unset=True)
def record_move(draft: ResidenceChangeDraft, hub: HubDep, principal: PrincipalDep) -> dict[str, Any]:
    """The family moved (dzīvesvietas maiņa): the case is offered to the new municipality's social service."""
    return hub.handovers.record_move(principal, draft)


@router.get("", response_model=list[HandoverEnvelope])
def list_handovers(
    hub: HubDep,
    principal: PrincipalDep,
    box: Annotated[Literal["incoming", "outgoing"], Query()] = "incoming",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[dict[str, Any]]:
    return hub.handovers.listing(principal, box, limit)


@router.get("/{handover_id}", response_model=HandoverDocument, response_model_exclude_unset=True)
def read_handover(
    handover_id: UUID,
    hub: HubDep,
    principal: PrincipalDep,
    purpose: Annotated[str, Header(alias="X-Purpose", max_length=200)] = "case-handover",
) -> dict[str, Any]:
    """The handover; its new owner also sees the missing-information checklist. The read is recorded."""
    return hub.handovers.read(principal, handover_id, purpose)


add_transition_routes(
    router,
    TRANSITIONS.values(),
    "handover_id",
    lambda hub, principal, handover_id, action, draft: hub.handovers.act(principal, handover_id, action, draft),
    response_model=HandoverDocument,
    response_model_exclude_unset=True,
)
