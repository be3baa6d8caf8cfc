"""What every decision is about and what it returns: the principal, and the decision with its basis and reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from events.values import AgencyKind, DataCategory, Decision, Role


@dataclass(frozen=True)
class Principal:
    """An authenticated user acting inside an agency."""

    user_id: UUID
    username: str
    agency_id: UUID
    agency_kind: AgencyKind
    roles: frozenset[Role]


@dataclass(frozen=True)
class Citizen:
    """A person signed in with a citizen's identity: they act for themselves and may read only their own record."""

    subject_id: UUID
    provider: str


CITIZEN_ROLE = "data_subject"  # the role recorded for a citizen's own reads


@dataclass(frozen=True)
class AccessDecision:
    """Permit or deny, the basis used, the categories allowed and those redacted, and why.

    `policies` are the Cedar policy ids that determined the outcome; `policy_hash` identifies the policy set.
    """

    decision: Decision
    role: str
    basis: str | None
    categories: tuple[DataCategory, ...]
    reasons: tuple[str, ...] = field(default_factory=tuple)
    redacted: tuple[DataCategory, ...] = ()
    policies: tuple[str, ...] = ()
    policy_hash: str | None = None
    consent_id: UUID | None = None
    consent_version: int | None = None
    break_glass: bool = False

    @property
    def permitted(self) -> bool:
        return self.decision is Decision.PERMIT


def acting_role(principal: Principal) -> str:
    """The role recorded for a principal when no more specific role applies."""
    return sorted(principal.roles)[0] if principal.roles else "none"


def denied(role: str, reason: str) -> AccessDecision:
    """A denial with no basis and no categories, for the given reason (recorded like any other decision)."""
    return AccessDecision(Decision.DENY, role, None, (), (reason,))
