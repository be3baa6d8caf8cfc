"""The record of processing activities (GDPR Art. 30) as a page, generated from the policies the hub runs with."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hub.api.auth import HubDep
from hub.web.rendering import WebRoute, render
from hub.web.session import WebPrincipal
from policies.ropa import record_of_processing

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/ropa")
def ropa(request: Request, hub: HubDep, principal: WebPrincipal) -> HTMLResponse:
    """No personal data: anyone signed in may read it."""
    del principal
    return render(request, "ropa.html", record=record_of_processing(hub.policy_engine))
