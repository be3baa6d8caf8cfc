"""Puts many realistic referral events into a store quickly: one routed submission, then copies in big batches."""

from __future__ import annotations

from uuid import UUID

from hub.core import actor_for
from hub.domain.referral import ReferralDraft, submit_referral
from hub.service import Hub
from policies import roles, routing
from tests.conftest import child_referral

SUBMITTER = "tukums.school"
BATCH = 1000


def sample_draft() -> ReferralDraft:
    return ReferralDraft.model_validate(child_referral())


def fill_referrals(hub: Hub, count: int) -> list[UUID]:
    """Append `count` referral submissions (the first through the service, the rest in batches); returns their ids."""
    principal = hub.authenticate(hub.issue_token(SUBMITTER))
    draft = sample_draft()
    receipt = hub.referrals.submit(principal, draft)
    recipients = tuple(UUID(agency["id"]) for agency in receipt["routed_to"])
    actor = actor_for(principal, sorted(principal.roles & roles.REFERRAL_SUBMITTING_ROLES)[0])
    ids = [UUID(receipt["id"])]
    remaining = count - 1
    while remaining > 0:
        events = [
            submit_referral(draft, actor, recipients, routing.ROUTING_VERSION) for _ in range(min(BATCH, remaining))
        ]
        hub.app.append(*events)
        ids.extend(event.originator_id for event in events)
        remaining -= len(events)
    return ids
