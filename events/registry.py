"""Registry stream: agencies and the users who act inside them."""

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


class UserRegistered(DomainEvent):
    username: str
    display_name: str
    agency_id: UUID
    roles: tuple[Role, ...]


class UserSuspended(DomainEvent):
    reason: str


class UserReinstated(DomainEvent):
    pass


class AgencyKeyRegistered(DomainEvent):
    """An agency system's Ed25519 public key (raw 32 bytes, base64) for the messages it signs."""

    key_id: str
    public_key: str


class WebhookRegistered(DomainEvent):
    """Where the hub delivers an agency's outbound messages when it has no Kafka (replaces any earlier URL)."""

    url: str


class WebhookRemoved(DomainEvent):
    """The agency's webhook is switched off: no new deliveries, and queued ones fail with `no_webhook`."""
