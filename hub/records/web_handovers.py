"""Case handover pages: the handovers offered to and by the agency, offering a case after the family moved, one
handover with accept (and its checklist of record requests to make) or decline. Reads go through the audited
handover service, as the API's do."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from events.handover import HandoverStatus
from events.values import MUNICIPALITIES
from hub.api.auth import HubDep
from hub.records.domain import ReasonDraft, RecordRequestDraft
from hub.records.handover import ResidenceChangeDraft
from hub.records.handover_transitions import HandoverAction
from hub.records.web import RECORD_BASES
from hub.web.forms import text, validated
from hub.web.rendering import WebRoute, render
from hub.web.session import CheckedForm, WebPrincipal

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PURPOSE = "case-handover"
LIST_SIZE = 50


def offer_body(form: Any) -> dict[str, Any]:
    """The residence change as the API takes it: one person, named by the hub's record of them or a personal code."""
    subject = {
        "given_name": text(form, "given_name"),
        "family_name": text(form, "family_name"),
        "subject_id": text(form, "subject_id").strip() or None,
        "personal_code": text(form, "personal_code").strip() or None,
    }
    return {
        "subjects": [subject],
        "to_municipality": text(form, "to_municipality"),
        "moved_on": text(form, "moved_on"),
        "note": text(form, "note"),
    }


@router.get("/handovers")
def handovers(
    request: Request,
    hub: HubDep,
    principal: WebPrincipal,
    box: Literal["incoming", "outgoing"] = "incoming",
) -> HTMLResponse:
    """Envelopes only (municipalities, agencies, state): nothing personal, so nothing to record."""
    items = hub.handovers.listing(principal, box, LIST_SIZE)
    return render(request, "handovers.html", box=box, items=items)


@router.get("/handovers/new")
def offer_form(
    request: Request,
    principal: WebPrincipal,
    subject: Annotated[UUID | None, Query()] = None,
) -> HTMLResponse:
    """`subject`: the hub's record of the child, when the form is opened from the child's case."""
    return render(
        request,
        "handover_form.html",
        subject_id=subject,
        municipalities=sorted(MUNICIPALITIES.items(), key=lambda item: item[1]),
    )


@router.post("/handovers/new")
def offer(hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    handover = hub.handovers.record_move(principal, validated(ResidenceChangeDraft, offer_body(form)))
    return RedirectResponse(f"/handovers/{handover['id']}", status_code=303)


@router.get("/handovers/{handover_id}")
def handover(request: Request, handover_id: UUID, hub: HubDep, principal: WebPrincipal) -> HTMLResponse:
    """The handover as its reader may see it (recorded); the service offered the case may accept or decline it, and
    once it has accepted, sends the checklist's record requests from here."""
    document = hub.handovers.read(principal, handover_id, PURPOSE)
    to_agency = document.get("to_agency") or {}
    return render(
        request,
        "handover.html",
        item=document,
        deciding=document["status"] == HandoverStatus.OFFERED and to_agency.get("id") == str(principal.agency_id),
        statuses=HandoverStatus,
        bases=RECORD_BASES,
        names=MUNICIPALITIES,
    )


@router.post("/handovers/{handover_id}/accept")
def accept(handover_id: UUID, hub: HubDep, principal: WebPrincipal, _: CheckedForm) -> RedirectResponse:
    hub.handovers.act(principal, handover_id, HandoverAction.ACCEPT)
    return RedirectResponse(f"/handovers/{handover_id}", status_code=303)


@router.post("/handovers/{handover_id}/decline")
def decline(handover_id: UUID, hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    draft = validated(ReasonDraft, {"reason": text(form, "reason")})
    hub.handovers.act(principal, handover_id, HandoverAction.DECLINE, draft)
    return RedirectResponse(f"/handovers/{handover_id}", status_code=303)


@router.post("/handovers/{handover_id}/requests")
def request_from_checklist(
    handover_id: UUID, hub: HubDep, principal: WebPrincipal, form: CheckedForm
) -> RedirectResponse:
    """One checklist item: ask an agency of the old municipality for its records about the handed-over people."""
    body = {
        "municipality": text(form, "municipality"),
        "agencies": [text(form, "agency")],
        "handover_id": str(handover_id),
        "basis": text(form, "basis"),
        "categories": form.getlist("categories"),
    }
    hub.records.create(principal, validated(RecordRequestDraft, body))
    return RedirectResponse(f"/handovers/{handover_id}", status_code=303)
