"""Who may move a referral along: the lead social service works it, the referrer answers and may withdraw it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from events.values import AgencyKind, Role
from policies.decision import Principal
from policies.roles import REFERRAL_SUBMITTING_ROLES


class ReferralAction(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    ASSIGN = "assign"
    REQUEST_INFORMATION = "request_information"
    PROVIDE_INFORMATION = "provide_information"
    ACCEPT = "accept"
    REDIRECT = "redirect"
    DECLINE = "decline"
    CLOSE = "close"
    WITHDRAW = "withdraw"


# The lead agency's roles that may take each of its actions (intake triages; case managers and heads decide).
LEAD_ROLES: dict[ReferralAction, frozenset[Role]] = {
    ReferralAction.ACKNOWLEDGE: frozenset({Role.INTAKE_OFFICER, Role.CASE_MANAGER, Role.HEAD_OF_SERVICE}),
    ReferralAction.ASSIGN: frozenset({Role.INTAKE_OFFICER, Role.HEAD_OF_SERVICE, Role.CASE_MANAGER}),
    ReferralAction.REQUEST_INFORMATION: frozenset({Role.CASE_MANAGER, Role.HEAD_OF_SERVICE}),
    ReferralAction.ACCEPT: frozenset({Role.CASE_MANAGER, Role.HEAD_OF_SERVICE}),
    ReferralAction.REDIRECT: frozenset({Role.INTAKE_OFFICER, Role.CASE_MANAGER, Role.HEAD_OF_SERVICE}),
    ReferralAction.DECLINE: frozenset({Role.CASE_MANAGER, Role.HEAD_OF_SERVICE}),
    ReferralAction.CLOSE: frozenset({Role.CASE_MANAGER, Role.HEAD_OF_SERVICE}),
}
REFERRER_ACTIONS = frozenset({ReferralAction.PROVIDE_INFORMATION, ReferralAction.WITHDRAW})

# Who may be named the responsible worker.
ASSIGNABLE_ROLES = frozenset({Role.CASE_MANAGER, Role.HEAD_OF_SERVICE})


@dataclass(frozen=True)
class ActionDecision:
    permitted: bool
    role: str | None
    reason: str


def decide_action(
    principal: Principal, action: ReferralAction, lead_agency_id: UUID, referrer_agency_id: UUID
) -> ActionDecision:
    """Permit an action to the right agency and role; the reason names what is missing when denied."""
    if action in REFERRER_ACTIONS:
        agency, allowed = referrer_agency_id, REFERRAL_SUBMITTING_ROLES
        party = "the referring agency"
    else:
        agency, allowed = lead_agency_id, LEAD_ROLES[action]
        party = "the social service leading the referral"
    if principal.agency_id != agency:
        return ActionDecision(False, None, f"only {party} may {action.value.replace('_', ' ')}")
    held = sorted(principal.roles & allowed)
    if not held:
        return ActionDecision(False, None, f"none of the caller's roles may {action.value.replace('_', ' ')}")
    return ActionDecision(True, held[0].value, "permitted")


# Who keeps subject records straight (codes, candidate matches): casework staff of agencies that act on referrals.
SUBJECT_ROLES = frozenset({Role.CASE_MANAGER, Role.HEAD_OF_SERVICE, Role.ORPHANS_COURT_MEMBER})
SUBJECT_AGENCY_KINDS = frozenset({AgencyKind.SOCIAL_SERVICE, AgencyKind.ORPHANS_COURT})
