"""Citizens' sessions and their own data: sign-in through a citizens' provider, the personal code matched to a
person record through the blind index, and the person's own access report and export, each decided by policy
(`policies/citizens.cedar`) and recorded as an access.

A session is an opaque random token naming a sealed record (the person's record id, the provider, its ID token for
signing out) that lives `token_ttl_minutes`. It is no hub bearer token: every staff route refuses it. The personal
code is only compared, never stored or logged; a code the hub knows nothing about is recorded as a refused sign-in
(`nothing_held`) with no code.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from events.values import DataCategory
from hub.audit.access_report_service import AccessReportService
from hub.citizens import export
from hub.identity.service import IdentityService
from hub.kernel.core import Core
from hub.kernel.errors import Forbidden
from hub.kernel.sealed_records import SealedRecords
from hub.people.service import SubjectService
from hub.referrals.service import ReferralService
from policies.decision import Citizen

EXPORT_ACTION = "citizen.export"
EXPORT_PURPOSE = "subject access request"
EXPORT_CATEGORIES = (DataCategory.IDENTITY, DataCategory.STATUS, DataCategory.ACCESS_LOG)
NOTHING_HELD = "nothing_held"


class CitizenSessionEnded(Exception):
    """No citizen's session: none given, expired, or signed out."""


@dataclass(frozen=True)
class CitizenSignedIn:
    token: str | None  # None: the hub holds nothing about the person (no session is made)
    next: str


class CitizenService:
    def __init__(
        self,
        core: Core,
        identity: IdentityService,
        subjects: SubjectService,
        referrals: ReferralService,
        access_reports: AccessReportService,
    ) -> None:
        self.core = core
        self.identity = identity
        self.subjects = subjects
        self.referrals = referrals
        self.access_reports = access_reports
        self.sessions = SealedRecords(core.store_db, "citizen_sessions", core.sealing_key)

    @property
    def lifetime(self) -> timedelta:
        return timedelta(minutes=self.core.settings.token_ttl_minutes)

    # -- signing in and out ----------------------------------------------------------------------------------------

    def begin(self, provider: str, redirect_uri: str) -> tuple[str, str]:
        return self.identity.begin(provider, redirect_uri, "/my", citizens=True)

    def finish(self, state: str, code: str, issuer: str | None) -> CitizenSignedIn:
        """The provider's answer: a session for the person the personal code names, or none if the hub holds
        nothing about them (recorded either way, without the code)."""
        vouched = self.identity.finish_citizen(state, code, issuer)
        subject_id = self.subjects.record_of(vouched.personal_code) if vouched.personal_code else None
        if subject_id is None:
            self.identity.record_citizen_sign_in(vouched.provider, NOTHING_HELD)
            return CitizenSignedIn(None, vouched.next)
        self.identity.record_citizen_sign_in(vouched.provider)
        return CitizenSignedIn(self.open_session(subject_id, vouched.provider, vouched.id_token), vouched.next)

    def open_session(self, subject_id: UUID, provider: str, id_token: str | None) -> str:
        """A new session of the person a citizens' provider vouched for; its token."""
        token = secrets.token_urlsafe(32)
        session = {"subject_id": str(subject_id), "provider": provider, "id_token": id_token}
        self.sessions.add(token, session, self.lifetime)
        return token

    def authenticate(self, token: str | None) -> Citizen:
        session = self.sessions.get(token) if token else None
        if session is None:
            raise CitizenSessionEnded
        return Citizen(subject_id=UUID(session["subject_id"]), provider=session["provider"])

    def sign_out(self, token: str | None, after: str) -> str | None:
        """Forget the session; the provider's logout address to send the browser to, if it has one."""
        session = self.sessions.take(token) if token else None
        if session is None:
            return None
        client = self.identity.provider(session["provider"], citizens=True)
        return self.identity.logout_address(client, session["id_token"], after)

    # -- their own data --------------------------------------------------------------------------------------------

    def report(self, citizen: Citizen, subject_id: UUID) -> dict[str, Any]:
        """Who has accessed the person's data (withholding rules applied); only their own record."""
        return self.access_reports.own_report(citizen, subject_id)

    def export(self, citizen: Citizen, subject_id: UUID) -> dict[str, Any]:
        """What the hub holds about the person, as they may see it (GDPR Art. 15); only their own record."""
        self.core.wait_for_views()
        decision = self.core.policy_engine.decide_own(citizen, subject_id, EXPORT_CATEGORIES)
        resource = f"subject-export:{subject_id}"
        if not decision.permitted:
            self.core.record_access(citizen, decision, EXPORT_ACTION, resource, EXPORT_PURPOSE, (subject_id,))
            raise Forbidden("access_denied", "; ".join(decision.reasons))
        at = self.core.now()
        held = self.referrals.held_about(subject_id)
        facts = self.access_reports.withholding_facts(subject_id, at, for_alleged_source_of_risk=True)
        referrals = export.referrals_as_seen(held, facts, self.access_reports.agency)
        self.core.record_access(citizen, decision, EXPORT_ACTION, resource, EXPORT_PURPOSE, (subject_id,))
        report = self.access_reports.own_report(citizen, subject_id)
        return export.export_document(subject_id, at, export.details_recorded(held), referrals, report)
