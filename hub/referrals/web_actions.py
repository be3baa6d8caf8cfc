"""Which referral actions to offer a user: those the policy permits them and the referral's state allows."""

from __future__ import annotations

from uuid import UUID

from events.referrals import ReferralStatus
from hub.referrals.domain import ALLOWED_FROM, Referral
from hub.referrals.transitions import TRANSITIONS
from policies.access import ReferralResource, decide_referral_read
from policies.decision import Principal
from policies.engine import BREAK_GLASS_MIN_CHARS
from policies.referral_actions import ReferralAction, decide_action

# Actions that need nothing but a click, offered in the inbox list itself.
QUICK_ACTIONS = (ReferralAction.ACKNOWLEDGE, ReferralAction.ACCEPT)
NOBODY = UUID(int=0)


def permitted_actions(
    principal: Principal, status: ReferralStatus, lead_agency_id: UUID, referrer_agency_id: UUID
) -> list[ReferralAction]:
    """The same checks the workflow makes (policy, then the aggregate's state), so no offered button is refused."""
    return [
        action
        for action in TRANSITIONS
        if status in ALLOWED_FROM[action.value]
        and decide_action(principal, action, lead_agency_id, referrer_agency_id).permitted
    ]


def available_actions(principal: Principal, referral: Referral) -> list[ReferralAction]:
    return permitted_actions(principal, referral.status, referral.lead_agency_id, referral.referrer_agency_id)


def quick_actions(principal: Principal, item: dict[str, object]) -> list[ReferralAction]:
    """One-click actions for an incoming inbox item (the inbox says whether the caller's agency leads it)."""
    lead = principal.agency_id if item["lead"] else NOBODY
    referrer = item["referrer"]
    referrer_id = UUID(str(referrer["id"])) if isinstance(referrer, dict) else NOBODY
    allowed = permitted_actions(principal, ReferralStatus(str(item["status"])), lead, referrer_id)
    return [action for action in allowed if action in QUICK_ACTIONS]


def may_read_in_emergency(principal: Principal) -> bool:
    """Whether the policy lets the user's role read, with a justification, a referral their agency has no part in
    (asked about no referral in particular, so the answer reveals nothing and records nothing)."""
    stranger = ReferralResource(NOBODY, NOBODY, frozenset())
    return decide_referral_read(principal, stranger, "x" * BREAK_GLASS_MIN_CHARS).permitted
