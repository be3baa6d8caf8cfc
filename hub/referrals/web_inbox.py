"""The inbox page: incoming referrals with their clocks and quick actions, or sent ones with milestones."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from hub.api.auth import HubDep
from hub.referrals.inbox_filter import inbox_filter
from hub.referrals.web_actions import quick_actions
from hub.web.navigation import default_direction, landing, works_referrals
from hub.web.rendering import WebRoute, render
from hub.web.session import WebPrincipal

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PAGE_SIZE = 25
# Cursors are notification ids; anything beyond what a store can hold is refused as bad input, like the API's.
MAX_CURSOR = 2**62
PURPOSE = "referral-triage"


@router.get("/inbox")
def inbox(
    request: Request,
    hub: HubDep,
    principal: WebPrincipal,
    direction: Literal["incoming", "outgoing"] | None = None,
    status: Annotated[str | None, Query(max_length=40)] = None,
    urgency: Annotated[str | None, Query(max_length=20)] = None,
    overdue: bool = False,
    cursor: Annotated[int | None, Query(ge=1, le=MAX_CURSOR)] = None,
) -> Response:
    """One page of the agency's referrals: incoming ones overdue first, then by due time; sent ones newest first.
    The filters apply to the whole inbox and are kept across pages; reading it is recorded like the API's inbox.
    A user whose agency works no referrals (ministry, auditor) is sent to their own start page, not refused."""
    if not works_referrals(principal):
        return RedirectResponse(landing(principal), status_code=303)
    chosen = direction or default_direction(principal)
    where = inbox_filter(chosen, status, urgency, overdue, hub.now(), by_due=True)
    page = hub.referrals.inbox(principal, chosen, PAGE_SIZE, cursor, PURPOSE, where)
    items = page.items
    return render(
        request,
        "inbox.html",
        direction=chosen,
        items=items,
        actions={item["id"]: quick_actions(principal, item) for item in items if chosen == "incoming"},
        filters={"status": status or "", "urgency": urgency or "", "overdue": overdue},
        next_page=_next_page(chosen, status, urgency, overdue, page.next_cursor),
    )


def _next_page(
    direction: str, status: str | None, urgency: str | None, overdue: bool, cursor: int | None
) -> str | None:
    """The link to the next page, with the same filters."""
    if cursor is None:
        return None
    query = {"direction": direction, "status": status or "", "urgency": urgency or "", "cursor": cursor}
    return "/inbox?" + urlencode({**query, **({"overdue": "true"} if overdue else {})})
