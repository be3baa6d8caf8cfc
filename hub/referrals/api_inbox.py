"""The caller's agency inbox: incoming referrals with their clocks, outgoing ones with milestones (audited)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query

from hub.api.auth import HubDep, PrincipalDep
from hub.api.schemas import InboxPage
from hub.referrals.inbox_filter import inbox_filter

router = APIRouter(prefix="/v1/inbox", tags=["inbox"])


@router.get("", response_model=InboxPage)
def read_inbox(
    hub: HubDep,
    principal: PrincipalDep,
    direction: Literal["incoming", "outgoing"] = "incoming",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[int | None, Query(ge=1, le=2**62, description="`next_cursor` of the previous page")] = None,
    status: Annotated[str | None, Query(max_length=40, description="A status (incoming) or milestone (sent)")] = None,
    urgency: Annotated[str | None, Query(max_length=20)] = None,
    overdue: Annotated[bool, Query(description="Only referrals with a running clock past its due time")] = False,
    order: Annotated[Literal["newest", "due"], Query(description="`due`: earliest running clock first")] = "newest",
    purpose: Annotated[str, Header(alias="X-Purpose", max_length=200)] = "referral-triage",
) -> dict[str, object]:
    """Referrals of the caller's agency, newest first or by due time, filtered over the whole inbox; every read is
    recorded."""
    where = inbox_filter(direction, status, urgency, overdue, hub.now(), order == "due")
    page = hub.referrals.inbox(principal, direction, limit, cursor, purpose, where)
    return {"items": page.items, "next_cursor": page.next_cursor}
