"""Which roles may take which actions, independent of any particular resource."""

from __future__ import annotations

from events.values import AgencyKind, Role

# Everyone who meets a child in official duties must report danger (BTAL Section 73).
REFERRAL_SUBMITTING_ROLES: frozenset[Role] = frozenset(
    {
        Role.CASE_MANAGER,
        Role.INTAKE_OFFICER,
        Role.HEAD_OF_SERVICE,
        Role.ORPHANS_COURT_MEMBER,
        Role.SOCIAL_PEDAGOGUE,
        Role.POLICE_OFFICER,
        Role.HEALTH_PROFESSIONAL,
    }
)

# Roles that work an agency's incoming referrals.
CASEWORK_ROLES: frozenset[Role] = frozenset(
    {
        Role.CASE_MANAGER,
        Role.CASE_REVIEWER,
        Role.INTAKE_OFFICER,
        Role.HEAD_OF_SERVICE,
        Role.ORPHANS_COURT_MEMBER,
        Role.POLICE_OFFICER,
    }
)


def may_submit_referrals(roles: frozenset[Role]) -> bool:
    return bool(roles & REFERRAL_SUBMITTING_ROLES)


def casework_role(roles: frozenset[Role]) -> Role | None:
    """The role under which a user works incoming referrals, if any (the most specific first)."""
    for role in sorted(CASEWORK_ROLES, key=list(Role).index):
        if role in roles:
            return role
    return None


# Agency kinds that keep family case records and so ask for and answer prior-residence requests as requesters.
RECORD_KEEPING_KINDS: frozenset[AgencyKind] = frozenset({AgencyKind.SOCIAL_SERVICE, AgencyKind.ORPHANS_COURT})


# The role an agency's system integration (Kafka, CSV, FHIR) submits referrals under, by agency kind.
INTEGRATION_ROLE_OF_KIND: dict[AgencyKind, Role] = {
    AgencyKind.SOCIAL_SERVICE: Role.INTAKE_OFFICER,
    AgencyKind.ORPHANS_COURT: Role.ORPHANS_COURT_MEMBER,
    AgencyKind.SCHOOL: Role.SOCIAL_PEDAGOGUE,
    AgencyKind.POLICE: Role.POLICE_OFFICER,
    AgencyKind.HEALTH: Role.HEALTH_PROFESSIONAL,
}


# Roles that may point their agency's webhook somewhere and read its delivery log.
WEBHOOK_MANAGING_ROLES: frozenset[Role] = frozenset({Role.HEAD_OF_SERVICE, Role.ADMINISTRATOR})


def may_manage_webhooks(roles: frozenset[Role]) -> bool:
    return bool(roles & WEBHOOK_MANAGING_ROLES)
