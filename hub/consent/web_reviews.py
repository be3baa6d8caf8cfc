"""The head of service's review queue: every emergency (break-glass) access by the agency's staff, with its written
justification, and the review's outcome. Reading the queue is recorded by the same service as the API's."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from events.values import ReviewOutcome
from hub.api.auth import HubDep
from hub.consent.review import ResolutionDraft
from hub.web.forms import text, validated
from hub.web.labels import N_
from hub.web.rendering import WebRoute, render
from hub.web.session import CheckedForm, WebPrincipal

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PURPOSE = "break-glass-review"
# What was done in the emergency, by the action the review names.
ACTIONS = {"referral.read": N_("Read a referral in an emergency"), "disclosure": N_("Disclosed data in an emergency")}
Shown = Literal["open", "justified", "not_justified", "all"]


@router.get("/reviews")
def reviews(request: Request, hub: HubDep, principal: WebPrincipal, status: Shown = "open") -> HTMLResponse:
    queue = hub.reviews.queue(principal, None if status == "all" else status, PURPOSE)
    return render(
        request,
        "reviews.html",
        reviews=queue,
        chosen=status,
        shown=("open", "justified", "not_justified", "all"),
        outcomes=list(ReviewOutcome),
        actions=ACTIONS,
    )


@router.post("/reviews/{review_id}/resolve")
def resolve(review_id: UUID, hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    """Justified or not justified, with a note; both outcomes are recorded in the log."""
    draft = validated(ResolutionDraft, {"outcome": text(form, "outcome"), "note": text(form, "note")})
    hub.reviews.resolve(principal, review_id, draft)
    return RedirectResponse("/reviews", status_code=303)
