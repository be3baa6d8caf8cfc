"""Auditor pages: the access timeline replayed from the log with filters, "verify the log" with its result, and
a person's access report for the case workers of an agency involved with them. Every replay and report is recorded
by the same services the API uses."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse

from events.values import Decision
from hub.api.auth import HubDep
from hub.api.header_text import content_disposition
from hub.audit.replay import ReplayFilter, to_csv
from hub.kernel.errors import DomainError, Forbidden, InvalidInput
from hub.kernel.personal_code import InvalidPersonalCode, parse_personal_code
from hub.service import Hub
from hub.web.form_errors import FormValues
from hub.web.forms import local_day
from hub.web.rendering import RIGA, WebRoute, form_failure, render
from hub.web.session import CheckedForm, WebPrincipal
from policies.decision import Principal

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PURPOSE = "audit"
REPORT_PURPOSE = "access-report"
Text = Annotated[str, Query(max_length=100)]
PAGE_SIZE = 50


def _moment(value: str, field: str) -> datetime | None:
    """A local date and time from the form (`YYYY-MM-DDTHH:MM`, Riga time), or a date as the end of that day."""
    if not value:
        return None
    if "T" not in value:
        return local_day(value, field, until=True)
    try:
        return datetime.fromisoformat(value).replace(tzinfo=RIGA)
    except ValueError:
        raise InvalidInput("invalid_moment", "give a date and time as YYYY-MM-DDTHH:MM", field) from None


def _subject(hub: Hub, value: str) -> UUID:
    """The person a replay is about: their record's id, or any personal code they have had (blind index)."""
    try:
        return UUID(value)
    except ValueError:
        pass
    try:
        code = parse_personal_code(value).value
    except InvalidPersonalCode:
        raise InvalidInput("invalid_subject", "give a personal code or a person record id", "subject") from None
    hub.wait_for_views()
    return hub.subjects.known_id(None, code, "subject")


def replay_filter(hub: Hub, values: dict[str, str]) -> ReplayFilter:
    """The filter the form names; a malformed value is refused with the field it came from."""
    subject = _subject(hub, values["subject"]) if values["subject"] else None
    agency_id = None
    if values["agency"]:
        agency_id = UUID(hub.known_agency(values["agency"], "agency")["id"])
    decision = None
    if values["decision"]:
        try:
            decision = Decision(values["decision"])
        except ValueError:
            raise InvalidInput("invalid_decision", "permit or deny", "decision") from None
    return ReplayFilter(
        subject=subject,
        user=values["user"] or None,
        agency_id=agency_id,
        since=local_day(values["since"], "since", until=False),
        until=local_day(values["until"], "until", until=True),
        decision=decision,
        break_glass_only=values["break_glass_only"] == "true",
        as_of=_moment(values["as_of"], "as_of"),
    )


def _require_auditor(hub: Hub, principal: Principal) -> None:
    decision = hub.audit.audit_decision(principal)
    if not decision.permitted:
        raise Forbidden("access_denied", "; ".join(decision.reasons))


def _audit_page(request: Request, hub: Hub, status: int = 200, **context: Any) -> HTMLResponse:
    agencies = hub.registry_queries.agencies()
    return render(
        request,
        "audit.html",
        status=status,
        agencies=agencies,
        agency_codes={agency["id"]: agency["code"] for agency in agencies},
        decisions=list(Decision),
        values=FormValues(request.query_params.multi_items()),
        **{"filters": None, "entries": None, "verification": None, "paging": None, **context},
    )


def replay_form(
    subject: Text = "",
    user: Text = "",
    agency: Text = "",
    since: Text = "",
    until: Text = "",
    decision: Text = "",
    break_glass_only: Text = "",
    as_of: Text = "",
) -> dict[str, str]:
    """The replay's filters as the form names them (empty: not filtered)."""
    values = {
        "subject": subject,
        "user": user,
        "agency": agency,
        "since": since,
        "until": until,
        "decision": decision,
        "break_glass_only": break_glass_only,
        "as_of": as_of,
    }
    return {name: value.strip() for name, value in values.items()}


Filters = Annotated[dict[str, str], Depends(replay_form)]


def _page_link(filters: dict[str, str], page: int) -> str:
    return "/audit?" + urlencode({"run": "1", **filters, "page": page})


@router.get("/audit")
def audit(
    request: Request,
    hub: HubDep,
    principal: WebPrincipal,
    filters: Filters,
    run: Text = "",
    page: Annotated[int, Query(ge=1, le=10**6)] = 1,
) -> HTMLResponse:
    """The filter form; with `run`, one page of the replayed timeline as the log stood at `as_of` (the replay is
    itself recorded), with links to the other pages and to the whole replay as CSV."""
    _require_auditor(hub, principal)
    if not run:
        return _audit_page(request, hub, filters=filters)
    try:
        where = replay_filter(hub, filters)
    except DomainError as error:
        problems = [(error.field, error.reason)] if error.field else []
        request.state.form_failure = form_failure(request, 422, error.reason, problems, request.query_params)
        return _audit_page(request, hub, status=422, filters=filters)
    entries = hub.audit.replay(principal, where, PURPOSE)["entries"]
    pages = max(1, -(-len(entries) // PAGE_SIZE))
    shown = entries[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return _audit_page(
        request,
        hub,
        filters=filters,
        entries=shown,
        paging={
            "page": page,
            "pages": pages,
            "total": len(entries),
            "previous": _page_link(filters, page - 1) if page > 1 else None,
            "next": _page_link(filters, page + 1) if page < pages else None,
            "csv": "/audit/replay.csv?" + urlencode(filters),
        },
    )


@router.get("/audit/replay.csv")
def replay_csv(
    hub: HubDep,
    principal: WebPrincipal,
    filters: Filters,
) -> Response:
    """The whole replay with the same filters as a CSV download (one row per entry); recorded like the page."""
    _require_auditor(hub, principal)
    entries = hub.audit.replay(principal, replay_filter(hub, filters), PURPOSE)["entries"]
    return Response(
        to_csv(entries),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": content_disposition("audit-replay.csv")},
    )


@router.post("/audit/verify")
def verify(request: Request, hub: HubDep, principal: WebPrincipal, _: CheckedForm) -> HTMLResponse:
    """Recompute every stored record's hash chain and the signed checkpoints, and show what was found."""
    return _audit_page(request, hub, verification=hub.audit.verify_for(principal))


@router.get("/subjects/{subject_id}/access-report")
def access_report(request: Request, subject_id: UUID, hub: HubDep, principal: WebPrincipal) -> HTMLResponse:
    """Who has looked at this person's data, withholding rules applied (case workers of an involved agency)."""
    return render(
        request,
        "access_report.html",
        report=hub.access_reports.report(principal, subject_id, REPORT_PURPOSE),
        person=hub.cases.person(principal, subject_id, REPORT_PURPOSE),
    )
