"""Whether an identity a provider vouches for may act in the hub: a registered user, neither suspended nor removed,
in an agency the provider serves, and signing in through the provider the registry names for them (if any)."""

from __future__ import annotations

from uuid import UUID

from hub.kernel.core import Core
from projections.viewdb import Row


class UserRefused(Exception):
    """The identity may not act; `reason` is machine-readable, `user` the registry row if there is one."""

    def __init__(self, reason: str, user: Row | None) -> None:
        super().__init__(reason)
        self.reason, self.user = reason, user


def usable_user(
    core: Core, username: str | None, agencies: tuple[str, ...], active: bool = True, issuer: str | None = None
) -> tuple[Row, Row]:
    """The user's registry row and its agency's; raises UserRefused. `agencies` empty: every agency is served.
    `issuer`: the provider vouching (None: the hub itself), refused if the registry names another one for the user.
    With `active` false, a suspended or removed user passes (the caller's own check refuses them)."""
    user = core.user_row(username) if username else None
    if user is None:
        raise UserRefused("not_registered", None)
    agency = core.registry_queries.agency(UUID(user["agency_id"]))
    if agency is None or (agencies and agency["code"] not in agencies):
        raise UserRefused("agency_not_served", user)
    if issuer is not None and user.get("idp_issuer") and user["idp_issuer"].rstrip("/") != issuer.rstrip("/"):
        raise UserRefused("other_identity_provider", user)
    if not active:
        return user, agency
    if user.get("removed"):
        raise UserRefused("account_removed", user)
    if user["suspended"]:
        raise UserRefused("user_suspended", user)
    return user, agency
