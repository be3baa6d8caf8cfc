"""Possible matches between person records, for case managers to confirm or reject."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from hub.api.auth import HubDep
from hub.web.rendering import WebRoute, render
from hub.web.session import CheckedForm, WebPrincipal

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/subjects/candidates")
def candidates_page(request: Request, hub: HubDep, principal: WebPrincipal) -> Response:
    return render(request, "candidates.html", candidates=hub.subjects.pending_candidates(principal, "record-matching"))


@router.post("/subjects/{subject_id}/candidates/{candidate_id}/{decision}")
def settle(
    subject_id: UUID,
    candidate_id: UUID,
    decision: Literal["confirm", "reject"],
    hub: HubDep,
    principal: WebPrincipal,
    _: CheckedForm,
) -> RedirectResponse:
    """The two records are the same person (confirm) or different people (reject)."""
    settle_match = hub.subjects.confirm if decision == "confirm" else hub.subjects.reject
    settle_match(principal, subject_id, candidate_id)
    return RedirectResponse("/subjects/candidates", status_code=303)
