"""Consent pages: a person's consents (recorded read), recording a new one and withdrawing one."""

from __future__ import annotations

from datetime import date, datetime, time
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from events.values import AgencyKind, DataCategory, Purpose, Relationship
from hub.api.auth import HubDep
from hub.consent.domain import ConsentDraft, WithdrawalDraft
from hub.web.forms import Location, dotted, text, validated
from hub.web.rendering import RIGA, WebRoute, render
from hub.web.session import CheckedForm, WebPrincipal

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PURPOSE = "consent-check"


def _end_of_day(value: str) -> str | None:
    """A date from the form as the end of that day in Riga ('' stays open-ended; a bad date fails validation)."""
    if not value.strip():
        return None
    try:
        return datetime.combine(date.fromisoformat(value.strip()), time(23, 59, 59), RIGA).isoformat()
    except ValueError:
        return value


def consent_field(location: Location) -> str:
    """The form field of a path in the consent draft (`granted_by.name` → `grantor`)."""
    if location and location[0] == "granted_by":
        return "grantor" if location[-1] == "name" else "relationship"
    return dotted(location)


@router.get("/subjects/{subject_id}/consents")
def consents_page(request: Request, subject_id: UUID, hub: HubDep, principal: WebPrincipal) -> Response:
    return render(
        request,
        "consents.html",
        subject_id=subject_id,
        consents=hub.consents.list_for_subject(principal, subject_id, PURPOSE),
        person=hub.cases.person(principal, subject_id, PURPOSE),
        agencies=hub.registry_queries.agencies(),
        kinds=list(AgencyKind),
        purposes=list(Purpose),
        categories=list(DataCategory),
        relationships=list(Relationship),
    )


@router.post("/subjects/{subject_id}/consents")
def grant(subject_id: UUID, hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    body = {
        "subject_id": str(subject_id),
        "granted_by": {"name": text(form, "grantor"), "relationship": text(form, "relationship") or None},
        "recipient_agencies": form.getlist("recipient_agencies"),
        "recipient_kinds": form.getlist("recipient_kinds"),
        "purposes": form.getlist("purposes"),
        "categories": form.getlist("categories"),
        "valid_until": _end_of_day(text(form, "valid_until")),
        "evidence": text(form, "evidence"),
    }
    hub.consents.grant(principal, validated(ConsentDraft, body, consent_field))
    return RedirectResponse(f"/subjects/{subject_id}/consents", status_code=303)


@router.post("/consents/{consent_id}/withdraw")
def withdraw(consent_id: UUID, hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    consent = hub.consents.withdraw(principal, consent_id, validated(WithdrawalDraft, {"reason": text(form, "reason")}))
    return RedirectResponse(f"/subjects/{consent['subject_id']}/consents", status_code=303)
