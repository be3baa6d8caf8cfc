"""What every part of the hub shares: the log, the views that follow it, identity, and access recording."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from events.access import AccessRecorded
from events.base import Actor, DomainEvent
from events.ids import new_stream_id
from events.personal import KeyDestroyed
from events.values import AgencyKind, Role
from hub.kernel import access_tracking as access_tracking
from hub.kernel.application import HubApplication
from hub.kernel.config import Settings
from hub.kernel.errors import InvalidInput, NotFound, Unavailable
from hub.kernel.group_commit import CommitFailed, GroupCommitter
from hub.kernel.identity import (
    ISSUER,
    InvalidToken,
    TokenClaims,
    issue_token,
    load_or_create_signing_key,
    token_issuer,
    verify_token,
)
from hub.kernel.sealed_records import sealing_key
from hub.kernel.subject_keys import FileMasterKeys, SubjectKeyStore, move_keys_from_views
from hub.kernel.token_cache import VerifiedTokens
from policies.access import AccessDecision, Principal
from policies.decision import Citizen
from policies.engine import default_engine
from projections.follower import Follower, View, ViewsBehind
from projections.registry import RegistryQueries, RegistryView
from projections.registry_cache import CachedRegistryQueries
from projections.viewdb import PostgresViewDatabase, Row, SQLiteViewDatabase, ViewDatabase

log = logging.getLogger(__name__)

VIEWS_WAIT_SECONDS = 5.0  # how long a read waits for the views to apply the writes it must see, before a 503


class AccessNotRecorded(Exception):
    """The access event could not be written, so no data may be returned."""


class SuspendedUser(Exception):
    """A valid token of a suspended user."""


def open_view_database(settings: Settings) -> ViewDatabase:
    """The views' tables: rebuilt from the log if lost, so commits do not wait for the disk."""
    if settings.uses_postgres:
        return PostgresViewDatabase(
            settings.postgres_conninfo(), False, settings.pool_views, settings.store_timeout_seconds
        )
    return SQLiteViewDatabase(settings.views_sqlite_path, durable=False)


def open_store_database(settings: Settings) -> ViewDatabase:
    """The store's own database, for what cannot be rebuilt from the log (data keys, the audit tree's checkpoints)."""
    if settings.uses_postgres:
        return PostgresViewDatabase(
            settings.postgres_conninfo(), True, settings.pool_keys, settings.store_timeout_seconds
        )
    return SQLiteViewDatabase(settings.sqlite_path, durable=True)


def _utc_now() -> datetime:
    return datetime.now(UTC)


CITIZEN_ACTOR = "citizen"  # who a signed-in person's own reads are recorded as: never their name or code


def actor_for(principal: Principal | Citizen, role: str) -> Actor:
    if isinstance(principal, Citizen):
        return Actor(user_id=CITIZEN_ACTOR, role=role)
    return Actor(user_id=principal.username, agency_id=principal.agency_id, role=role)


def agency_summary(row: Row) -> dict[str, Any]:
    return {"id": row["id"], "code": row["code"], "name": row["name"], "kind": row["kind"]}


def _principal(user: Row, agency: Row) -> Principal:
    return Principal(
        user_id=UUID(user["id"]),
        username=user["username"],
        agency_id=UUID(agency["id"]),
        agency_kind=AgencyKind(agency["kind"]),
        roles=frozenset(Role(role) for role in user["roles"]),
    )


# Failures one item of a shared commit may cause alone (a key or stream another writer took first, a person erased
# meanwhile): after one, the batch's items are committed one by one.
ONE_ITEM_CONFLICTS: tuple[type[BaseException], ...] = (IntegrityError, KeyDestroyed)


class Core:
    """The event log (write side), the views following it (read side), the signing key and the audit of reads."""

    def __init__(self, settings: Settings, views: list[View]) -> None:
        self.settings = settings
        if not settings.uses_postgres:
            settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        self.app = HubApplication(settings)
        self.views_db = open_view_database(settings)
        self.store_db = open_store_database(settings)
        self.master_keys = FileMasterKeys(settings.key_dir)
        self.subject_keys = SubjectKeyStore(self.store_db, self.master_keys)
        if not settings.uses_postgres:
            move_keys_from_views(self.views_db, self.subject_keys)
        self.app.event_mapper.subjects = self.app.new_keys_recorder.keys = self.subject_keys
        self.registry_view = RegistryView()
        self.follower = Follower(self.app.recorder, self.app.event_mapper, self.views_db, [self.registry_view, *views])
        self.registry_queries: RegistryQueries = CachedRegistryQueries(self.views_db)
        self.signing_key = load_or_create_signing_key(settings.key_dir)
        self.sealing_key = sealing_key(settings.key_dir)
        # Verifies tokens other issuers signed (the identity capability sets it for its OpenID providers).
        self.foreign_tokens: Callable[[str], TokenClaims] | None = None
        self.policy_engine = default_engine()
        self.clock: Callable[[], datetime] = _utc_now
        self.verified_tokens = VerifiedTokens(_utc_now)
        self.access_log: GroupCommitter[AccessRecorded] = GroupCommitter(
            self._append_access_events,
            max_wait=settings.access_batch_wait_ms / 1000,
            name="access-log",
            isolate=ONE_ITEM_CONFLICTS,
        )
        self.shared_appends: GroupCommitter[tuple[DomainEvent, ...]] = GroupCommitter(
            self._append_together,
            max_wait=settings.submission_batch_wait_ms / 1000,
            name="shared-appends",
            isolate=ONE_ITEM_CONFLICTS,
        )
        self.views_wait_seconds = VIEWS_WAIT_SECONDS
        self.follower.catch_up()

    def wait_for_views(self, position: int | None = None) -> None:
        """Before a read that must see writes: wait until the views have applied the log through `position`, by
        default every write acknowledged before now (the log's head, whichever process wrote it).

        If they have not within `views_wait_seconds`, the read is refused with 503 `views_behind`.
        """
        needed = (self.app.recorder.max_notification_id() or 0) if position is None else position
        try:
            self.follower.wait_for(needed, self.views_wait_seconds)
        except ViewsBehind:
            log.warning("the views are behind the log; a read was refused")
            raise Unavailable("views_behind", "the hub is catching up with recent changes; try again shortly") from None

    def known_agency(self, code: str, field: str) -> Row:
        """The registry row of the agency with this code; an unknown code is the caller's input error on `field`."""
        row = self.registry_queries.agency_by_code(code)
        if row is None:
            raise InvalidInput("unknown_agency", f"no agency with code {code!r}", field)
        return row

    def recipient_agency(self, code: str, field: str) -> Row:
        """The registry row of an agency that is to receive something: known, and not closed."""
        row = self.known_agency(code, field)
        if row["closed"]:
            raise InvalidInput("agency_closed", f"the agency {code!r} is closed and receives nothing", field)
        return row

    def now(self) -> datetime:
        """The hub's time: what events are stamped with and clocks are measured against (replaceable in tests)."""
        return self.clock()

    def close(self) -> None:
        self.shared_appends.close()
        self.access_log.close()
        self.follower.stop()
        self.views_db.close()
        self.store_db.close()
        self.app.close()

    def issue_token(self, username: str, ttl: timedelta | None = None) -> str:
        user = self.user_row(username)
        if user is None:
            raise NotFound("unknown_user", f"no user named {username!r}", "user")
        agency = self.registry_queries.agency(UUID(user["agency_id"]))
        assert agency is not None
        lifetime = ttl or timedelta(minutes=self.settings.token_ttl_minutes)
        return issue_token(self.signing_key, username, agency["code"], lifetime)

    def authenticate(self, token: str) -> Principal:
        """Verify a bearer token (the hub's own, or a configured OpenID provider's) and resolve who is calling;
        raises InvalidToken or SuspendedUser (suspended or removed: either way the user may do nothing)."""
        claims = self.verified_tokens.known(token) or self._verify_token(token)
        with self.registry_queries.one_position():
            return self._principal_of(claims)

    def authenticate_known(self, token: str) -> Principal | None:
        """`authenticate` of a token already verified whose user the registry cache holds, without verifying a
        signature or waiting for the views (a read of the registry's position at most); None when it would."""
        claims = self.verified_tokens.known(token)
        if claims is None:
            return None
        with self.registry_queries.one_position():
            if not self.registry_queries.holds_user(claims.username):
                return None
            return self._principal_of(claims)

    def _principal_of(self, claims: TokenClaims) -> Principal:
        """Inside `one_position`: who the claims name, if they may act."""
        user = self.user_row(claims.username)
        if user is None:
            raise InvalidToken("UnknownUser")
        agency = self.registry_queries.agency(UUID(user["agency_id"]))
        if agency is None or agency["code"] != claims.agency_code:
            raise InvalidToken("AgencyMismatch")
        if user["suspended"] or user.get("removed"):
            raise SuspendedUser(claims.username)
        return _principal(user, agency)

    def _verify_token(self, token: str) -> TokenClaims:
        if token_issuer(token) == ISSUER:
            claims = verify_token(self.signing_key.public_key(), token)
            self.verified_tokens.remember(token, claims)
            return claims
        if self.foreign_tokens is not None:
            return self.foreign_tokens(token)
        raise InvalidToken("UnknownIssuer")

    def principal_for(self, username: str) -> Principal:
        """The principal of a registered user (for the command line, which acts as a named user)."""
        user = self.user_row(username)
        if user is None:
            raise NotFound("unknown_user", f"no user named {username!r}", "user")
        agency = self.registry_queries.agency(UUID(user["agency_id"]))
        assert agency is not None
        return _principal(user, agency)

    def user_row(self, username: str) -> Row | None:
        """The registry row of a user (waiting for the views once if the name is not there yet)."""
        user = self.registry_queries.user_by_username(username)
        if user is None:
            self.wait_for_views()
            with self.registry_queries.one_position():  # read afresh, even inside the caller's reading
                user = self.registry_queries.user_by_username(username)
        return user

    def record_access(
        self,
        principal: Principal | Citizen,
        decision: AccessDecision,
        action: str,
        resource: str,
        purpose: str,
        subjects: tuple[UUID, ...] = (),
        also: tuple[DomainEvent, ...] = (),
    ) -> AccessRecorded:
        """Append the access event durably; if it is not durable, raise AccessNotRecorded and return no data.

        A plain access event shares a transaction with concurrent ones (group commit). With `also` (a disclosure
        or review written with it), it is appended on its own, so a conflict there cannot fail other readers.
        """
        event = AccessRecorded(
            originator_id=new_stream_id(),
            originator_version=1,
            timestamp=self.now(),
            actor=actor_for(principal, decision.role),
            action=action,
            resource=resource,
            purpose=purpose,
            subjects=subjects,
            categories=decision.categories,
            decision=decision.decision,
            basis=decision.basis,
            reasons=decision.reasons,
            redacted=decision.redacted,
            policy_hash=decision.policy_hash or self.policy_engine.policy_hash,
            consent_id=decision.consent_id,
            consent_version=decision.consent_version,
            break_glass=decision.break_glass,
        )
        try:
            if also:
                self.app.append(event, *also)
            else:
                self.access_log.submit(event)
        except Exception as error:
            log.error("access event could not be written: %s", type(error).__name__)
            raise AccessNotRecorded from error
        access_tracking.note(event.originator_id)
        return event

    def _append_access_events(self, events: Sequence[AccessRecorded]) -> None:
        self.app.append(*events)

    def append_shared(self, *events: DomainEvent) -> None:
        """Append the events in one transaction shared with concurrent callers' (group commit), returning once they
        are durable. The events are committed together or not at all; a conflict of another caller's events does
        not fail these. Raises what `HubApplication.append` would (IntegrityError on a conflict of these events)."""
        try:
            self.shared_appends.submit(events)
        except CommitFailed as failed:
            cause = failed.__cause__
        else:
            return
        if cause is None:
            raise Unavailable("store_unavailable", "the store did not commit in time; try again shortly")
        raise cause  # outside the handler, so the error keeps its own cause and context

    def _append_together(self, items: Sequence[tuple[DomainEvent, ...]]) -> None:
        self.app.append(*(event for events in items for event in events))
