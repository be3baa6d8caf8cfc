"""Team pages: who works with the family (team, responsible worker, home visits, the agency's agreed tasks), and
the supervisor's case-file review results with a chart and CSV. Reads go through the audited services."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from events.values import MUNICIPALITIES
from hub.api.auth import HubDep
from hub.api.downloads import csv_response
from hub.web.charts import bar_chart
from hub.web.i18n import translations
from hub.web.rendering import WebRoute, language_of, render
from hub.web.session import WebPrincipal
from policies.case_review import CASE_REVIEW_COLUMNS, CASE_REVIEW_FILE, catalogue

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PURPOSE = "coordination"
Day = Annotated[date | None, Query()]


@router.get("/people/{subject_id}/team")
def team(request: Request, subject_id: UUID, hub: HubDep, principal: WebPrincipal) -> HTMLResponse:
    """The team, the visits and the tasks the agency leads or is assigned; each read recorded."""
    return render(
        request,
        "team.html",
        team=hub.team.team(principal, subject_id, PURPOSE),
        visits=hub.team.visits(principal, subject_id, PURPOSE),
        tasks=hub.team.tasks(principal, subject_id, PURPOSE),
    )


@router.get("/supervision/case-reviews")
def case_reviews(
    request: Request, hub: HubDep, principal: WebPrincipal, since: Day = None, until: Day = None
) -> HTMLResponse:
    """Non-conformity % per criterion group and municipality (counts only; the read is recorded)."""
    rows = hub.supervision.case_reviews(principal, since, until)
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
    period = {"since": since.isoformat() if since else "", "until": until.isoformat() if until else ""}
    return render(
        request,
        "supervision_reviews.html",
        rows=rows,
        charts=charts,
        groups=groups,
        period=period,
        csv="/supervision/case-reviews.csv?" + urlencode(period),
        names=MUNICIPALITIES,
    )


@router.get("/supervision/case-reviews.csv")
def case_reviews_csv(hub: HubDep, principal: WebPrincipal, since: Day = None, until: Day = None) -> Response:
    rows = hub.supervision.case_reviews(principal, since, until)
    return csv_response(rows, CASE_REVIEW_COLUMNS, CASE_REVIEW_FILE)
