"""A child's case page and the search for a child, for case workers. The search is posted (a personal code never
goes into an address or a server log); both are recorded by the same service as the API's."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from events.values import MUNICIPALITIES
from hub.api.auth import HubDep
from hub.people.case_service import ChildSearchDraft
from hub.web.forms import text, validated
from hub.web.rendering import WebRoute, render
from hub.web.session import CheckedForm, WebPrincipal

router = APIRouter(route_class=WebRoute, include_in_schema=False)
SEARCH_PURPOSE = "case-search"
CASE_PURPOSE = "case-view"


@router.get("/children/search")
def search_form(request: Request, principal: WebPrincipal) -> HTMLResponse:
    return render(request, "children_search.html", values={}, results=None)


@router.post("/children/search")
def search(request: Request, hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> HTMLResponse:
    """By personal code, or by given name, family name and birth date; only children the agency is related to."""
    values = {name: text(form, name).strip() for name in ("personal_code", "given_name", "family_name", "birth_date")}
    draft = validated(ChildSearchDraft, {name: value or None for name, value in values.items()})
    results = hub.cases.search(principal, draft, SEARCH_PURPOSE)
    return render(request, "children_search.html", values={**values, "personal_code": ""}, results=results)


@router.get("/children/{subject_id}")
def case(request: Request, subject_id: UUID, hub: HubDep, principal: WebPrincipal) -> HTMLResponse:
    """What the agency's part in the child's case is; recorded."""
    return render(request, "case.html", case=hub.cases.case(principal, subject_id, CASE_PURPOSE), names=MUNICIPALITIES)
