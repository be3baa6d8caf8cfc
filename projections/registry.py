"""Registry view: agencies and users, for sign-in, routing, listings and administration."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar
from uuid import UUID

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
)
from events.values import Role
from projections.follower import View
from projections.viewdb import Cursor, Row, ViewDatabase


def _roles(roles: tuple[Role, ...]) -> str:
    return json.dumps(sorted(role.value for role in roles))


class RegistryView(View):
    name = "registry"
    schema: ClassVar[dict[str, str]] = {
        "view_agencies": (
            "CREATE TABLE IF NOT EXISTS view_agencies (id TEXT PRIMARY KEY, code TEXT UNIQUE NOT NULL, "
            "name TEXT NOT NULL, kind TEXT NOT NULL, municipality TEXT, closed INTEGER NOT NULL DEFAULT 0)"
        ),
        "view_users": (
            "CREATE TABLE IF NOT EXISTS view_users (id TEXT PRIMARY KEY, username TEXT UNIQUE NOT NULL, "
            "display_name TEXT NOT NULL, agency_id TEXT NOT NULL, roles TEXT NOT NULL, "
            "suspended INTEGER NOT NULL DEFAULT 0, removed INTEGER NOT NULL DEFAULT 0, idp_issuer TEXT)"
        ),
    }
    handles = (
        AgencyRegistered,
        AgencyRenamed,
        AgencyClosed,
        UserRegistered,
        UserRolesChanged,
        UserMoved,
        UserIdentityProviderSet,
        UserRenamed,
        UserSuspended,
        UserReinstated,
        UserRemoved,
    )

    def apply(self, cursor: Cursor, event: Any, notification_id: int) -> None:
        identifier = str(event.originator_id)
        if isinstance(event, AgencyRegistered):
            cursor.execute(
                "INSERT INTO view_agencies (id, code, name, kind, municipality) VALUES (?, ?, ?, ?, ?)",
                (identifier, event.code, event.name, event.kind.value, event.municipality),
            )
        elif isinstance(event, AgencyRenamed):
            cursor.execute("UPDATE view_agencies SET name = ? WHERE id = ?", (event.name, identifier))
        elif isinstance(event, AgencyClosed):
            cursor.execute("UPDATE view_agencies SET closed = 1 WHERE id = ?", (identifier,))
        elif isinstance(event, UserRegistered):
            cursor.execute(
                "INSERT INTO view_users (id, username, display_name, agency_id, roles, idp_issuer) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    identifier,
                    event.username,
                    event.display_name,
                    str(event.agency_id),
                    _roles(event.roles),
                    event.idp_issuer,
                ),
            )
        elif isinstance(event, UserRolesChanged):
            cursor.execute("UPDATE view_users SET roles = ? WHERE id = ?", (_roles(event.roles), identifier))
        elif isinstance(event, UserMoved):
            cursor.execute(
                "UPDATE view_users SET agency_id = ?, roles = ? WHERE id = ?",
                (str(event.agency_id), _roles(event.roles), identifier),
            )
        elif isinstance(event, UserRenamed):
            cursor.execute("UPDATE view_users SET display_name = ? WHERE id = ?", (event.display_name, identifier))
        elif isinstance(event, UserIdentityProviderSet):
            cursor.execute("UPDATE view_users SET idp_issuer = ? WHERE id = ?", (event.idp_issuer, identifier))
        elif isinstance(event, UserRemoved):
            # A removed user is inactive for good: sign-in refuses them as it refuses a suspended user.
            cursor.execute("UPDATE view_users SET removed = 1, suspended = 1 WHERE id = ?", (identifier,))
        else:
            suspended = 1 if isinstance(event, UserSuspended) else 0
            cursor.execute("UPDATE view_users SET suspended = ? WHERE id = ? AND removed = 0", (suspended, identifier))


USERS_WITH_AGENCY = (
    "SELECT u.*, a.code AS agency_code, a.name AS agency_name, a.kind AS agency_kind FROM view_users u "
    "JOIN view_agencies a ON a.id = u.agency_id"
)


class RegistryQueries:
    """Questions the rest of the hub asks of the registry view."""

    def __init__(self, database: ViewDatabase) -> None:
        self.database = database

    @contextmanager
    def one_position(self) -> Iterator[None]:
        """Lookups inside answer as of one reading of the registry (each plain query reads afresh anyway)."""
        yield

    def agency(self, agency_id: UUID) -> Row | None:
        rows = self.database.query("SELECT * FROM view_agencies WHERE id = ?", (str(agency_id),))
        return _agency(rows[0]) if rows else None

    def agencies_by_id(self, agency_ids: Iterable[UUID]) -> dict[UUID, Row]:
        """The agencies among `agency_ids`, in one query (a page names each agency once, not once a row)."""
        wanted = sorted({str(agency_id) for agency_id in agency_ids})
        if not wanted:
            return {}
        placeholders = ", ".join("?" for _ in wanted)
        rows = self.database.query(f"SELECT * FROM view_agencies WHERE id IN ({placeholders})", tuple(wanted))
        return {UUID(row["id"]): _agency(row) for row in rows}

    def agency_by_code(self, code: str) -> Row | None:
        rows = self.database.query("SELECT * FROM view_agencies WHERE code = ?", (code,))
        return _agency(rows[0]) if rows else None

    def agencies(self, include_closed: bool = False) -> list[Row]:
        """The agencies taking part (with `include_closed`, those closed too), by code."""
        where = "" if include_closed else " WHERE closed = 0"
        return [_agency(row) for row in self.database.query(f"SELECT * FROM view_agencies{where} ORDER BY code")]

    def agencies_of_kind(self, kind: str, municipality: str | None) -> list[Row]:
        """Open agencies of a kind (in a municipality): where referrals and requests may go."""
        if municipality is None:
            rows = self.database.query(
                "SELECT * FROM view_agencies WHERE kind = ? AND closed = 0 ORDER BY code", (kind,)
            )
        else:
            rows = self.database.query(
                "SELECT * FROM view_agencies WHERE kind = ? AND municipality = ? AND closed = 0 ORDER BY code",
                (kind, municipality),
            )
        return [_agency(row) for row in rows]

    def holds_user(self, username: str) -> bool:
        """Whether a lookup of this user would be answered from memory (never, uncached)."""
        return False

    def user_by_username(self, username: str) -> Row | None:
        rows = self.database.query("SELECT * FROM view_users WHERE username = ?", (username,))
        return _with_roles(rows[0]) if rows else None

    def users(self, agency_id: UUID | None = None, include_removed: bool = True) -> list[Row]:
        """Users with their agency's code, name and kind (of one agency only, with `agency_id`)."""
        conditions, parameters = [], []
        if agency_id is not None:
            conditions.append("u.agency_id = ?")
            parameters.append(str(agency_id))
        if not include_removed:
            conditions.append("u.removed = 0")
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        return [
            _with_roles(row)
            for row in self.database.query(f"{USERS_WITH_AGENCY}{where} ORDER BY a.code, u.username", tuple(parameters))
        ]

    def active_users(self, agency_id: UUID) -> int:
        rows = self.database.query(
            "SELECT COUNT(*) AS n FROM view_users WHERE agency_id = ? AND suspended = 0", (str(agency_id),)
        )
        return int(rows[0]["n"])

    def active_registry_admins(self) -> list[str]:
        """Usernames of the registry's administrators who may act now (none: the hub is not set up yet)."""
        rows = self.database.query("SELECT username, roles FROM view_users WHERE suspended = 0 ORDER BY username")
        return [row["username"] for row in rows if Role.REGISTRY_ADMIN.value in json.loads(row["roles"])]


def _agency(row: Row) -> Row:
    return {**row, "closed": bool(row["closed"])}


def _with_roles(row: Row) -> Row:
    return {
        **row,
        "roles": json.loads(row["roles"]),
        "suspended": bool(row["suspended"]),
        "removed": bool(row["removed"]),
    }
