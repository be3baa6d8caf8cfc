"""Who may see the supervision figures: the ministry's supervisors, pseudonymised figures only."""

from __future__ import annotations

from events.values import AgencyKind, DataCategory, Decision, Role
from policies.decision import AccessDecision, Principal, acting_role, denied

# Oversight of municipal child-protection work (Bērnu tiesību aizsardzības likums, Section 64, and the ministry's
# case-file review); the figures hold no personal data.
SUPERVISION_BASIS = "BTAL-64-supervision"


def decide_supervision_read(principal: Principal) -> AccessDecision:
    if principal.agency_kind is AgencyKind.MINISTRY and Role.SUPERVISOR in principal.roles:
        return AccessDecision(Decision.PERMIT, Role.SUPERVISOR.value, SUPERVISION_BASIS, (DataCategory.STATUS,))
    return denied(acting_role(principal), "only the ministry's supervisors see supervision figures")
