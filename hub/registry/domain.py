"""Agency and user aggregates of the registry, and the drafts administrators submit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import singledispatch
from typing import Annotated
from urllib.parse import urlsplit
from uuid import UUID

from pydantic import AfterValidator, StringConstraints

from events.base import DomainEvent
from events.registry import (
    AgencyClosed,
    AgencyKeyRegistered,
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
    WebhookRegistered,
    WebhookRemoved,
)
from events.values import MUNICIPALITIES, AgencyKind, Role
from hub.kernel.drafts import DraftModel

AgencyCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z0-9][A-Z0-9-]{0,29}$", strict=True)]
Username = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$", strict=True)]
AgencyName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, strict=True)]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, strict=True)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500, strict=True)]


def _known_municipality(value: str | None) -> str | None:
    if value is not None and value not in MUNICIPALITIES:
        raise ValueError("not one of Latvia's 43 municipalities")
    return value


def _issuer_url(value: str | None) -> str | None:
    """An OpenID Connect issuer: an https URL without query or fragment (plain http only on this machine)."""
    if value is None or value == "":
        return None
    parts = urlsplit(value)
    local = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if len(value) > 500 or not parts.hostname or parts.query or parts.fragment:
        raise ValueError("an identity provider is named by its issuer URL (https, no query or fragment)")
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise ValueError("an identity provider's issuer URL uses https")
    return value


Municipality = Annotated[str | None, AfterValidator(_known_municipality)]
IssuerUrl = Annotated[str | None, AfterValidator(_issuer_url)]


class AgencyDraft(DraftModel):
    code: AgencyCode
    name: AgencyName
    kind: AgencyKind
    municipality: Municipality = None


class UserDraft(DraftModel):
    username: Username
    display_name: DisplayName
    agency: AgencyCode
    roles: frozenset[Role]
    idp_issuer: IssuerUrl = None


class RenameDraft(DraftModel):
    name: AgencyName


class UserRenameDraft(DraftModel):
    display_name: DisplayName


class ReasonDraft(DraftModel):
    reason: Reason


class RolesDraft(DraftModel):
    roles: frozenset[Role]


class MoveDraft(DraftModel):
    """Move to `agency`; `roles` in the new agency (none given: the user keeps the roles they have)."""

    agency: AgencyCode
    roles: frozenset[Role] | None = None


class IdentityProviderDraft(DraftModel):
    idp_issuer: IssuerUrl = None


class BootstrapDraft(DraftModel):
    """The first registry administrator, with the national body they work in."""

    agency: AgencyDraft
    username: Username
    display_name: DisplayName
    idp_issuer: IssuerUrl = None


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
    closed: bool = False


@dataclass(frozen=True)
class User:
    id: UUID
    version: int
    username: str
    display_name: str
    agency_id: UUID
    roles: frozenset[Role]
    suspended: bool = False
    removed: bool = False
    idp_issuer: str | None = None

    @property
    def active(self) -> bool:
        return not (self.suspended or self.removed)


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
def _(event: AgencyRenamed, agency: Agency | None) -> Agency:
    assert agency is not None
    return replace(agency, version=event.originator_version, name=event.name)


@mutate_agency.register
def _(event: AgencyClosed, agency: Agency | None) -> Agency:
    assert agency is not None
    return replace(agency, version=event.originator_version, closed=True)


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
        idp_issuer=event.idp_issuer,
    )


@mutate_user.register
def _(event: UserRolesChanged, user: User | None) -> User:
    assert user is not None
    return replace(user, version=event.originator_version, roles=frozenset(event.roles))


@mutate_user.register
def _(event: UserMoved, user: User | None) -> User:
    assert user is not None
    return replace(user, version=event.originator_version, agency_id=event.agency_id, roles=frozenset(event.roles))


@mutate_user.register
def _(event: UserIdentityProviderSet, user: User | None) -> User:
    assert user is not None
    return replace(user, version=event.originator_version, idp_issuer=event.idp_issuer)


@mutate_user.register
def _(event: UserRenamed, user: User | None) -> User:
    assert user is not None
    return replace(user, version=event.originator_version, display_name=event.display_name)


@mutate_user.register
def _(event: UserSuspended, user: User | None) -> User:
    assert user is not None
    return replace(user, version=event.originator_version, suspended=True)


@mutate_user.register
def _(event: UserReinstated, user: User | None) -> User:
    assert user is not None
    return replace(user, version=event.originator_version, suspended=False)


@mutate_user.register
def _(event: UserRemoved, user: User | None) -> User:
    assert user is not None
    return replace(user, version=event.originator_version, removed=True)


def project_user(user: User | None, events: Iterable[DomainEvent]) -> User | None:
    for event in events:
        user = mutate_user(event, user)
    return user
