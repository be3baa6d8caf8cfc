"""The accessibility statement (EU directive 2016/2102 and its model statement, Implementing Decision (EU)
2018/1523; in Latvia Cabinet Regulation No. 445 of 14 July 2020), public like the sign-in page."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hub.api.auth import HubDep
from hub.web.rendering import WebRoute, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)
# When the statement was prepared and last reviewed against the pages (update both with each review).
PREPARED = date(2026, 12, 2)
REVIEWED = date(2026, 12, 2)


@router.get("/accessibility")
def accessibility_statement(request: Request, hub: HubDep) -> HTMLResponse:
    return render(
        request,
        "accessibility.html",
        prepared=PREPARED,
        reviewed=REVIEWED,
        contact=hub.settings.accessibility_contact,
    )
