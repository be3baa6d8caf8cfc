"""Administration pages (`/admin/...`): agencies, users and the CSV import, for registry and agency
administrators; the same service as the API decides and records every change."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from starlette.datastructures import UploadFile

from events.values import MUNICIPALITIES, AgencyKind, Role
from hub.api.auth import HubDep
from hub.registry.bulk_import import RegistryImport, read_csv
from hub.registry.domain import (
    AgencyDraft,
    MoveDraft,
    ReasonDraft,
    RenameDraft,
    RolesDraft,
    UserDraft,
    UserRenameDraft,
)
from hub.web.forms import text, validated
from hub.web.labels import N_
from hub.web.rendering import WebRoute, render
from hub.web.session import CheckedForm, WebPrincipal
from policies.engine import RegistryAction
from policies.roles import ROLES_OF_KIND

router = APIRouter(route_class=WebRoute, include_in_schema=False)
MAX_UPLOAD_CHARS = 60_000
# What a problem in an imported row means, in plain words (other reasons say it in the hub's own messages).
IMPORT_REASONS: dict[str, str] = {
    "missing": N_("This column must be filled in."),
    "string_pattern_mismatch": N_("The value does not have the expected form."),
    "string_too_long": N_("The value is too long."),
    "enum": N_("This is not one of the allowed values."),
    "value_error": N_("This is not a value the hub knows (a municipality, or an identity provider's https address)."),
    "duplicate_in_file": N_("The file lists this twice."),
    "agency_differs": N_("This agency is registered already with other details; rename it instead."),
    "user_differs": N_(
        "This user is registered already with other details; change the roles or move the user instead."
    ),
    "unknown_record": N_("Write agency or user in this column."),
    "unknown_column": N_("The import does not read this column."),
    "missing_column": N_("The header row needs a record column."),
    "no_rows": N_("The file has no rows after the header."),
    "too_many_rows": N_("The file has too many rows; split it."),
}


@router.get("/admin")
def admin_home() -> RedirectResponse:
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/admin/agencies")
def agencies_page(request: Request, hub: HubDep, principal: WebPrincipal) -> Response:
    agencies = hub.registry_admin.list_agencies(principal)
    manages = hub.registry_admin.may(
        principal, RegistryAction.MANAGE_AGENCIES, principal.agency_id, principal.agency_kind
    )
    return render(
        request,
        "admin_agencies.html",
        agencies=agencies,
        manages_agencies=manages,
        kinds=list(AgencyKind),
        municipalities=sorted(MUNICIPALITIES.items(), key=lambda item: item[1]),
        names=MUNICIPALITIES,
    )


@router.post("/admin/agencies")
def add_agency(hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    body = {
        "code": text(form, "code"),
        "name": text(form, "name"),
        "kind": text(form, "kind"),
        "municipality": text(form, "municipality") or None,
    }
    hub.registry_admin.add_agency(principal, validated(AgencyDraft, body))
    return RedirectResponse("/admin/agencies", status_code=303)


@router.post("/admin/agencies/{code}/rename")
def rename_agency(code: str, hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    hub.registry_admin.rename_agency(principal, code, validated(RenameDraft, {"name": text(form, "name")}))
    return RedirectResponse("/admin/agencies", status_code=303)


@router.post("/admin/agencies/{code}/close")
def close_agency(code: str, hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    hub.registry_admin.close_agency(principal, code, validated(ReasonDraft, {"reason": text(form, "reason")}))
    return RedirectResponse("/admin/agencies", status_code=303)


@router.get("/admin/users")
def users_page(
    request: Request,
    hub: HubDep,
    principal: WebPrincipal,
    agency: Annotated[str | None, Query(max_length=30)] = None,
) -> Response:
    users = hub.registry_admin.list_users(principal, agency or None)
    agencies = hub.registry_admin.list_agencies(principal)
    kinds = {row["code"]: row["kind"] for row in agencies}
    allowed = {code: sorted(ROLES_OF_KIND[AgencyKind(kind)], key=list(Role).index) for code, kind in kinds.items()}
    return render(
        request,
        "admin_users.html",
        users=users,
        agencies=[row for row in agencies if not row["closed"]],
        agency=agency or "",
        roles=list(Role),
        allowed=allowed,
        moves=hub.registry_admin.may(
            principal, RegistryAction.MANAGE_AGENCIES, principal.agency_id, principal.agency_kind
        ),
    )


def _back(form: CheckedForm) -> RedirectResponse:
    agency = text(form, "back")
    return RedirectResponse(f"/admin/users?agency={agency}" if agency else "/admin/users", status_code=303)


@router.post("/admin/users")
def add_user(hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    body = {
        "username": text(form, "username"),
        "display_name": text(form, "display_name"),
        "agency": text(form, "agency"),
        "roles": form.getlist("roles"),
        "idp_issuer": text(form, "idp_issuer") or None,
    }
    hub.registry_admin.add_user(principal, validated(UserDraft, body))
    return _back(form)


@router.post("/admin/users/{username}/rename")
def rename_user(username: str, hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    draft = validated(UserRenameDraft, {"display_name": text(form, "display_name")})
    hub.registry_admin.rename_user(principal, username, draft)
    return _back(form)


@router.post("/admin/users/{username}/roles")
def change_roles(username: str, hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    hub.registry_admin.change_roles(principal, username, validated(RolesDraft, {"roles": form.getlist("roles")}))
    return _back(form)


@router.post("/admin/users/{username}/move")
def move_user(username: str, hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    hub.registry_admin.move_user(principal, username, validated(MoveDraft, {"agency": text(form, "agency")}))
    return _back(form)


@router.post("/admin/users/{username}/suspend")
def suspend_user(username: str, hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    hub.registry_admin.suspend(principal, username, validated(ReasonDraft, {"reason": text(form, "reason")}))
    return _back(form)


@router.post("/admin/users/{username}/reinstate")
def reinstate_user(username: str, hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    hub.registry_admin.reinstate(principal, username)
    return _back(form)


@router.post("/admin/users/{username}/remove")
def remove_user(username: str, hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> RedirectResponse:
    hub.registry_admin.remove(principal, username, validated(ReasonDraft, {"reason": text(form, "reason")}))
    return _back(form)


@router.get("/admin/import")
def import_page(request: Request, principal: WebPrincipal) -> Response:
    return render(request, "admin_import.html", report=None, problems=[], import_reasons=IMPORT_REASONS)


@router.post("/admin/import")
async def import_file(request: Request, hub: HubDep, principal: WebPrincipal, form: CheckedForm) -> Response:
    upload = form.get("file")
    content = (await upload.read()).decode("utf-8", errors="replace") if isinstance(upload, UploadFile) else ""
    content = content or text(form, "content")
    rows, problems = read_csv(content[:MAX_UPLOAD_CHARS])
    dry_run = text(form, "mode") == "check"
    importer = RegistryImport(hub.registry_admin)
    result = await run_in_threadpool(importer.run, principal, rows, dry_run) if not problems else None
    found = problems if result is None else result.problems
    status = 422 if found else 200
    return render(
        request,
        "admin_import.html",
        status=status,
        report=result,
        problems=found,
        dry_run=dry_run,
        content=content,
        import_reasons=IMPORT_REASONS,
    )
