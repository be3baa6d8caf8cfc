"""The supervisor dashboard: per-municipality timeliness figures with bar charts (pseudonymised; recorded)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from events.values import MUNICIPALITIES
from hub.api.auth import HubDep
from hub.web.charts import bar_chart
from hub.web.i18n import translations
from hub.web.labels import N_
from hub.web.rendering import WebRoute, language_of, render
from hub.web.session import WebPrincipal

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/supervision")
def supervision(
    request: Request,
    hub: HubDep,
    principal: WebPrincipal,
    municipality: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    report = hub.supervision.referrals(principal, municipality or None, "supervision")
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
