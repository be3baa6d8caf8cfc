"""Break-glass reviews: the head of service's queue and its resolution."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Query

from hub.api.auth import HubDep, PrincipalDep
from hub.api.schemas import ReviewDocument
from hub.consent.review import ResolutionDraft

router = APIRouter(prefix="/v1/reviews", tags=["reviews"])


@router.get("", response_model=list[ReviewDocument])
def review_queue(
    hub: HubDep,
    principal: PrincipalDep,
    status: Annotated[Literal["open", "justified", "not_justified", "all"], Query()] = "open",
    purpose: Annotated[str, Header(alias="X-Purpose", max_length=200)] = "break-glass-review",
) -> list[dict[str, Any]]:
    """Break-glass accesses by the caller's agency awaiting (or past) review; the read is recorded."""
    return hub.reviews.queue(principal, None if status == "all" else status, purpose)


@router.post("/{review_id}/resolve", response_model=ReviewDocument)
def resolve_review(review_id: UUID, draft: ResolutionDraft, hub: HubDep, principal: PrincipalDep) -> dict[str, Any]:
    """Resolve a review as justified or not justified (both are recorded)."""
    return hub.reviews.resolve(principal, review_id, draft)
