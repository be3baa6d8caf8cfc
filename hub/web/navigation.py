"""The menu: which pages a signed-in user is offered (the services still decide every request)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from events.values import AgencyKind, Role
from hub.web.labels import N_
from policies import access, roles
from policies.decision import Principal
from policies.referral_actions import SUBJECT_AGENCY_KINDS, SUBJECT_ROLES
from policies.supervision import decide_supervision_read


@dataclass(frozen=True)
class NavItem:
    path: str
    title: str
    offered_to: Callable[[Principal], bool]


def works_referrals(principal: Principal) -> bool:
    return principal.agency_kind not in (AgencyKind.MINISTRY, AgencyKind.AUDITOR)


def works_record_requests(principal: Principal) -> bool:
    return principal.agency_kind in roles.RECORD_KEEPING_KINDS and roles.casework_role(principal.roles) is not None


def audits(principal: Principal) -> bool:
    return principal.agency_kind is AgencyKind.AUDITOR and Role.AUDITOR in principal.roles


def hands_cases_over(principal: Principal) -> bool:
    return principal.agency_kind is AgencyKind.SOCIAL_SERVICE and roles.casework_role(principal.roles) is not None


def reviews_emergencies(principal: Principal) -> bool:
    return Role.HEAD_OF_SERVICE in principal.roles


def settles_subjects(principal: Principal) -> bool:
    return principal.agency_kind in SUBJECT_AGENCY_KINDS and bool(principal.roles & SUBJECT_ROLES)


def reviews_case_files(principal: Principal) -> bool:
    return principal.agency_kind is AgencyKind.SOCIAL_SERVICE and Role.CASE_REVIEWER in principal.roles


def administers(principal: Principal) -> bool:
    return roles.admin_role(principal.roles) is not None


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("/inbox", N_("Inbox"), works_referrals),
    NavItem("/referrals/new", N_("New referral"), lambda principal: roles.may_submit_referrals(principal.roles)),
    NavItem("/children/search", N_("Find a child"), works_record_requests),
    NavItem("/records", N_("Record requests"), works_record_requests),
    NavItem("/handovers", N_("Case handovers"), hands_cases_over),
    NavItem("/reviews", N_("Emergency access reviews"), reviews_emergencies),
    NavItem("/case-reviews/sample", N_("Case files to review"), reviews_case_files),
    NavItem("/subjects/candidates", N_("Possible matches"), settles_subjects),
    NavItem("/supervision", N_("Supervision"), lambda principal: decide_supervision_read(principal).permitted),
    NavItem("/audit", N_("Audit"), audits),
    NavItem(
        "/written-requests", N_("Written requests"), lambda principal: hands_cases_over(principal) or audits(principal)
    ),
    NavItem("/admin/users", N_("Administration"), administers),
)


def navigation(principal: Principal | None) -> list[NavItem]:
    if principal is None:
        return []
    return [item for item in NAVIGATION if item.offered_to(principal)]


def default_direction(principal: Principal) -> str:
    """Agencies that work incoming referrals start there; referrers such as schools start with what they sent."""
    return "incoming" if access.decide_inbox_read(principal).permitted else "outgoing"


def landing(principal: Principal) -> str:
    """The page a user starts on: the first page of their menu (the supervisor's is supervision, not an inbox)."""
    items = navigation(principal)
    return items[0].path if items else "/inbox"
