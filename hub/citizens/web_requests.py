"""Staff's page of a person's written requests (GDPR Art. 12(3)): record that someone asked in writing, see each
request's clock (overdue ones marked), extend it once with a reason, mark it answered."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from events.written_requests import RequestedRight
from hub.api.auth import HubDep
from hub.citizens.domain import ExtensionDraft, WrittenRequestDraft
from hub.service import Hub
from hub.web.forms import text, validated
from hub.web.rendering import WebRoute, render
from hub.web.session import CheckedForm, WebPrincipal
from policies.decision import Principal

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PAGE = "/written-requests"
FIND_PURPOSE = "subject access request"


@router.get(PAGE)
def written_requests(request: Request, hub: HubDep, principal: WebPrincipal) -> HTMLResponse:
    return render(
        request, "written_requests.html", requests=hub.written_requests.listing(principal), rights=list(RequestedRight)
    )


def _person(hub: Hub, principal: Principal, value: str) -> str:
    """A person record id as typed, or the record a personal code finds among the caller's people (recorded)."""
    try:
        return str(UUID(value))
    except ValueError:
        return str(hub.subjects.find_related(principal, value, "access-report", FIND_PURPOSE))


@router.post(PAGE)
def record(hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    person = text(form, "person").strip()
    body = {"right": text(form, "right"), "received_on": text(form, "received_on")}
    draft = validated(WrittenRequestDraft, {**body, "subject_id": _person(hub, principal, person) if person else ""})
    hub.written_requests.record(principal, draft)
    return RedirectResponse(PAGE, status_code=303)


@router.post(PAGE + "/{request_id}/extend")
def extend(request_id: UUID, hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    hub.written_requests.extend(principal, request_id, validated(ExtensionDraft, {"reason": text(form, "reason")}))
    return RedirectResponse(PAGE, status_code=303)


@router.post(PAGE + "/{request_id}/answer")
def answer(request_id: UUID, hub: HubDep, principal: WebPrincipal, _: CheckedForm) -> RedirectResponse:
    hub.written_requests.answer(principal, request_id)
    return RedirectResponse(PAGE, status_code=303)
