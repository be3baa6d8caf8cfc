"""Prior-residence record pages: the requests in and out with their due dates, asking for records, answering a
request per category, and reading what was released. Reads go through the same audited service as the API."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData, UploadFile

from events.records import ACTIVE_STATUSES, CategoryState, RecordRequestStatus, WithholdReason
from events.values import MUNICIPALITIES, DataCategory, Purpose, Urgency
from hub.api.auth import HubDep
from hub.api.header_text import content_disposition
from hub.records.domain import AnswersDraft, ReasonDraft, RecordRequestDraft
from hub.records.transitions import RecordRequestAction
from hub.service import Hub
from hub.web.forms import Location, dotted, text, validated
from hub.web.rendering import WebRoute, render
from hub.web.session import CheckedForm, WebPrincipal
from policies.legal_bases import LEGAL_BASES
from policies.roles import RECORD_KEEPING_KINDS

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PURPOSE = "prior-residence-records"
LIST_SIZE = 50
RECORD_BASES = [basis for basis in LEGAL_BASES if Purpose.PRIOR_RESIDENCE_RECORDS in basis.purposes]


def _optional(form: FormData, name: str) -> str | None:
    return text(form, name).strip() or None


def request_body(form: FormData) -> dict[str, Any]:
    """The request draft as the API takes it, from the form's fields (one person per request form)."""
    subject = {
        "given_name": text(form, "given_name"),
        "family_name": text(form, "family_name"),
        "birth_date": _optional(form, "birth_date"),
        "personal_code": _optional(form, "personal_code"),
    }
    return {
        "municipality": text(form, "municipality"),
        "agencies": form.getlist("agencies"),
        "subjects": [subject],
        "basis": text(form, "basis"),
        "categories": form.getlist("categories"),
        "urgency": text(form, "urgency") or Urgency.ROUTINE.value,
        "note": text(form, "note"),
    }


def uploaded_documents(form: FormData, name: str) -> list[dict[str, str]]:
    """The files chosen in one file field, as the API's documents (an empty file field sends nothing)."""
    documents = []
    for upload in form.getlist(name):
        if not isinstance(upload, UploadFile) or not upload.filename:
            continue
        content = upload.file.read()
        documents.append(
            {
                "file_name": upload.filename,
                "media_type": upload.content_type or "application/octet-stream",
                "content_base64": base64.b64encode(content).decode(),
            }
        )
    return documents


def _entries(form: FormData, category: str) -> list[dict[str, str]]:
    """The entry written on the form; none when both its title and text are left empty (documents only)."""
    title, body = text(form, f"title.{category}"), text(form, f"text.{category}")
    return [{"title": title, "text": body}] if title.strip() or body.strip() else []


def request_field(location: Location) -> str:
    """The form field of a path in the request draft (one person per form: `subjects.0.given_name` → `given_name`)."""
    return str(location[-1]) if location and location[0] == "subjects" else dotted(location)


def answer_field(body: dict[str, Any]) -> Callable[[Location], str]:
    """The form field of a path in the answers draft (`answers.0.entries.0.title` → `title.assessment`)."""

    def field_of(location: Location) -> str:
        if len(location) >= 3 and location[0] == "answers" and isinstance(location[1], int):
            name = "text" if location[-1] in ("entries", 0) else str(location[-1])
            return f"{name}.{body['answers'][location[1]]['category']}"
        return dotted(location)

    return field_of


def answers_body(form: FormData) -> dict[str, Any]:
    """One answer per category whose outcome was chosen (`outcome.<category>`), with that outcome's own fields."""
    answers: list[dict[str, Any]] = []
    for category in DataCategory:
        outcome = text(form, f"outcome.{category.value}")
        if not outcome:
            continue
        answer: dict[str, Any] = {"category": category.value, "outcome": outcome}
        if outcome == "released":
            answer["entries"] = _entries(form, category.value)
            answer["documents"] = uploaded_documents(form, f"documents.{category.value}")
            answer["onward_allowed"] = text(form, f"onward.{category.value}") == "yes"
        elif outcome == "withheld":
            answer["reason"] = text(form, f"reason.{category.value}")
            answer["note"] = text(form, f"note.{category.value}")
        else:
            answer["forward_to"] = text(form, f"forward_to.{category.value}")
        answers.append(answer)
    return {"answers": answers}


def _record_keepers(hub: Hub, own: UUID | None = None) -> list[dict[str, Any]]:
    """Agencies that keep records a request may ask for or be forwarded to (not the auditor, not the ministry)."""
    return [
        agency
        for agency in hub.registry_queries.agencies()
        if agency["kind"] in RECORD_KEEPING_KINDS and agency["id"] != str(own)
    ]


@router.get("/records")
def record_requests(
    request: Request,
    hub: HubDep,
    principal: WebPrincipal,
    box: Literal["incoming", "outgoing", "escalated"] = "incoming",
) -> HTMLResponse:
    """Envelopes only (agencies, state, due date): nothing personal, so nothing to record. `escalated`: requests
    to the agency that are overdue and were escalated to its head of service."""
    items = hub.records.listing(principal, box, LIST_SIZE)
    return render(request, "records.html", box=box, items=items, active=ACTIVE_STATUSES)


@router.get("/records/new")
def request_form(request: Request, hub: HubDep, principal: WebPrincipal) -> HTMLResponse:
    return render(
        request,
        "record_request_form.html",
        municipalities=sorted(MUNICIPALITIES.items(), key=lambda item: item[1]),
        agencies=_record_keepers(hub),
        bases=RECORD_BASES,
        categories=list(DataCategory),
        urgencies=list(Urgency),
    )


@router.post("/records/new")
def create(hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    hub.records.create(principal, validated(RecordRequestDraft, request_body(form), request_field))
    return RedirectResponse("/records?box=outgoing", status_code=303)


@router.get("/records/{request_id}")
def record_request(request: Request, request_id: UUID, hub: HubDep, principal: WebPrincipal) -> HTMLResponse:
    """The request with its people and the state of each category; the read is recorded."""
    document = hub.records.read(principal, request_id, PURPOSE)
    answering = document["responder"]["id"] == str(principal.agency_id) and document["status"] in ACTIVE_STATUSES
    return render(
        request,
        "record_request.html",
        item=document,
        answering=answering,
        requesting=document["requester"]["id"] == str(principal.agency_id),
        reasons=list(WithholdReason),
        statuses=RecordRequestStatus,
        states=CategoryState,
        active=ACTIVE_STATUSES,
        agencies=_record_keepers(hub, principal.agency_id),
        bases={basis.id: basis for basis in LEGAL_BASES},
    )


@router.post("/records/{request_id}/acknowledge")
def acknowledge(request_id: UUID, hub: HubDep, principal: WebPrincipal, _: CheckedForm) -> RedirectResponse:
    hub.records.act(principal, request_id, RecordRequestAction.ACKNOWLEDGE)
    return RedirectResponse(f"/records/{request_id}", status_code=303)


@router.post("/records/{request_id}/answers")
def answer(request_id: UUID, hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    body = answers_body(form)
    hub.records.act(
        principal, request_id, RecordRequestAction.ANSWER, validated(AnswersDraft, body, answer_field(body))
    )
    return RedirectResponse(f"/records/{request_id}", status_code=303)


@router.post("/records/{request_id}/{action}")
def close_request(
    request_id: UUID,
    action: Literal["refuse", "withdraw"],
    hub: HubDep,
    principal: WebPrincipal,
    form: CheckedForm,
) -> RedirectResponse:
    """Refuse the whole request (the agency asked) or withdraw it (the requester), with a reason."""
    draft = validated(ReasonDraft, {"reason": text(form, "reason")})
    hub.records.act(principal, request_id, RecordRequestAction(action), draft)
    return RedirectResponse(f"/records/{request_id}", status_code=303)


@router.get("/records/{request_id}/released")
def released(request: Request, request_id: UUID, hub: HubDep, principal: WebPrincipal) -> HTMLResponse:
    """What the responder released to the reader's agency, with its onward-sharing restriction; recorded."""
    return render(request, "records_released.html", released=hub.records.released(principal, request_id, PURPOSE))


@router.get("/records/{request_id}/documents/{document_id}")
def document(request_id: UUID, document_id: UUID, hub: HubDep, principal: WebPrincipal) -> Response:
    """A released document, as a download under its own name (RFC 6266 `filename*`); the download is recorded."""
    download = hub.records.document(principal, request_id, document_id, PURPOSE)
    return Response(
        download.content,
        media_type=download.media_type,
        headers={"Content-Disposition": content_disposition(download.file_name)},
    )
