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


# The roles a user may hold in an agency of each kind (an administrator of its users may be in any agency; the
# registry is administered from a national body). Anything else is refused as `role_not_allowed_for_kind`.
_ADMINS = frozenset({Role.AGENCY_ADMIN, Role.ADMINISTRATOR})
ROLES_OF_KIND: dict[AgencyKind, frozenset[Role]] = {
    AgencyKind.SOCIAL_SERVICE: _ADMINS
    | {Role.CASE_MANAGER, Role.CASE_REVIEWER, Role.HEAD_OF_SERVICE, Role.INTAKE_OFFICER},
    AgencyKind.ORPHANS_COURT: _ADMINS | {Role.ORPHANS_COURT_MEMBER, Role.HEAD_OF_SERVICE, Role.INTAKE_OFFICER},
    AgencyKind.SCHOOL: _ADMINS | {Role.SOCIAL_PEDAGOGUE, Role.HEAD_OF_SERVICE},
    AgencyKind.POLICE: _ADMINS | {Role.POLICE_OFFICER, Role.HEAD_OF_SERVICE},
    AgencyKind.HEALTH: _ADMINS | {Role.HEALTH_PROFESSIONAL, Role.HEAD_OF_SERVICE},
    AgencyKind.COOPERATION_GROUP: _ADMINS
    | {
        Role.CASE_MANAGER,
        Role.HEAD_OF_SERVICE,
        Role.ORPHANS_COURT_MEMBER,
        Role.POLICE_OFFICER,
        Role.SOCIAL_PEDAGOGUE,
        Role.HEALTH_PROFESSIONAL,
    },
    AgencyKind.CHILD_PROTECTION_CENTRE: _ADMINS
    | {Role.REGISTRY_ADMIN, Role.CASE_REVIEWER, Role.HEAD_OF_SERVICE, Role.SUPERVISOR},
    AgencyKind.MINISTRY: _ADMINS | {Role.REGISTRY_ADMIN, Role.SUPERVISOR},
    AgencyKind.AUDITOR: _ADMINS | {Role.AUDITOR},
}


def roles_not_allowed(kind: AgencyKind, user_roles: frozenset[Role]) -> frozenset[Role]:
    """The roles of `user_roles` that an agency of this kind may not give (empty: all allowed)."""
    return user_roles - ROLES_OF_KIND[kind]


def admin_role(user_roles: frozenset[Role]) -> Role | None:
    """The administrative role a user acts under in the registry, if any (the registry's first)."""
    return next((role for role in (Role.REGISTRY_ADMIN, Role.AGENCY_ADMIN) if role in user_roles), None)
