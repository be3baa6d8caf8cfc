"""How long personal data is kept, and who may erase a person's data before that."""

from __future__ import annotations

from datetime import datetime

from events.values import AgencyKind, DataCategory, Decision, Role
from policies.decision import AccessDecision, Principal, acting_role, denied

RETENTION_VERSION = "retention/1"

# Years after the last referral about a person closed, as for children's client files; per record kind.
RETENTION_YEARS: dict[str, int] = {"referral": 10}

ERASURE_ROLES = frozenset({Role.HEAD_OF_SERVICE, Role.ADMINISTRATOR})
ERASURE_BASIS = "GDPR-17"


def retention_ends(closed_at: datetime, kind: str = "referral") -> datetime:
    years = RETENTION_YEARS[kind]
    try:
        return closed_at.replace(year=closed_at.year + years)
    except ValueError:
        return closed_at.replace(year=closed_at.year + years, day=28)


def decide_erasure(principal: Principal) -> AccessDecision:
    """A head of a social service or bāriņtiesa, or the hub's administrator, may erase a person's data."""
    held = sorted(principal.roles & ERASURE_ROLES)
    agency_may = principal.agency_kind in (AgencyKind.SOCIAL_SERVICE, AgencyKind.ORPHANS_COURT) or (
        Role.ADMINISTRATOR in principal.roles
    )
    if not held or not agency_may:
        return denied(acting_role(principal), "only a head of service or administrator may erase")
    return AccessDecision(Decision.PERMIT, held[0].value, ERASURE_BASIS, (DataCategory.IDENTITY,), ("permitted",))
