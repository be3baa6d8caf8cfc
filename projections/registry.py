"""Registry view: agencies and users, for sign-in, routing and listings."""

from __future__ import annotations

import json
from typing import Any, ClassVar
from uuid import UUID

from events.registry import AgencyRegistered, UserRegistered, UserReinstated, UserSuspended
from projections.follower import View
from projections.viewdb import Cursor, Row, ViewDatabase


class RegistryView(View):
    name = "registry"
    schema: ClassVar[dict[str, str]] = {
        "view_agencies": (
            "CREATE TABLE IF NOT EXISTS view_agencies (id TEXT PRIMARY KEY, code TEXT UNIQUE NOT NULL, "
            "name TEXT NOT NULL, kind TEXT NOT NULL, municipality TEXT)"
        ),
        "view_users": (
            "CREATE TABLE IF NOT EXISTS view_users (id TEXT PRIMARY KEY, username TEXT UNIQUE NOT NULL, "
            "display_name TEXT NOT NULL, agency_id TEXT NOT NULL, roles TEXT NOT NULL, "
            "suspended INTEGER NOT NULL DEFAULT 0)"
        ),
    }
    handles = (AgencyRegistered, UserRegistered, UserSuspended, UserReinstated)

    def apply(self, cursor: Cursor, event: Any, notification_id: int) -> None:
        if isinstance(event, AgencyRegistered):
            cursor.execute(
                "INSERT INTO view_agencies (id, code, name, kind, municipality) VALUES (?, ?, ?, ?, ?)",
                (str(event.originator_id), event.code, event.name, event.kind.value, event.municipality),
            )
        elif isinstance(event, UserRegistered):
            cursor.execute(
                "INSERT INTO view_users (id, username, display_name, agency_id, roles) VALUES (?, ?, ?, ?, ?)",
                (
                    str(event.originator_id),
                    event.username,
                    event.display_name,
                    str(event.agency_id),
                    json.dumps(sorted(role.value for role in event.roles)),
                ),
            )
        else:
            suspended = 1 if isinstance(event, UserSuspended) else 0
            cursor.execute("UPDATE view_users SET suspended = ? WHERE id = ?", (suspended, str(event.originator_id)))


class RegistryQueries:
    """Questions the rest of the hub asks of the registry view."""

    def __init__(self, database: ViewDatabase) -> None:
        self.database = database

    def agency(self, agency_id: UUID) -> Row | None:
        rows = self.database.query("SELECT * FROM view_agencies WHERE id = ?", (str(agency_id),))
        return rows[0] if rows else None

    def agency_by_code(self, code: str) -> Row | None:
        rows = self.database.query("SELECT * FROM view_agencies WHERE code = ?", (code,))
        return rows[0] if rows else None

    def agencies(self) -> list[Row]:
        return self.database.query("SELECT * FROM view_agencies ORDER BY code")

    def agencies_of_kind(self, kind: str, municipality: str | None) -> list[Row]:
        if municipality is None:
            return self.database.query("SELECT * FROM view_agencies WHERE kind = ? ORDER BY code", (kind,))
        return self.database.query(
            "SELECT * FROM view_agencies WHERE kind = ? AND municipality = ? ORDER BY code",
            (kind, municipality),
        )

    def user_by_username(self, username: str) -> Row | None:
        rows = self.database.query("SELECT * FROM view_users WHERE username = ?", (username,))
        return _with_roles(rows[0]) if rows else None

    def users(self) -> list[Row]:
        return [
            _with_roles(row)
            for row in self.database.query(
                "SELECT u.*, a.code AS agency_code, a.name AS agency_name FROM view_users u "
                "JOIN view_agencies a ON a.id = u.agency_id ORDER BY a.code, u.username"
            )
        ]


def _with_roles(row: Row) -> Row:
    return {**row, "roles": json.loads(row["roles"]), "suspended": bool(row["suspended"])}
