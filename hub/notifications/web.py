"""The notifications page: the user's items with read/unread, marking read, their e-mail preferences, and for the
agency's administrator what the agency requires of them."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from events.notifications import DeliveryMode
from hub.api.auth import HubDep
from hub.kernel.errors import InvalidInput
from hub.notifications.domain import PreferenceDraft, RequirementDraft
from hub.web.forms import text, validated
from hub.web.navigation import administers
from hub.web.rendering import WebRoute, render
from hub.web.session import CheckedForm, WebPrincipal

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/notifications")
def notifications(request: Request, hub: HubDep, principal: WebPrincipal) -> HTMLResponse:
    return render(
        request,
        "notifications.html",
        items=hub.notifications.items(principal),
        preference=hub.notifications.preference(principal),
        requirement=hub.notifications.requirement(principal),
        modes=[mode.value for mode in DeliveryMode],
        administers=administers(principal),
        bounced=hub.notifications.bounced_users(principal) if administers(principal) else [],
    )


@router.post("/notifications/read")
def mark_read(hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    """Mark one item read (`item`), or every item shown (no `item`)."""
    chosen = text(form, "item")
    if chosen:
        try:
            items: tuple[UUID, ...] = (UUID(chosen),)
        except ValueError:
            raise InvalidInput("unknown_notification", "no such notification for this user", "item") from None
    else:
        items = tuple(UUID(row["id"]) for row in hub.notifications.items(principal) if not row["read"])
    hub.notifications.mark_read(principal, items)
    return RedirectResponse("/notifications", status_code=303)


@router.post("/notifications/preferences")
def set_preferences(hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    fields = {
        "address": text(form, "address") or None,
        "mode": text(form, "mode"),
        "urgent_mode": text(form, "urgent_mode") or DeliveryMode.IMMEDIATE.value,
        "language": text(form, "language"),
    }
    hub.notifications.set_preference(principal, validated(PreferenceDraft, fields))
    return RedirectResponse("/notifications", status_code=303)


@router.post("/notifications/requirement")
def set_requirement(hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    """The administrator sets what the agency requires of its users' e-mail."""
    fields = {"urgent_at_least": text(form, "urgent_at_least"), "others_at_least": text(form, "others_at_least")}
    hub.notifications.set_requirement(principal, validated(RequirementDraft, fields))
    return RedirectResponse("/notifications", status_code=303)
