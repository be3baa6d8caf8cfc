"""Agency and user aggregates of the registry."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import singledispatch
from uuid import UUID

from events.base import DomainEvent
from events.registry import (
    AgencyKeyRegistered,
    AgencyRegistered,
    UserRegistered,
    UserReinstated,
    UserSuspended,
    WebhookRegistered,
    WebhookRemoved,
)
from events.values import AgencyKind, Role


@dataclass(frozen=True)
class Agency:
    id: UUID
    version: int
    code: str
    name: str
    kind: AgencyKind
    municipality: str | None
    public_keys: tuple[tuple[str, str], ...] = ()  # (key id, base64 Ed25519 public key), oldest first
    webhook_url: str | None = None


@dataclass(frozen=True)
class User:
    id: UUID
    version: int
    username: str
    display_name: str
    agency_id: UUID
    roles: frozenset[Role]
    suspended: bool = False


@singledispatch
def mutate_agency(event: DomainEvent, agency: Agency | None) -> Agency | None:
    raise TypeError(f"not an agency event: {type(event).__name__}")


@mutate_agency.register
def _(event: AgencyRegistered, _: Agency | None) -> Agency:
    return Agency(
        id=event.originator_id,
        version=event.originator_version,
        code=event.code,
        name=event.name,
        kind=event.kind,
        municipality=event.municipality,
    )


@mutate_agency.register
def _(event: AgencyKeyRegistered, agency: Agency | None) -> Agency:
    assert agency is not None
    return replace(
        agency, version=event.originator_version, public_keys=(*agency.public_keys, (event.key_id, event.public_key))
    )


@mutate_agency.register
def _(event: WebhookRegistered, agency: Agency | None) -> Agency:
    assert agency is not None
    return replace(agency, version=event.originator_version, webhook_url=event.url)


@mutate_agency.register
def _(event: WebhookRemoved, agency: Agency | None) -> Agency:
    assert agency is not None
    return replace(agency, version=event.originator_version, webhook_url=None)


def project_agency(agency: Agency | None, events: Iterable[DomainEvent]) -> Agency | None:
    for event in events:
        agency = mutate_agency(event, agency)
    return agency


@singledispatch
def mutate_user(event: DomainEvent, user: User | None) -> User | None:
    raise TypeError(f"not a user event: {type(event).__name__}")


@mutate_user.register
def _(event: UserRegistered, _: User | None) -> User:
    return User(
        id=event.originator_id,
        version=event.originator_version,
        username=event.username,
        display_name=event.display_name,
        agency_id=event.agency_id,
        roles=frozenset(event.roles),
    )


@mutate_user.register
def _(event: UserSuspended, user: User | None) -> User:
    assert user is not None
    return replace(user, version=event.originator_version, suspended=True)


@mutate_user.register
def _(event: UserReinstated, user: User | None) -> User:
    assert user is not None
    return replace(user, version=event.originator_version, suspended=False)


def project_user(user: User | None, events: Iterable[DomainEvent]) -> User | None:
    for event in events:
        user = mutate_user(event, user)
    return user
