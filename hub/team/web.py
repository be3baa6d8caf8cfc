"""Team pages: who works with the family (team, responsible worker, home visits, the agency's agreed tasks), and
the supervisor's case-file review results with a chart and CSV. Reads go through the audited services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData

from events.team import Verdict
from events.values import MUNICIPALITIES, Role
from hub.api.auth import HubDep
from hub.api.downloads import csv_response
from hub.team.domain import REMARK_LENGTH, ReviewDraft, TaskDraft, TaskFinish, TaskReport, VisitDraft, VisitOutcome
from hub.web.charts import bar_chart
from hub.web.forms import Location, Period, dotted, text, validated
from hub.web.i18n import translations
from hub.web.labels import label_id
from hub.web.rendering import WebRoute, language_of, render
from hub.web.session import CheckedForm, WebPrincipal
from policies.case_review import CASE_REVIEW_COLUMNS, CASE_REVIEW_FILE, catalogue

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PURPOSE = "coordination"
VISITING_ROLES = (Role.CASE_MANAGER, Role.ORPHANS_COURT_MEMBER, Role.SOCIAL_PEDAGOGUE, Role.POLICE_OFFICER,
                  Role.HEALTH_PROFESSIONAL)  # fmt: skip


@router.get("/people/{subject_id}/team")
def team(
    request: Request,
    subject_id: UUID,
    hub: HubDep,
    principal: WebPrincipal,
    notice: Annotated[Literal["nearby_visit"] | None, Query()] = None,
) -> HTMLResponse:
    """The team, the visits and the tasks the agency leads or is assigned; each read recorded. `notice` warns,
    after planning, that another agency plans a visit close to it."""
    team = hub.team.team(principal, subject_id, PURPOSE)
    gettext = translations(language_of(request)).gettext
    agencies = [member["agency"] for member in team["agencies"] if member["agency"]]
    leads = any(
        member["agency"] and member["agency"]["id"] == str(principal.agency_id) and tie["tie"] == "case_lead"
        for member in team["agencies"]
        for tie in member["ties"]
    )
    return render(
        request,
        "team.html",
        team=team,
        visits=hub.team.visits(principal, subject_id, PURPOSE),
        tasks=hub.team.tasks(principal, subject_id, PURPOSE),
        agency_id=str(principal.agency_id),
        leads=leads,
        notice=notice,
        reviewer=Role.CASE_REVIEWER in principal.roles,
        agencies=[(agency["code"], agency["name"]) for agency in agencies],
        visiting_roles=[(role.value, gettext(label_id("role", role.value))) for role in VISITING_ROLES],
    )


@router.post("/people/{subject_id}/team/visits")
def plan_visit(subject_id: UUID, hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    body = {
        "window_from": text(form, "window_from"),
        "window_to": text(form, "window_to"),
        "purpose": text(form, "purpose"),
        "visiting_roles": [text(form, "visiting_role")],
    }
    planned = hub.team.plan_visit(principal, subject_id, validated(VisitDraft, body, visit_field))
    warned = "?notice=nearby_visit" if planned["warnings"] else ""
    return RedirectResponse(f"/people/{subject_id}/team{warned}", status_code=303)


@router.post("/people/{subject_id}/team/visits/{visit_id}/{action}")
def act_on_visit(
    subject_id: UUID,
    visit_id: UUID,
    action: Literal["join", "done", "cancel"],
    hub: HubDep,
    principal: WebPrincipal,
    form: CheckedForm,
) -> RedirectResponse:
    """Join another agency's visit, or mark one's own visit made (with its findings, kept by the visiting agency)
    or cancelled."""
    outcome = validated(VisitOutcome, {"findings": text(form, "findings")}) if action == "done" else None
    hub.team.act_on_visit(principal, subject_id, visit_id, action, outcome)
    return RedirectResponse(f"/people/{subject_id}/team", status_code=303)


@router.post("/people/{subject_id}/team/tasks")
def agree_task(subject_id: UUID, hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    body = {
        "agency_code": text(form, "agency_code"),
        "title": text(form, "title"),
        "working_days": int(days) if (days := text(form, "working_days")).isdigit() else days,
    }
    hub.team.agree_task(principal, subject_id, validated(TaskDraft, body))
    return RedirectResponse(f"/people/{subject_id}/team", status_code=303)


TASK_FORMS: dict[str, Callable[[FormData], TaskReport | TaskFinish | None]] = {
    "accept": lambda form: None,
    "report": lambda form: validated(TaskReport, {"note": text(form, "note")}),
    "finish": lambda form: validated(TaskFinish, {"done": text(form, "done") == "true", "note": text(form, "note")}),
}


@router.post("/people/{subject_id}/team/tasks/{task_id}/{action}")
def act_on_task(
    subject_id: UUID,
    task_id: UUID,
    action: Literal["accept", "report", "finish"],
    hub: HubDep,
    principal: WebPrincipal,
    form: CheckedForm,
) -> RedirectResponse:
    """The assigned agency accepts a task, reports how it goes, or marks it done or not done with a note."""
    hub.team.act_on_task(principal, subject_id, task_id, action, TASK_FORMS[action](form))
    return RedirectResponse(f"/people/{subject_id}/team", status_code=303)


@router.get("/people/{subject_id}/case-review")
def review_form(request: Request, subject_id: UUID, hub: HubDep, principal: WebPrincipal) -> HTMLResponse:
    """The criteria with the answers the hub pre-fills and why, and the service's earlier reviews of this file
    with their remarks (both reads recorded)."""
    gettext = translations(language_of(request)).gettext
    return render(
        request,
        "case_review.html",
        subject_id=subject_id,
        criteria=hub.team.prefill(principal, subject_id, "case review")["criteria"],
        reviews=hub.team.reviews(principal, subject_id, "case review"),
        names={criterion.id: (criterion.lv, criterion.en) for criterion in catalogue().criteria},
        groups=catalogue().groups,
        verdicts=[(verdict.value, gettext(label_id("verdict", verdict.value))) for verdict in Verdict],
        remark_length=REMARK_LENGTH,
    )


@router.post("/people/{subject_id}/case-review")
def record_review(subject_id: UUID, hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    """An answer left as the hub pre-filled it, without a remark, stays marked pre-filled (with its reason)."""
    prefilled = {
        row["criterion"]: row["prefilled"]
        for row in hub.team.prefill(principal, subject_id, "case review")["criteria"]
        if row["prefilled"]
    }
    answers: dict[str, dict[str, str]] = {}
    for name in form:
        criterion = name.removeprefix("answer.")
        verdict, remark = text(form, name), text(form, f"remark.{criterion}")
        if name.startswith("answer.") and (verdict != prefilled.get(criterion) or remark):
            answers[criterion] = {"verdict": verdict, "remark": remark}
    draft = validated(ReviewDraft, {"answers": answers, "remarks": text(form, "remarks")}, review_field)
    hub.team.review(principal, subject_id, draft)
    return RedirectResponse(f"/people/{subject_id}/case-review", status_code=303)


@router.get("/case-reviews/sample")
def review_sample(
    request: Request,
    hub: HubDep,
    principal: WebPrincipal,
    period: Period,
    size: Annotated[int, Query(ge=1, le=50)] = 5,
) -> HTMLResponse:
    """A repeatable random sample of the service's cases in the period not yet reviewed (the listing recorded)."""
    return render(
        request,
        "case_review_sample.html",
        sample=hub.team.sample(principal, size, *period.days(), "case review"),
        period=period.values,
        size=size,
    )


def review_field(location: Location) -> str:
    """An answer's fields in the form are `answer.<criterion>` and `remark.<criterion>`."""
    if len(location) > 1 and location[0] == "answers":
        return f"{'remark' if location[-1] == 'remark' else 'answer'}.{location[1]}"
    return dotted(location)


def visit_field(location: Location) -> str:
    """The form names the one visiting role `visiting_role`."""
    return "visiting_role" if location and location[0] == "visiting_roles" else dotted(location)


@router.get("/supervision/case-reviews")
def case_reviews(request: Request, hub: HubDep, principal: WebPrincipal, period: Period) -> HTMLResponse:
    """Non-conformity % per criterion group and municipality (counts only; the read is recorded)."""
    rows = hub.supervision.case_reviews(principal, *period.days())
    english = language_of(request) == "en"
    groups = {group: en if english else lv for group, lv, en in catalogue().groups}
    gettext = translations(language_of(request)).gettext
    charts = [
        bar_chart(
            f"{MUNICIPALITIES.get(place, place)}: {gettext('Not meeting the criteria, %')}",
            [(groups[row["group"]], row["non_conformity_percent"]) for row in rows if row["municipality"] == place],
        )
        for place in sorted({row["municipality"] for row in rows})
    ]
    return render(
        request,
        "supervision_reviews.html",
        rows=rows,
        charts=charts,
        groups=groups,
        period=period.values,
        csv="/supervision/case-reviews.csv?" + urlencode(period.values),
        names=MUNICIPALITIES,
    )


@router.get("/supervision/case-reviews.csv")
def case_reviews_csv(hub: HubDep, principal: WebPrincipal, period: Period) -> Response:
    rows = hub.supervision.case_reviews(principal, *period.days())
    return csv_response(rows, CASE_REVIEW_COLUMNS, CASE_REVIEW_FILE)
