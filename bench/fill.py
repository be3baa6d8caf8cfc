"""Puts many realistic referral events into a store quickly: one routed submission, then copies in big batches."""

from __future__ import annotations

from uuid import UUID, uuid4

from hub.domain.referral import ReferralDraft
from hub.service import Hub
from tests.conftest import child_referral

SUBMITTER = "tukums.school"
BATCH = 1000


def sample_draft() -> ReferralDraft:
    return ReferralDraft.model_validate(child_referral())


def fill_referrals(hub: Hub, count: int) -> list[UUID]:
    """Append `count` referral submissions (the first through the service, the rest copies in batches)."""
    principal = hub.authenticate(hub.issue_token(SUBMITTER))
    receipt = hub.referrals.submit(principal, sample_draft())
    first = hub.app.stream(UUID(receipt["id"]))[0]
    ids = [UUID(receipt["id"])]
    remaining = count - 1
    while remaining > 0:
        events = [
            first.model_copy(update={"originator_id": uuid4(), "event_id": uuid4()})
            for _ in range(min(BATCH, remaining))
        ]
        hub.app.append(*events)
        ids.extend(event.originator_id for event in events)
        remaining -= len(events)
    return ids
