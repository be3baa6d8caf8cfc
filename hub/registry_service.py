"""Registry commands: agencies and users, with suspension."""

from __future__ import annotations

from uuid import UUID

from events.registry import (
    AgencyRegistered,
    UserRegistered,
    UserReinstated,
    UserSuspended,
    agency_id_for,
    user_id_for,
)
from events.values import AgencyKind, Role
from hub.core import Core
from hub.domain.errors import NotFound


class RegistryService:
    def __init__(self, core: Core) -> None:
        self.core = core

    def register_agency(self, code: str, name: str, kind: AgencyKind, municipality: str | None) -> UUID:
        """Register an agency once; registering the same code again changes nothing."""
        agency_id = agency_id_for(code)
        if not self.core.app.exists(agency_id):
            self.core.app.append(
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
        if not self.core.app.exists(agency_id):
            raise NotFound("unknown_agency", f"no agency with code {agency_code!r}", "agency")
        user_id = user_id_for(username)
        if not self.core.app.exists(user_id):
            self.core.app.append(
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
        if not self.core.app.exists(user_id):
            raise NotFound("unknown_user", f"no user named {username!r}", "user")
        user = self.core.app.user(user_id)
        if user.suspended == suspended:
            return
        version = user.version + 1
        event = (
            UserSuspended(originator_id=user_id, originator_version=version, reason=reason)
            if suspended
            else UserReinstated(originator_id=user_id, originator_version=version)
        )
        self.core.app.append(event)
        self.core.follower.catch_up()
