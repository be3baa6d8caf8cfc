"""Administration of the registry: agencies registered, renamed and closed; users registered, renamed, given roles,
moved, suspended, reinstated and removed; the first registry administrator named (bootstrap).

Every change is an event in the log with its actor, decided by `policies/registry.cedar` (a registry administrator
anywhere; an agency administrator for its own agency's users only); a refusal is an access record. `actor=None` is
the console operator on the hub's own machine (`hub ...` without `--as`), who is not asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from events.base import Actor, DomainEvent
from events.registry import (
    AgencyClosed,
    AgencyRegistered,
    AgencyRenamed,
    UserIdentityProviderSet,
    UserMoved,
    UserRegistered,
    UserReinstated,
    UserRemoved,
    UserRenamed,
    UserRolesChanged,
    UserSuspended,
    agency_id_for,
    user_id_for,
)
from events.values import Role
from hub.kernel.core import Core, actor_for
from hub.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from hub.registry.domain import (
    Agency,
    AgencyDraft,
    BootstrapDraft,
    IdentityProviderDraft,
    MoveDraft,
    ReasonDraft,
    RenameDraft,
    RolesDraft,
    User,
    UserDraft,
    UserRenameDraft,
)
from policies import roles as role_rules
from policies.decision import Principal
from policies.engine import AgencyFacts, RegistryAction, RegistryRequest
from projections.agency_work import open_work
from projections.viewdb import Row

CONSOLE = Actor(user_id="console", role="operator")
PURPOSE = "registry administration"


def agency_document(agency: Agency | Row) -> dict[str, Any]:
    if isinstance(agency, Agency):
        return {
            "id": str(agency.id),
            "code": agency.code,
            "name": agency.name,
            "kind": agency.kind.value,
            "municipality": agency.municipality,
            "closed": agency.closed,
        }
    return {key: agency[key] for key in ("id", "code", "name", "kind", "municipality", "closed")}


def user_document(row: Row) -> dict[str, Any]:
    status = "removed" if row["removed"] else "suspended" if row["suspended"] else "active"
    return {
        "id": row["id"],
        "username": row["username"],
        "display_name": row["display_name"],
        "agency": row["agency_code"],
        "roles": row["roles"],
        "status": status,
        "idp_issuer": row["idp_issuer"],
    }


def check_roles(agency: Agency, user_roles: frozenset[Role], field: str = "roles", allow_none: bool = False) -> None:
    """A user needs a role (unless provisioned through SCIM, where groups give them later), and only roles an
    agency of its kind may give (`policies/roles.py`)."""
    if not user_roles and not allow_none:
        raise InvalidInput("no_roles", "a user needs at least one role", field)
    refused = role_rules.roles_not_allowed(agency.kind, user_roles)
    if refused:
        names = ", ".join(sorted(refused))
        raise InvalidInput(
            "role_not_allowed_for_kind", f"an agency of kind {agency.kind.value} does not give the roles {names}", field
        )


class RegistryAdminService:
    def __init__(self, core: Core) -> None:
        self.core = core

    # -- reading the aggregates -------------------------------------------------------------------------------------

    def agency(self, code: str, field: str = "agency") -> Agency:
        agency_id = agency_id_for(code)
        if not self.core.app.exists(agency_id):
            raise NotFound("unknown_agency", f"no agency with code {code!r}", field)
        return self.core.app.agency(agency_id)

    def user(self, username: str) -> User:
        user_id = user_id_for(username)
        if not self.core.app.exists(user_id):
            raise NotFound("unknown_user", f"no user named {username!r}", "username")
        return self.core.app.user(user_id)

    def user_by_id(self, user_id: UUID) -> User:
        if not self.core.app.exists(user_id):
            raise NotFound("unknown_user", "no such user", "id")
        return self.core.app.user(user_id)

    # -- deciding ---------------------------------------------------------------------------------------------------

    def authorize(
        self,
        actor: Principal | None,
        action: RegistryAction,
        agency_id: UUID,
        agency_kind: Any,
        grants: frozenset[Role] = frozenset(),
    ) -> Actor:
        """The actor to record on the change, if the policy permits it; otherwise the refusal is recorded (403)."""
        if actor is None:
            return CONSOLE
        request = RegistryRequest(actor, action, AgencyFacts(agency_id, agency_kind), grants)
        decision = self.core.policy_engine.decide_registry(request)
        if not decision.permitted:
            self.core.record_access(actor, decision, f"registry.{action.value}", f"agency:{agency_id}", PURPOSE)
            raise Forbidden("access_denied", "; ".join(decision.reasons))
        return actor_for(actor, decision.role)

    def may(
        self,
        actor: Principal,
        action: RegistryAction,
        agency_id: UUID,
        agency_kind: Any,
        grants: frozenset[Role] = frozenset(),
    ) -> bool:
        request = RegistryRequest(actor, action, AgencyFacts(agency_id, agency_kind), grants)
        return self.core.policy_engine.decide_registry(request).permitted

    @staticmethod
    def actor_of(actor: Principal | None) -> Actor:
        """Who a change is recorded as made by: the administrator under their administrative role, or the console."""
        if actor is None:
            return CONSOLE
        role = role_rules.admin_role(actor.roles)
        return actor_for(actor, role.value if role else "none")

    def _change(self, user: User, who: Actor, kind: type[DomainEvent], **fields: Any) -> None:
        """Commit the user's next event of this kind (their stream's next version)."""
        self._commit(kind(originator_id=user.id, originator_version=user.version + 1, actor=who, **fields))

    def _commit(self, *events: DomainEvent) -> None:
        """Append the change; another administrator's change to the same agency or user since it was read is a 409
        (nothing is appended: the store refuses a version already taken)."""
        try:
            position = self.core.app.append(*events)
        except IntegrityError:
            raise Conflict(
                "concurrent_change", "someone else changed this at the same moment: reload and try again"
            ) from None
        self.core.wait_for_views(position)

    # -- agencies ---------------------------------------------------------------------------------------------------

    def add_agency(self, actor: Principal | None, draft: AgencyDraft) -> dict[str, Any]:
        agency_id = agency_id_for(draft.code)
        who = self.authorize(actor, RegistryAction.MANAGE_AGENCIES, agency_id, draft.kind)
        if self.core.app.exists(agency_id):
            raise Conflict("agency_code_taken", f"an agency with code {draft.code!r} is already registered", "code")
        self._commit(self.agency_registered(draft, who))
        return agency_document(self.core.app.agency(agency_id))

    @staticmethod
    def agency_registered(draft: AgencyDraft, who: Actor) -> AgencyRegistered:
        return AgencyRegistered(
            originator_id=agency_id_for(draft.code),
            originator_version=1,
            actor=who,
            code=draft.code,
            name=draft.name,
            kind=draft.kind,
            municipality=draft.municipality,
        )

    def rename_agency(self, actor: Principal | None, code: str, draft: RenameDraft) -> dict[str, Any]:
        agency = self._open_agency(code)
        who = self.authorize(actor, RegistryAction.MANAGE_AGENCIES, agency.id, agency.kind)
        if agency.name != draft.name:
            self._commit(
                AgencyRenamed(
                    originator_id=agency.id, originator_version=agency.version + 1, actor=who, name=draft.name
                )
            )
        return agency_document(self.core.app.agency(agency.id))

    def close_agency(self, actor: Principal | None, code: str, draft: ReasonDraft) -> dict[str, Any]:
        """Close an agency that has nothing open and nobody active (else 409 saying what is left)."""
        agency = self._open_agency(code)
        who = self.authorize(actor, RegistryAction.MANAGE_AGENCIES, agency.id, agency.kind)
        self.core.wait_for_views()
        work = open_work(self.core.views_db, self.core.follower.views, agency.id)
        if work:
            left = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in work.items())
            raise Conflict("agency_has_open_work", f"the agency still has open work: {left}")
        active = self.core.registry_queries.active_users(agency.id)
        if active:
            raise Conflict(
                "agency_has_active_users", f"the agency still has {active} active users: move or remove them first"
            )
        self._commit(
            AgencyClosed(originator_id=agency.id, originator_version=agency.version + 1, actor=who, reason=draft.reason)
        )
        return agency_document(self.core.app.agency(agency.id))

    def _open_agency(self, code: str, field: str = "agency") -> Agency:
        agency = self.agency(code, field)
        if agency.closed:
            raise Conflict("agency_closed", f"agency {code!r} is closed", field)
        return agency

    def list_agencies(self, actor: Principal) -> list[dict[str, Any]]:
        """Every agency for a registry administrator; an agency administrator's own agency only."""
        self.core.wait_for_views()
        if self.may(actor, RegistryAction.MANAGE_AGENCIES, actor.agency_id, actor.agency_kind):
            return [agency_document(row) for row in self.core.registry_queries.agencies(include_closed=True)]
        self.authorize(actor, RegistryAction.MANAGE_USERS, actor.agency_id, actor.agency_kind)
        return [agency_document(self.core.app.agency(actor.agency_id))]

    # -- users ------------------------------------------------------------------------------------------------------

    def add_user(self, actor: Principal | None, draft: UserDraft, allow_no_roles: bool = False) -> dict[str, Any]:
        agency = self._open_agency(draft.agency)
        who = self.authorize(actor, RegistryAction.MANAGE_USERS, agency.id, agency.kind, draft.roles)
        check_roles(agency, draft.roles, allow_none=allow_no_roles)
        if self.core.app.exists(user_id_for(draft.username)):
            raise Conflict("username_taken", f"the username {draft.username!r} is taken", "username")
        self._commit(self.user_registered(draft, agency.id, who))
        return self.user_summary(draft.username)

    @staticmethod
    def user_registered(draft: UserDraft, agency_id: UUID, who: Actor) -> UserRegistered:
        return UserRegistered(
            originator_id=user_id_for(draft.username),
            originator_version=1,
            actor=who,
            username=draft.username,
            display_name=draft.display_name,
            agency_id=agency_id,
            roles=tuple(sorted(draft.roles)),
            idp_issuer=draft.idp_issuer,
        )

    def user_summary(self, username: str) -> dict[str, Any]:
        [row] = [row for row in self.core.registry_queries.users() if row["username"] == username]
        return user_document(row)

    def _managed_user(
        self, actor: Principal | None, username: str, roles_after: frozenset[Role] | None = None
    ) -> tuple[User, Agency, Actor]:
        """The user (not removed), their agency and the actor to record, if the actor may manage them.

        The policy is told which roles the change gives or takes away, and a registry administrator's own roles:
        only a registry administrator changes anything about one.
        """
        user = self.user(username)
        agency = self.core.app.agency(user.agency_id)
        changed = user.roles ^ roles_after if roles_after is not None else frozenset()
        grants = changed | (user.roles & {Role.REGISTRY_ADMIN})
        who = self.authorize(actor, RegistryAction.MANAGE_USERS, agency.id, agency.kind, grants)
        if user.removed:
            raise Conflict("user_removed", f"{username!r} was removed", "username")
        return user, agency, who

    def _keep_a_registry_admin(self, user: User, roles_after: frozenset[Role] | None) -> None:
        """Refuse a change that would leave the registry without an active registry administrator."""
        if Role.REGISTRY_ADMIN not in user.roles or not user.active:
            return
        if roles_after is not None and Role.REGISTRY_ADMIN in roles_after:
            return
        self.core.wait_for_views()
        if self.core.registry_queries.active_registry_admins() == [user.username]:
            raise Conflict(
                "last_registry_admin", "this is the registry's last active administrator: name another one first"
            )

    def change_roles(
        self, actor: Principal | None, username: str, draft: RolesDraft, allow_no_roles: bool = False
    ) -> dict[str, Any]:
        user, agency, who = self._managed_user(actor, username, draft.roles)
        check_roles(agency, draft.roles, allow_none=allow_no_roles)
        self._keep_a_registry_admin(user, draft.roles)
        if user.roles != draft.roles:
            self._change(user, who, UserRolesChanged, roles=tuple(sorted(draft.roles)))
        return self.user_summary(username)

    def move_user(self, actor: Principal | None, username: str, draft: MoveDraft) -> dict[str, Any]:
        """Move a user to another agency: the policy must permit managing users of both agencies."""
        user = self.user(username)
        roles_after = user.roles if draft.roles is None else draft.roles
        user, source, who = self._managed_user(actor, username)
        target = self._open_agency(draft.agency)
        self.authorize(actor, RegistryAction.MANAGE_USERS, target.id, target.kind, roles_after)
        check_roles(target, roles_after)
        if target.id == source.id:
            raise Conflict("same_agency", f"{username!r} already works in {target.code}", "agency")
        self._keep_a_registry_admin(user, roles_after)
        self._commit(
            UserMoved(
                originator_id=user.id,
                originator_version=user.version + 1,
                actor=who,
                from_agency_id=source.id,
                agency_id=target.id,
                roles=tuple(sorted(roles_after)),
            )
        )
        return self.user_summary(username)

    def rename_user(self, actor: Principal | None, username: str, draft: UserRenameDraft) -> dict[str, Any]:
        """Change the name shown for a user (the username, roles and history stay)."""
        user, _, who = self._managed_user(actor, username)
        if user.display_name != draft.display_name:
            self._change(user, who, UserRenamed, display_name=draft.display_name)
        return self.user_summary(username)

    def set_identity_provider(
        self, actor: Principal | None, username: str, draft: IdentityProviderDraft
    ) -> dict[str, Any]:
        user, _, who = self._managed_user(actor, username)
        if user.idp_issuer != draft.idp_issuer:
            self._change(user, who, UserIdentityProviderSet, idp_issuer=draft.idp_issuer)
        return self.user_summary(username)

    def suspend(self, actor: Principal | None, username: str, draft: ReasonDraft) -> dict[str, Any]:
        """Suspend a user: their tokens are refused from the moment this returns."""
        user, _, who = self._managed_user(actor, username)
        if not user.suspended:
            self._keep_a_registry_admin(user, frozenset())
            self._commit(
                UserSuspended(
                    originator_id=user.id, originator_version=user.version + 1, actor=who, reason=draft.reason
                )
            )
        return self.user_summary(username)

    def reinstate(self, actor: Principal | None, username: str) -> dict[str, Any]:
        user, _, who = self._managed_user(actor, username)
        if user.suspended:
            self._commit(UserReinstated(originator_id=user.id, originator_version=user.version + 1, actor=who))
        return self.user_summary(username)

    def remove(self, actor: Principal | None, username: str, draft: ReasonDraft) -> dict[str, Any]:
        """Remove a user for good: their tokens are refused at once; the username is never given to anyone else."""
        user, _, who = self._managed_user(actor, username)
        self._keep_a_registry_admin(user, frozenset())
        self._commit(
            UserRemoved(originator_id=user.id, originator_version=user.version + 1, actor=who, reason=draft.reason)
        )
        return self.user_summary(username)

    def list_users(self, actor: Principal, agency_code: str | None = None) -> list[dict[str, Any]]:
        """Users of one agency (an agency administrator: their own by default), or of all for the registry's."""
        self.core.wait_for_views()
        if agency_code is None:
            if self.may(actor, RegistryAction.MANAGE_AGENCIES, actor.agency_id, actor.agency_kind):
                return [user_document(row) for row in self.core.registry_queries.users()]
            agency = self.core.app.agency(actor.agency_id)
        else:
            agency = self.agency(agency_code)
        self.authorize(actor, RegistryAction.MANAGE_USERS, agency.id, agency.kind)
        return [user_document(row) for row in self.core.registry_queries.users(agency.id)]

    # -- setting up -------------------------------------------------------------------------------------------------

    def bootstrapped(self) -> bool:
        """Whether the registry has an active registry administrator (else the hub serves nobody yet)."""
        return bool(self.core.registry_queries.active_registry_admins())

    def bootstrap(self, draft: BootstrapDraft) -> dict[str, Any]:
        """Name the first registry administrator (with their agency, registered here if new), once."""
        self.core.wait_for_views()
        if self.bootstrapped():
            raise Conflict("already_bootstrapped", "the registry already has an administrator")
        grants = frozenset({Role.REGISTRY_ADMIN})
        events: list[DomainEvent] = []
        agency_id = agency_id_for(draft.agency.code)
        if self.core.app.exists(agency_id):
            agency = self._open_agency(draft.agency.code, "agency.code")
        else:
            event = self.agency_registered(draft.agency, CONSOLE)
            events.append(event)
            agency = Agency(agency_id, 1, event.code, event.name, event.kind, event.municipality)
        check_roles(agency, grants, "agency.kind")
        if self.core.app.exists(user_id_for(draft.username)):
            raise Conflict("username_taken", f"the username {draft.username!r} is taken", "username")
        user = UserDraft(
            username=draft.username,
            display_name=draft.display_name,
            agency=draft.agency.code,
            roles=grants,
            idp_issuer=draft.idp_issuer,
        )
        events.append(self.user_registered(user, agency_id, CONSOLE))
        self._commit(*events)
        return self.user_summary(draft.username)

    def commit_import(self, events: Sequence[DomainEvent]) -> None:
        """Append a checked import's events in one transaction (all or nothing)."""
        if events:
            self._commit(*events)
