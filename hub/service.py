"""The hub's application service: commands, authenticated and authorized reads, each read audited."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from events.access import AccessRecorded
from events.base import Actor
from events.registry import (
    AgencyRegistered,
    UserRegistered,
    UserReinstated,
    UserSuspended,
    agency_id_for,
    user_id_for,
)
from events.values import AgencyKind, DataCategory, Decision, Role
from hub.application import HubApplication
from hub.config import Settings
from hub.domain.errors import Forbidden, InvalidInput, NotFound
from hub.domain.referral import Referral, ReferralDraft, submit_referral
from hub.identity import InvalidToken, issue_token, load_or_create_signing_key, verify_token
from policies import access, roles, routing
from policies.access import AccessDecision, Principal, ReferralResource
from projections.follower import Follower
from projections.referrals import ReferralQueries, ReferralView
from projections.registry import RegistryQueries, RegistryView
from projections.viewdb import PostgresViewDatabase, Row, SQLiteViewDatabase, ViewDatabase

log = logging.getLogger(__name__)


class AccessNotRecorded(Exception):
    """The access event could not be written, so no data may be returned."""


class SuspendedUser(Exception):
    """A valid token of a suspended user (or of a user of a suspended agency)."""


@dataclass(frozen=True)
class InboxPage:
    items: list[dict[str, Any]]
    next_cursor: int | None


def open_view_database(settings: Settings) -> ViewDatabase:
    if settings.uses_postgres:
        return PostgresViewDatabase(settings.postgres_conninfo())
    settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    return SQLiteViewDatabase(settings.views_sqlite_path)


def _actor(principal: Principal, role: str) -> Actor:
    return Actor(user_id=principal.username, agency_id=principal.agency_id, role=role)


def _agency_summary(row: Row) -> dict[str, Any]:
    return {"id": row["id"], "code": row["code"], "name": row["name"], "kind": row["kind"]}


class Hub:
    """Everything the API, the CLI and the adapters call; nothing else appends to the log."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        if not settings.uses_postgres:
            settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        self.app = HubApplication(settings)
        self.views_db = open_view_database(settings)
        self.registry_view = RegistryView()
        self.referral_view = ReferralView()
        self.follower = Follower(
            self.app.recorder, self.app.mapper, self.views_db, [self.registry_view, self.referral_view]
        )
        self.registry = RegistryQueries(self.views_db)
        self.referrals = ReferralQueries(self.views_db)
        self.signing_key = load_or_create_signing_key(settings.key_dir)
        self.follower.catch_up()

    def close(self) -> None:
        self.follower.stop()
        self.views_db.close()
        self.app.close()

    # Identity -----------------------------------------------------------------------------------

    def issue_token(self, username: str, ttl: timedelta | None = None) -> str:
        user = self._user_row(username)
        if user is None:
            raise NotFound("unknown_user", f"no user named {username!r}", "user")
        agency = self.registry.agency(UUID(user["agency_id"]))
        assert agency is not None
        lifetime = ttl or timedelta(minutes=self.settings.token_ttl_minutes)
        return issue_token(self.signing_key, username, agency["code"], lifetime)

    def authenticate(self, token: str) -> Principal:
        """Verify a bearer token and resolve who is calling; raises InvalidToken or SuspendedUser."""
        claims = verify_token(self.signing_key.public_key(), token)
        user = self._user_row(claims.username)
        if user is None:
            raise InvalidToken("UnknownUser")
        agency = self.registry.agency(UUID(user["agency_id"]))
        if agency is None or agency["code"] != claims.agency_code:
            raise InvalidToken("AgencyMismatch")
        if user["suspended"]:
            raise SuspendedUser(claims.username)
        return Principal(
            user_id=UUID(user["id"]),
            username=user["username"],
            agency_id=UUID(agency["id"]),
            agency_kind=AgencyKind(agency["kind"]),
            roles=frozenset(Role(role) for role in user["roles"]),
        )

    def _user_row(self, username: str) -> Row | None:
        user = self.registry.user_by_username(username)
        if user is None:
            self.follower.catch_up()
            user = self.registry.user_by_username(username)
        return user

    # Registry commands ----------------------------------------------------------------------------

    def register_agency(self, code: str, name: str, kind: AgencyKind, municipality: str | None) -> UUID:
        """Register an agency once; registering the same code again changes nothing."""
        agency_id = agency_id_for(code)
        if not self.app.exists(agency_id):
            self.app.append(
                AgencyRegistered(
                    originator_id=agency_id,
                    originator_version=1,
                    code=code,
                    name=name,
                    kind=kind,
                    municipality=municipality,
                )
            )
        return agency_id

    def register_user(self, username: str, display_name: str, agency_code: str, user_roles: list[Role]) -> UUID:
        """Register a user once inside an agency; registering the same username again changes nothing."""
        agency_id = agency_id_for(agency_code)
        if not self.app.exists(agency_id):
            raise NotFound("unknown_agency", f"no agency with code {agency_code!r}", "agency")
        user_id = user_id_for(username)
        if not self.app.exists(user_id):
            self.app.append(
                UserRegistered(
                    originator_id=user_id,
                    originator_version=1,
                    username=username,
                    display_name=display_name,
                    agency_id=agency_id,
                    roles=tuple(user_roles),
                )
            )
        return user_id

    def set_user_suspended(self, username: str, suspended: bool, reason: str = "") -> None:
        user_id = user_id_for(username)
        if not self.app.exists(user_id):
            raise NotFound("unknown_user", f"no user named {username!r}", "user")
        user = self.app.user(user_id)
        if user.suspended == suspended:
            return
        version = user.version + 1
        event = (
            UserSuspended(originator_id=user_id, originator_version=version, reason=reason)
            if suspended
            else UserReinstated(originator_id=user_id, originator_version=version)
        )
        self.app.append(event)
        self.follower.catch_up()

    # Referrals ----------------------------------------------------------------------------------

    def submit_referral(self, principal: Principal, draft: ReferralDraft) -> dict[str, Any]:
        if not roles.may_submit_referrals(principal.roles):
            raise Forbidden("role_may_not_submit", "none of the caller's roles may submit referrals")
        submitting_role = sorted(principal.roles & roles.REFERRAL_SUBMITTING_ROLES)[0]
        recipients = self._route(draft)
        event = submit_referral(
            draft,
            _actor(principal, submitting_role),
            tuple(UUID(row["id"]) for row in recipients),
            routing.ROUTING_VERSION,
        )
        self.app.append(event)
        return {
            "id": str(event.originator_id),
            "status": "submitted",
            "routed_to": [_agency_summary(row) for row in recipients],
        }

    def _route(self, draft: ReferralDraft) -> list[Row]:
        municipality = draft.child.municipality
        recipients: list[Row] = []
        for kind in routing.recipient_kinds(draft.concerns, draft.urgency):
            national = kind in routing.NATIONAL_KINDS
            found = self.registry.agencies_of_kind(kind.value, None if national else municipality)
            if kind is AgencyKind.SOCIAL_SERVICE and not found:
                raise InvalidInput(
                    "no_social_service",
                    "no social service is registered for the child's municipality",
                    "child.municipality",
                )
            if not found:
                log.warning("no %s registered to route to", kind.value)
            recipients.extend(found)
        return recipients

    # Audited reads ------------------------------------------------------------------------------

    def record_access(
        self,
        principal: Principal,
        decision: AccessDecision,
        action: str,
        resource: str,
        purpose: str,
        subjects: tuple[UUID, ...] = (),
    ) -> None:
        """Append the access event; if it cannot be written, the caller must not return data."""
        event = AccessRecorded(
            originator_id=uuid4(),
            originator_version=1,
            actor=_actor(principal, decision.role),
            action=action,
            resource=resource,
            purpose=purpose,
            subjects=subjects,
            categories=decision.categories,
            decision=decision.decision,
            basis=decision.basis,
            reasons=decision.reasons,
        )
        try:
            self.app.append(event)
        except Exception as error:
            log.error("access event could not be written: %s", type(error).__name__)
            raise AccessNotRecorded from error

    def inbox(self, principal: Principal, limit: int, before: int | None, purpose: str) -> InboxPage:
        decision = access.decide_inbox_read(principal)
        resource = f"inbox:{principal.agency_id}"
        if not decision.permitted:
            self.record_access(principal, decision, "inbox.read", resource, purpose)
            raise Forbidden("access_denied", "; ".join(decision.reasons))
        self.follower.catch_up()
        rows = self.referrals.inbox(principal.agency_id, limit, before)
        referrals = [self.app.referral(UUID(row["id"])) for row in rows]
        subjects = tuple(subject for referral in referrals for subject in referral.subject_ids)
        self.record_access(principal, decision, "inbox.read", resource, purpose, subjects)
        agencies = {row["id"]: row for row in self.registry.agencies()}
        items = [
            {
                "id": row["id"],
                "submitted_at": row["submitted_at"],
                "status": row["status"],
                "urgency": row["urgency"],
                "concerns": referral.concerns,
                "municipality": row["municipality"],
                "referrer": _agency_summary(agencies[row["referrer_agency_id"]]),
                "child": {
                    "given_name": referral.child.given_name,
                    "family_name": referral.child.family_name,
                    "birth_date": referral.child.birth_date,
                },
            }
            for row, referral in zip(rows, referrals, strict=True)
        ]
        next_cursor = int(rows[-1]["seq"]) if len(rows) == limit else None
        return InboxPage(items=items, next_cursor=next_cursor)

    def read_referral(self, principal: Principal, referral_id: UUID, purpose: str) -> dict[str, Any]:
        resource = f"referral:{referral_id}"
        self.follower.catch_up()
        envelope = self.referrals.envelope(referral_id)
        if envelope is None:
            denial = AccessDecision(Decision.DENY, access.acting_role(principal), None, (), ("no such referral",))
            self.record_access(principal, denial, "referral.read", resource, purpose)
            raise NotFound("referral_not_found", "no referral with this id is visible to the caller")
        decision = access.decide_referral_read(
            principal,
            ReferralResource(
                referral_id=referral_id,
                referrer_agency_id=UUID(envelope["referrer_agency_id"]),
                recipients=frozenset(UUID(agency_id) for agency_id in envelope["recipients"]),
            ),
        )
        referral = self.app.referral(referral_id)
        if not decision.permitted:
            self.record_access(principal, decision, "referral.read", resource, purpose, referral.subject_ids)
            if principal.agency_id in referral.recipients:
                raise Forbidden("access_denied", "; ".join(decision.reasons))
            raise NotFound("referral_not_found", "no referral with this id is visible to the caller")
        self.record_access(principal, decision, "referral.read", resource, purpose, referral.subject_ids)
        return present_referral(referral, envelope, decision, self.registry)


def present_referral(
    referral: Referral, envelope: Row, decision: AccessDecision, registry: RegistryQueries
) -> dict[str, Any]:
    """Shape a referral for a reader: only the data categories the decision allows."""
    recipients = [registry.agency(agency_id) for agency_id in referral.recipients]
    document: dict[str, Any] = {
        "id": str(referral.id),
        "status": envelope["status"],
        "submitted_at": referral.submitted_at,
        "routed_to": [_agency_summary(row) for row in recipients if row is not None],
    }
    allowed = set(decision.categories)
    if DataCategory.REFERRAL_CONTENT in allowed:
        document |= {
            "urgency": referral.urgency,
            "concerns": referral.concerns,
            "summary": referral.summary,
        }
    if DataCategory.IDENTITY in allowed:
        document |= {
            "child": referral.child.model_dump(exclude={"relationship"}),
            "family": [member.model_dump(exclude={"birth_date"}) for member in referral.family],
        }
    return document
