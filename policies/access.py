"""The one decision point for reads of personal data: (actor, action, resource) -> decision with reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from events.values import AgencyKind, DataCategory, Decision, Role
from policies.roles import casework_role

POLICY_VERSION = "access/1"


@dataclass(frozen=True)
class Principal:
    """An authenticated user acting inside an agency."""

    user_id: UUID
    username: str
    agency_id: UUID
    agency_kind: AgencyKind
    roles: frozenset[Role]


@dataclass(frozen=True)
class ReferralResource:
    """What the policy needs to know about a referral to decide on a read."""

    referral_id: UUID
    referrer_agency_id: UUID
    recipients: frozenset[UUID]


@dataclass(frozen=True)
class AccessDecision:
    decision: Decision
    role: str
    basis: str | None
    categories: tuple[DataCategory, ...]
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def permitted(self) -> bool:
        return self.decision is Decision.PERMIT


RECIPIENT_CATEGORIES = (DataCategory.IDENTITY, DataCategory.REFERRAL_CONTENT, DataCategory.STATUS)
REFERRER_CATEGORIES = (DataCategory.STATUS,)
STATUTORY_RECIPIENT_BASIS = "BTAL-73"
REFERRER_FEEDBACK_BASIS = "referrer-feedback"


def acting_role(principal: Principal) -> str:
    """The role recorded for a principal when no more specific role applies."""
    return sorted(principal.roles)[0] if principal.roles else "none"


def decide_inbox_read(principal: Principal) -> AccessDecision:
    """An agency's inbox lists its incoming referrals to those who work them."""
    role = casework_role(principal.roles)
    if role is None:
        return AccessDecision(
            Decision.DENY, acting_role(principal), None, (), ("role does not work incoming referrals",)
        )
    return AccessDecision(
        Decision.PERMIT,
        role,
        STATUTORY_RECIPIENT_BASIS,
        RECIPIENT_CATEGORIES,
        ("caller works its own agency's incoming referrals",),
    )


def decide_referral_read(principal: Principal, referral: ReferralResource) -> AccessDecision:
    """Recipients see the referral; the referrer sees status milestones only; nobody else sees it."""
    if principal.agency_id in referral.recipients:
        role = casework_role(principal.roles)
        if role is None:
            return AccessDecision(
                Decision.DENY,
                acting_role(principal),
                None,
                (),
                ("role does not work incoming referrals",),
            )
        return AccessDecision(
            Decision.PERMIT,
            role,
            STATUTORY_RECIPIENT_BASIS,
            RECIPIENT_CATEGORIES,
            ("caller's agency is a recipient of the referral",),
        )
    if principal.agency_id == referral.referrer_agency_id:
        return AccessDecision(
            Decision.PERMIT,
            acting_role(principal),
            REFERRER_FEEDBACK_BASIS,
            REFERRER_CATEGORIES,
            ("caller's agency submitted the referral: status only",),
        )
    return AccessDecision(
        Decision.DENY,
        acting_role(principal),
        None,
        (),
        ("caller's agency neither submitted nor received the referral",),
    )
