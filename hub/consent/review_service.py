"""Break-glass reviews: the head of service's queue (audited) and resolving a review (justified or not).

`open_review` is how other capabilities open a review, appended with the emergency access it reviews.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from events.values import DataCategory, Role
from hub.consent.review import ResolutionDraft, Review, resolve_review
from hub.consent.review import open_review as open_review
from hub.kernel.core import Core, actor_for
from hub.kernel.errors import Forbidden, NotFound
from policies.decision import Principal
from policies.engine import ReadRequest, Relation
from projections.reviews import ReviewQueries


class ReviewService:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.queries = ReviewQueries(core.views_db)

    def queue(self, principal: Principal, status: str | None, purpose: str) -> list[dict[str, Any]]:
        """The caller's agency's reviews; only its head of service may read them, and the read is recorded."""
        decision = self.core.policy_engine.decide_read(
            ReadRequest(principal, frozenset({Relation.REVIEW_QUEUE}), (DataCategory.ACCESS_LOG,))
        )
        resource = f"reviews:{principal.agency_id}"
        if not decision.permitted:
            self.core.record_access(principal, decision, "reviews.read", resource, purpose)
            raise Forbidden("access_denied", "; ".join(decision.reasons))
        self.core.wait_for_views()
        reviews = [self.core.app.review(UUID(row["id"])) for row in self.queries.queue(principal.agency_id, status)]
        subjects = tuple(dict.fromkeys(subject for review in reviews for subject in review.subjects))
        self.core.record_access(principal, decision, "reviews.read", resource, purpose, subjects)
        return [present_review(review) for review in reviews]

    def resolve(self, principal: Principal, review_id: UUID, draft: ResolutionDraft) -> dict[str, Any]:
        if Role.HEAD_OF_SERVICE not in principal.roles:
            raise Forbidden("role_may_not_review", "only the head of service resolves break-glass reviews")
        self.core.wait_for_views()
        mine = {row["id"] for row in self.queries.queue(principal.agency_id, None)}
        if str(review_id) not in mine:
            raise NotFound("review_not_found", "no review with this id in the caller's agency")
        review = self.core.app.review(review_id)
        self.core.app.append(resolve_review(review, actor_for(principal, Role.HEAD_OF_SERVICE.value), draft))
        return present_review(self.core.app.review(review_id))


def present_review(review: Review) -> dict[str, Any]:
    return {
        "id": str(review.id),
        "status": review.outcome.value if review.outcome else "open",
        "requested_by": review.requested_by,
        "action": review.action,
        "resource": review.resource,
        "subjects": [str(subject) for subject in review.subjects],
        "justification": review.justification,
        "opened_at": review.opened_at,
        "note": review.note,
        "resolved_by": review.resolved_by,
    }
