"""The supervisor dashboard: per-municipality timeliness figures with bar charts, for referrals and for
prior-residence record requests within a period, the latter also as CSV (pseudonymised; recorded)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from events.values import MUNICIPALITIES
from hub.api.auth import HubDep
from hub.api.downloads import csv_response
from hub.api.schemas import RecordsTimeliness
from hub.web.charts import bar_chart
from hub.web.forms import Period
from hub.web.i18n import translations
from hub.web.labels import N_
from hub.web.rendering import WebRoute, language_of, render
from hub.web.session import WebPrincipal

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PURPOSE = "supervision"


@router.get("/supervision")
def supervision(
    request: Request,
    hub: HubDep,
    principal: WebPrincipal,
    municipality: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    report = hub.supervision.referrals(principal, municipality or None, PURPOSE)
    rows = report["municipalities"]
    gettext = translations(language_of(request)).gettext

    def named(row: dict[str, object]) -> str:
        return MUNICIPALITIES.get(str(row["municipality"]), str(row["municipality"]))

    charts = [
        bar_chart(gettext(N_("Referrals")), [(named(row), row["referrals"]) for row in rows]),
        bar_chart(
            gettext(N_("Median hours to acknowledge")),
            [(named(row), row["time_to_acknowledge"]["median_hours"]) for row in rows],
        ),
        bar_chart(
            gettext(N_("Median hours to decide")),
            [(named(row), row["time_to_decide"]["median_hours"]) for row in rows],
        ),
        bar_chart(gettext(N_("Overdue now")), [(named(row), len(row["overdue_now"])) for row in rows]),
    ]
    return render(
        request,
        "supervision.html",
        report=report,
        charts=charts,
        municipality=municipality or "",
        municipalities=sorted(MUNICIPALITIES.items(), key=lambda item: item[1]),
        names=MUNICIPALITIES,
    )


@router.get("/supervision/records")
def records_timeliness(request: Request, hub: HubDep, principal: WebPrincipal, period: Period) -> HTMLResponse:
    """Prior-residence requests per municipality, made within the period chosen (pseudonymised; recorded)."""
    rows = hub.supervision.records(principal, purpose=PURPOSE, since=period.since, until=period.until)
    return render(
        request,
        "supervision_records.html",
        rows=rows,
        period=period.values,
        csv="/supervision/records.csv?" + urlencode(period.values),
        names=MUNICIPALITIES,
    )


@router.get("/supervision/records.csv")
def records_csv(hub: HubDep, principal: WebPrincipal, period: Period) -> Response:
    """The same figures as a CSV download, one row per municipality; recorded like the page."""
    rows = hub.supervision.records(principal, purpose=PURPOSE, since=period.since, until=period.until)
    return csv_response(rows, list(RecordsTimeliness.model_fields), "record-request-timeliness.csv")
