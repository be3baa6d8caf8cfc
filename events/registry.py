"""Registry stream: agencies and the users who act inside them, and every administrative change to them.

Each change carries its `actor` (the administrator who made it, or the console operator), so the auditor's replay
shows who changed the registry and when (`ADMINISTRATION_EVENTS`).
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from events.base import DomainEvent
from events.values import AgencyKind, Role


def agency_id_for(code: str) -> UUID:
    """Agencies have stable ids derived from their registry code."""
    return uuid5(NAMESPACE_URL, f"hub:agency:{code}")


def user_id_for(username: str) -> UUID:
    """Users have stable ids derived from their sign-in name."""
    return uuid5(NAMESPACE_URL, f"hub:user:{username}")


class AgencyRegistered(DomainEvent):
    code: str
    name: str
    kind: AgencyKind
    municipality: str | None


class AgencyRenamed(DomainEvent):
    name: str


class AgencyClosed(DomainEvent):
    """The agency takes part no more: nothing is routed to it and it has no active users (both checked first)."""

    reason: str


class UserRegistered(DomainEvent):
    """`idp_issuer`: the identity provider (OpenID Connect issuer URL) the user signs in through, if any."""

    username: str
    display_name: str
    agency_id: UUID
    roles: tuple[Role, ...]
    idp_issuer: str | None = None


class UserRolesChanged(DomainEvent):
    roles: tuple[Role, ...]


class UserMoved(DomainEvent):
    """The user now works in another agency (with these roles); the events before stay in the user's history."""

    from_agency_id: UUID
    agency_id: UUID
    roles: tuple[Role, ...]


class UserRenamed(DomainEvent):
    """The name shown for the user from now on (the username stays)."""

    display_name: str


class UserIdentityProviderSet(DomainEvent):
    """The identity provider the user signs in through from now on (`None`: hub tokens only)."""

    idp_issuer: str | None


class UserSuspended(DomainEvent):
    reason: str


class UserReinstated(DomainEvent):
    pass


class UserRemoved(DomainEvent):
    """The user no longer has access, for good; the username stays bound to this history and is not reused."""

    reason: str


class AgencyKeyRegistered(DomainEvent):
    """An agency system's Ed25519 public key (raw 32 bytes, base64) for the messages it signs."""

    key_id: str
    public_key: str


class WebhookRegistered(DomainEvent):
    """Where the hub delivers an agency's outbound messages when it has no Kafka (replaces any earlier URL)."""

    url: str


class WebhookRemoved(DomainEvent):
    """The agency's webhook is switched off: no new deliveries, and queued ones fail with `no_webhook`."""


# The administrative changes the auditor's replay shows, with who made them.
ADMINISTRATION_EVENTS: tuple[type[DomainEvent], ...] = (
    AgencyRegistered,
    AgencyRenamed,
    AgencyClosed,
    UserRegistered,
    UserRolesChanged,
    UserMoved,
    UserRenamed,
    UserIdentityProviderSet,
    UserSuspended,
    UserReinstated,
    UserRemoved,
    AgencyKeyRegistered,
    WebhookRegistered,
    WebhookRemoved,
)
