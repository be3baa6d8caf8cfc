"""Read decisions for referrals and inboxes: thin wrappers over the one decision point (`policies.engine`)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from events.values import DataCategory
from policies.decision import AccessDecision, Principal, acting_role
from policies.engine import ReadRequest, Relation, default_engine

__all__ = [
    "RECIPIENT_CATEGORIES",
    "AccessDecision",
    "Principal",
    "ReferralResource",
    "acting_role",
    "decide_inbox_read",
    "decide_outbox_read",
    "decide_referral_read",
]


@dataclass(frozen=True)
class ReferralResource:
    """What the policy needs to know about a referral to decide on a read."""

    referral_id: UUID
    referrer_agency_id: UUID
    recipients: frozenset[UUID]


# What a referral holds; each reader sees the part the policy permits.
RECIPIENT_CATEGORIES = (DataCategory.IDENTITY, DataCategory.REFERRAL_CONTENT, DataCategory.STATUS)


def decide_inbox_read(principal: Principal) -> AccessDecision:
    """An agency's inbox lists its incoming referrals to those who work them."""
    return default_engine().decide_read(ReadRequest(principal, frozenset({Relation.RECIPIENT}), RECIPIENT_CATEGORIES))


def decide_outbox_read(principal: Principal) -> AccessDecision:
    """An agency's sent referrals, as milestones: what any referrer may know of its own referrals."""
    return default_engine().decide_read(ReadRequest(principal, frozenset({Relation.REFERRER}), (DataCategory.STATUS,)))


def decide_referral_read(
    principal: Principal, referral: ReferralResource, break_glass_justification: str | None = None
) -> AccessDecision:
    """Recipients see the referral; the referrer sees status milestones only; nobody else sees it."""
    relations: set[Relation] = set()
    if principal.agency_id in referral.recipients:
        relations.add(Relation.RECIPIENT)
    if principal.agency_id == referral.referrer_agency_id:
        relations.add(Relation.REFERRER)
    return default_engine().decide_read(
        ReadRequest(principal, frozenset(relations), RECIPIENT_CATEGORIES, break_glass_justification)
    )
