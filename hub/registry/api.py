"""Registry administration API (`/v1/admin/...`): agencies, users and the CSV import; decided by
`policies/registry.cedar`, every change an event with its actor."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from fastapi.responses import JSONResponse

from hub.api.auth import HubDep, PrincipalDep
from hub.api.problems import problem
from hub.registry.bulk_import import RegistryImport, read_csv
from hub.registry.domain import (
    AgencyDraft,
    IdentityProviderDraft,
    MoveDraft,
    ReasonDraft,
    RenameDraft,
    RolesDraft,
    UserDraft,
    UserRenameDraft,
)
from hub.registry.schemas import AgencyRecord, ImportReport, UserRecord

router = APIRouter(prefix="/v1/admin", tags=["administration"])
CodePath = Annotated[str, Path(pattern=r"^[A-Z0-9][A-Z0-9-]{0,29}$")]
UsernamePath = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")]
CSV_BODY = Body(media_type="text/csv", description="the registry CSV (UTF-8, header row; see the README)")


@router.get("/agencies", response_model=list[AgencyRecord])
def list_agencies(hub: HubDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """Every agency (closed ones too) for a registry administrator; an agency administrator's own agency."""
    return hub.registry_admin.list_agencies(principal)


@router.post("/agencies", response_model=AgencyRecord, status_code=201)
def add_agency(hub: HubDep, principal: PrincipalDep, draft: AgencyDraft) -> dict[str, Any]:
    """Register an agency (registry administrators); a taken code is 409 `agency_code_taken`."""
    return hub.registry_admin.add_agency(principal, draft)


@router.post("/agencies/{code}/rename", response_model=AgencyRecord)
def rename_agency(hub: HubDep, principal: PrincipalDep, code: CodePath, draft: RenameDraft) -> dict[str, Any]:
    return hub.registry_admin.rename_agency(principal, code, draft)


@router.post("/agencies/{code}/close", response_model=AgencyRecord)
def close_agency(hub: HubDep, principal: PrincipalDep, code: CodePath, draft: ReasonDraft) -> dict[str, Any]:
    """Close an agency: refused (409) while it has open referrals, record requests or handovers, or active users."""
    return hub.registry_admin.close_agency(principal, code, draft)


@router.get("/users", response_model=list[UserRecord])
def list_users(
    hub: HubDep,
    principal: PrincipalDep,
    agency: Annotated[str | None, Query(pattern=r"^[A-Z0-9][A-Z0-9-]{0,29}$")] = None,
) -> list[dict[str, Any]]:
    """Users of one agency (an agency administrator: their own), or of every agency for a registry administrator."""
    return hub.registry_admin.list_users(principal, agency)


@router.post("/users", response_model=UserRecord, status_code=201)
def add_user(hub: HubDep, principal: PrincipalDep, draft: UserDraft) -> dict[str, Any]:
    """Register a user; a taken username is 409, a role the agency's kind does not give is 422."""
    return hub.registry_admin.add_user(principal, draft)


@router.post("/users/{username}/roles", response_model=UserRecord)
def change_roles(hub: HubDep, principal: PrincipalDep, username: UsernamePath, draft: RolesDraft) -> dict[str, Any]:
    return hub.registry_admin.change_roles(principal, username, draft)


@router.post("/users/{username}/move", response_model=UserRecord)
def move_user(hub: HubDep, principal: PrincipalDep, username: UsernamePath, draft: MoveDraft) -> dict[str, Any]:
    """Move a user to another agency (both agencies' administration must allow it); their history stays."""
    return hub.registry_admin.move_user(principal, username, draft)


@router.post("/users/{username}/rename", response_model=UserRecord)
def rename_user(hub: HubDep, principal: PrincipalDep, username: UsernamePath, draft: UserRenameDraft) -> dict[str, Any]:
    """Change the name shown for a user; the username and history stay."""
    return hub.registry_admin.rename_user(principal, username, draft)


@router.post("/users/{username}/identity-provider", response_model=UserRecord)
def set_identity_provider(
    hub: HubDep, principal: PrincipalDep, username: UsernamePath, draft: IdentityProviderDraft
) -> dict[str, Any]:
    return hub.registry_admin.set_identity_provider(principal, username, draft)


@router.post("/users/{username}/suspend", response_model=UserRecord)
def suspend_user(hub: HubDep, principal: PrincipalDep, username: UsernamePath, draft: ReasonDraft) -> dict[str, Any]:
    """Suspend a user: their tokens are refused from the moment this answers."""
    return hub.registry_admin.suspend(principal, username, draft)


@router.post("/users/{username}/reinstate", response_model=UserRecord)
def reinstate_user(hub: HubDep, principal: PrincipalDep, username: UsernamePath) -> dict[str, Any]:
    return hub.registry_admin.reinstate(principal, username)


@router.post("/users/{username}/remove", response_model=UserRecord)
def remove_user(hub: HubDep, principal: PrincipalDep, username: UsernamePath, draft: ReasonDraft) -> dict[str, Any]:
    """Remove a user for good (the last registry administrator cannot be removed: 409 `last_registry_admin`)."""
    return hub.registry_admin.remove(principal, username, draft)


@router.post("/import", response_model=ImportReport)
def import_registry(
    hub: HubDep,
    principal: PrincipalDep,
    body: Annotated[str, CSV_BODY],
    dry_run: Annotated[bool, Query(description="check only; append nothing")] = False,
) -> Any:
    """Register agencies and users from CSV: all rows or none; any bad row is 422 with every problem as
    `{row, field, reason, message}`; rows the registry already holds are left as they are."""
    importer = RegistryImport(hub.registry_admin)
    importer.check_actor(principal)
    rows, problems = read_csv(body)
    result = importer.run(principal, rows, dry_run) if not problems else None
    found = problems if result is None else result.problems
    if found:
        errors = [item.document() for item in found]
        return problem(422, "import_rejected", f"{len(found)} problems found; nothing was registered", errors)
    assert result is not None
    return JSONResponse(result.document())
