"""Possible matches between person records, for case managers to confirm or reject."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from hub.api.auth import HubDep
from hub.kernel.errors import InvalidInput, NotFound
from hub.people.service import FindFor
from hub.web.rendering import WebRoute, form_failure, render
from hub.web.session import CheckedForm, WebPrincipal

router = APIRouter(route_class=WebRoute, include_in_schema=False)


# The purpose each page's search is recorded under (the same as the page's own read).
FIND_PURPOSES = {"consents": "consent-check", "access-report": "access-report"}


@router.get("/subjects/find")
def find_person(
    request: Request,
    hub: HubDep,
    principal: WebPrincipal,
    personal_code: Annotated[str, Query(max_length=40)] = "",
    page: FindFor = "consents",
) -> Response:
    """Find a person by personal code and open their consents or access report; the search is recorded, and a
    code the agency may not look up is answered like an unknown one, on the search form with what was typed."""
    if personal_code.strip():
        try:
            found = hub.subjects.find_related(principal, personal_code.strip(), page, FIND_PURPOSES[page])
        except (InvalidInput, NotFound) as error:
            request.state.form_failure = form_failure(
                request, error.status, error.reason, [("personal_code", error.reason)], request.query_params
            )
            return render(request, "find_person.html", status=error.status, find_for=page)
        return RedirectResponse(f"/subjects/{found}/{page}", status_code=303)
    return render(request, "find_person.html", find_for=page)


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
