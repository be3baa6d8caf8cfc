"""Bulk registration of agencies and users from CSV: every row is checked first, and a (row, field, reason) report
comes back if any row is bad, with nothing appended; otherwise all rows are appended in one transaction.

Running the same file again adds nothing: a row that matches what the registry already holds is left as it is.
A row that differs from it is a problem (use rename, roles or move for changes), so an import never edits silently.

Columns (header row, UTF-8): `record` (`agency` or `user`), then for agencies `code`, `name`, `kind`,
`municipality`; for users `username`, `display_name`, `agency`, `roles` (separated by spaces or `;`), `idp_issuer`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from events.base import Actor, DomainEvent
from events.registry import agency_id_for, user_id_for
from events.values import AgencyKind, Role
from hub.kernel.errors import DomainError
from hub.registry.admin_service import PURPOSE, RegistryAdminService, check_roles
from hub.registry.domain import Agency, AgencyDraft, UserDraft
from policies.decision import Principal, denied
from policies.engine import RegistryAction
from policies.roles import admin_role

COLUMNS = (
    "record",
    "code",
    "name",
    "kind",
    "municipality",
    "username",
    "display_name",
    "agency",
    "roles",
    "idp_issuer",
)
AGENCY_FIELDS = ("code", "name", "kind", "municipality")
USER_FIELDS = ("username", "display_name", "agency", "roles", "idp_issuer")
MAX_ROWS = 5000
FIRST_ROW = 2  # rows are numbered as in a spreadsheet: the header is row 1


@dataclass(frozen=True)
class ImportProblem:
    row: int
    field: str
    reason: str
    message: str

    def document(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "reason": self.reason, "message": self.message}


@dataclass
class ImportResult:
    agencies_added: int = 0
    users_added: int = 0
    unchanged: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    events: list[DomainEvent] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        return {
            "agencies_added": self.agencies_added,
            "users_added": self.users_added,
            "unchanged": self.unchanged,
            "problems": [problem.document() for problem in self.problems],
        }


def read_csv(text: str) -> tuple[list[dict[str, str]], list[ImportProblem]]:
    """The rows of a registry CSV, or the problems with its shape (header, size)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    unknown = [name for name in header if name not in COLUMNS]
    problems = [
        ImportProblem(1, name, "unknown_column", f"the column {name!r} is not one the import reads") for name in unknown
    ]
    if "record" not in header:
        problems.append(ImportProblem(1, "record", "missing_column", "the header row needs a 'record' column"))
    if problems:
        return [], problems
    rows = [{(key or "").strip(): (value or "").strip() for key, value in row.items()} for row in reader]
    if len(rows) > MAX_ROWS:
        return [], [ImportProblem(1, "record", "too_many_rows", f"an import holds at most {MAX_ROWS} rows")]
    if not rows:
        return [], [ImportProblem(1, "record", "no_rows", "the file has no rows after the header")]
    return rows, []


def _roles_of(value: str) -> list[str]:
    return [part for part in value.replace(";", " ").split() if part]


class RegistryImport:
    """Checks rows against the registry and the actor's permissions, then appends them all or nothing."""

    def __init__(self, admin: RegistryAdminService) -> None:
        self.admin = admin

    def check_actor(self, actor: Principal | None) -> None:
        """Only administrators import (refused and recorded otherwise, before any row is looked at)."""
        if actor is not None and not self.admin.may(
            actor, RegistryAction.MANAGE_AGENCIES, actor.agency_id, actor.agency_kind
        ):
            self.admin.authorize(actor, RegistryAction.MANAGE_USERS, actor.agency_id, actor.agency_kind)

    def run(self, actor: Principal | None, rows: Iterable[dict[str, str]], dry_run: bool = False) -> ImportResult:
        self.admin.core.wait_for_views()
        self.check_actor(actor)
        result = ImportResult()
        new_agencies: dict[str, Agency] = {}
        seen_users: set[str] = set()
        for number, row in enumerate(rows, start=FIRST_ROW):
            record = row.get("record", "")
            try:
                if record == "agency":
                    self._agency_row(actor, row, number, new_agencies, result)
                elif record == "user":
                    self._user_row(actor, row, number, new_agencies, seen_users, result)
                else:
                    result.problems.append(
                        ImportProblem(number, "record", "unknown_record", "write 'agency' or 'user' in this column")
                    )
            except DomainError as error:
                result.problems.append(ImportProblem(number, error.field or "record", error.reason, error.detail))
        if actor is not None and any(problem.reason == "access_denied" for problem in result.problems):
            role = admin_role(actor.roles)
            decision = denied(role.value if role else "none", "registry.import: denied by registry policy")
            self.admin.core.record_access(actor, decision, "registry.import", "registry", PURPOSE)
        if not result.problems and not dry_run:
            self.admin.commit_import(result.events)
        return result

    def _validated(self, model: type[Any], values: dict[str, Any], number: int, result: ImportResult) -> Any:
        try:
            return model.model_validate(values)
        except ValidationError as error:
            for item in error.errors(include_url=False):
                column = str(item["loc"][0]) if item["loc"] else "record"
                result.problems.append(ImportProblem(number, column, item["type"], item["msg"]))
            return None

    def _agency_row(
        self,
        actor: Principal | None,
        row: dict[str, str],
        number: int,
        new_agencies: dict[str, Agency],
        result: ImportResult,
    ) -> None:
        values = {name: row.get(name) or None for name in AGENCY_FIELDS}
        draft: AgencyDraft | None = self._validated(AgencyDraft, values, number, result)
        if draft is None:
            return
        if draft.code in new_agencies:
            raise DomainError("duplicate_in_file", f"agency {draft.code} is listed twice in the file", "code")
        agency_id = agency_id_for(draft.code)
        who = self._permitted(actor, RegistryAction.MANAGE_AGENCIES, agency_id, draft.kind, frozenset())
        if self.admin.core.app.exists(agency_id):
            held = self.admin.core.app.agency(agency_id)
            if (held.name, held.kind, held.municipality) != (draft.name, draft.kind, draft.municipality):
                raise DomainError(
                    "agency_differs",
                    f"agency {draft.code} is registered already as {held.name!r} ({held.kind.value}); "
                    "change it with rename, not by import",
                    "code",
                )
            result.unchanged += 1
            return
        new_agencies[draft.code] = Agency(agency_id, 1, draft.code, draft.name, draft.kind, draft.municipality)
        result.events.append(self.admin.agency_registered(draft, who))
        result.agencies_added += 1

    def _user_row(
        self,
        actor: Principal | None,
        row: dict[str, str],
        number: int,
        new_agencies: dict[str, Agency],
        seen: set[str],
        result: ImportResult,
    ) -> None:
        values: dict[str, Any] = {name: row.get(name) or None for name in USER_FIELDS}
        values["roles"] = _roles_of(row.get("roles", ""))
        draft: UserDraft | None = self._validated(UserDraft, values, number, result)
        if draft is None:
            return
        if draft.username in seen:
            raise DomainError("duplicate_in_file", f"user {draft.username} is listed twice in the file", "username")
        seen.add(draft.username)
        agency = new_agencies.get(draft.agency) or self._held_agency(draft.agency)
        who = self._permitted(actor, RegistryAction.MANAGE_USERS, agency.id, agency.kind, draft.roles)
        check_roles(agency, draft.roles)
        user_id = user_id_for(draft.username)
        if self.admin.core.app.exists(user_id):
            held = self.admin.core.app.user(user_id)
            same = (held.agency_id, held.roles, held.display_name, held.idp_issuer) == (
                agency.id,
                draft.roles,
                draft.display_name,
                draft.idp_issuer,
            )
            if held.removed or not same:
                raise DomainError(
                    "user_differs",
                    f"the username {draft.username} is registered already with other details; "
                    "change them with roles, move or suspend, not by import",
                    "username",
                )
            result.unchanged += 1
            return
        result.events.append(self.admin.user_registered(draft, agency.id, who))
        result.users_added += 1

    def _held_agency(self, code: str) -> Agency:
        agency = self.admin.agency(code)
        if agency.closed:
            raise DomainError("agency_closed", f"agency {code} is closed", "agency")
        return agency

    def _permitted(
        self,
        actor: Principal | None,
        action: RegistryAction,
        agency_id: UUID,
        kind: AgencyKind,
        grants: frozenset[Role],
    ) -> Actor:
        """The actor to record on the row's event, if the policy lets the actor register it."""
        if actor is not None and not self.admin.may(actor, action, agency_id, kind, grants):
            if action is RegistryAction.MANAGE_AGENCIES:
                raise DomainError("access_denied", "you may not register agencies", "code")
            raise DomainError("access_denied", "you may not register users of this agency", "agency")
        return self.admin.actor_of(actor)
