"""Auditor pages: the access timeline replayed from the log with filters, "verify the log" with its result, and
a person's access report for the case workers of an agency involved with them. Every replay and report is recorded
by the same services the API uses."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from events.values import Decision
from hub.api.auth import HubDep
from hub.audit.replay import ReplayFilter
from hub.kernel.errors import DomainError, Forbidden, InvalidInput
from hub.kernel.personal_code import InvalidPersonalCode, parse_personal_code
from hub.service import Hub
from hub.web.form_errors import FormValues
from hub.web.rendering import RIGA, WebRoute, form_failure, render
from hub.web.session import CheckedForm, WebPrincipal
from policies.decision import Principal

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PURPOSE = "audit"
REPORT_PURPOSE = "access-report"
Text = Annotated[str, Query(max_length=100)]


def _day(value: str, field: str, until: bool) -> datetime | None:
    """A date from the form as the start (or the end) of that day in Riga."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("invalid_date", "give a date as YYYY-MM-DD", field) from None
    return datetime.combine(day, time.max if until else time.min, RIGA)


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
        since=_day(values["since"], "since", until=False),
        until=_day(values["until"], "until", until=True),
        decision=decision,
        break_glass_only=values["break_glass_only"] == "true",
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
        **{"filters": None, "entries": None, "verification": None, **context},
    )


@router.get("/audit")
def audit(
    request: Request,
    hub: HubDep,
    principal: WebPrincipal,
    subject: Text = "",
    user: Text = "",
    agency: Text = "",
    since: Text = "",
    until: Text = "",
    decision: Text = "",
    break_glass_only: Text = "",
    run: Text = "",
) -> HTMLResponse:
    """The filter form; with `run`, the replayed timeline (the replay is itself recorded)."""
    _require_auditor(hub, principal)
    filters = {
        "subject": subject.strip(),
        "user": user.strip(),
        "agency": agency.strip(),
        "since": since,
        "until": until,
        "decision": decision,
        "break_glass_only": break_glass_only,
    }
    entries = None
    if run:
        try:
            where = replay_filter(hub, filters)
        except DomainError as error:
            problems = [(error.field, error.reason)] if error.field else []
            request.state.form_failure = form_failure(request, 422, error.reason, problems, request.query_params)
            return _audit_page(request, hub, status=422, filters=filters)
        entries = hub.audit.replay(principal, where, PURPOSE)["entries"]
    return _audit_page(request, hub, filters=filters, entries=entries)


@router.post("/audit/verify")
def verify(request: Request, hub: HubDep, principal: WebPrincipal, _: CheckedForm) -> HTMLResponse:
    """Recompute every stored record's hash chain and the signed checkpoints, and show what was found."""
    return _audit_page(request, hub, verification=hub.audit.verify_for(principal))


@router.get("/subjects/{subject_id}/access-report")
def access_report(request: Request, subject_id: UUID, hub: HubDep, principal: WebPrincipal) -> HTMLResponse:
    """Who has looked at this person's data, withholding rules applied (case workers of an involved agency)."""
    return render(
        request, "access_report.html", report=hub.access_reports.report(principal, subject_id, REPORT_PURPOSE)
    )
