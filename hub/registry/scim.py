"""SCIM 2.0 (RFC 7643/7644) provisioning of one agency's staff by its organisation's identity provider.

The caller is the agency's provisioning client (`hub agencies provisioning-client`): a user of the agency with the
`agency_admin` role, so the registry policy lets it manage only its own agency's users. Users are the agency's
users (`userName` is the hub username); Groups are the roles the agency's kind gives, their members the users
holding them. `active: false` suspends a user and DELETE removes them: their tokens are refused at once.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    ETag,
    Filter,
    Group,
    GroupMember,
    ListResponse,
    Meta,
    Patch,
    PatchOp,
    ResourceType,
    ServiceProviderConfig,
    Sort,
    User,
)
from scim2_models import Error as ScimError

from events.values import Role
from hub.api.auth import HubDep, PrincipalDep
from hub.api.problems import problem
from hub.kernel.errors import DomainError, InvalidInput, NotFound
from hub.registry.admin_service import RegistryAdminService, user_document
from hub.registry.domain import Agency, ReasonDraft, RolesDraft, UserDraft, UserRenameDraft
from policies.decision import Principal
from policies.engine import RegistryAction
from policies.roles import ROLES_OF_KIND

SCIM_JSON = "application/scim+json"
PREFIX = "/scim/v2"
FILTER = re.compile(r'^\s*userName\s+eq\s+"([^"]{1,64})"\s*$', re.IGNORECASE)
MEMBER_PATH = re.compile(r'^members\[value eq "([0-9a-f-]{36})"\]$')
DEPROVISIONED = "deprovisioned by the agency's identity provider (SCIM)"
router = APIRouter(prefix=PREFIX, tags=["scim"])
ScimUser = User[Any]  # the core User schema, no extensions


class ScimResponse(JSONResponse):
    media_type = SCIM_JSON


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "schemas": {"type": "array", "items": {"type": "string"}},
        "status": {"type": "string", "description": "the HTTP status, as a string (RFC 7644 3.12)"},
        "scimType": {"type": "string"},
        "detail": {"type": "string"},
    },
}


def _body(schema: dict[str, Any], status: int = 200) -> dict[int | str, dict[str, Any]]:
    """The route's body and its SCIM errors (400 for a body or filter it cannot take), as application/scim+json."""
    error = {"description": "a SCIM error (RFC 7644 3.12)", "content": {SCIM_JSON: {"schema": ERROR_SCHEMA}}}
    return {status: {"content": {SCIM_JSON: {"schema": schema}}}, 400: error}


USER_BODY = _body(ScimUser.model_json_schema())
GROUP_BODY = _body(Group.model_json_schema())
LIST_BODY = _body(ListResponse[ScimUser].model_json_schema())


def scim_error(status: int, detail: str, scim_type: str | None = None) -> ScimResponse:
    error = ScimError(status=status, detail=detail, scim_type=scim_type)
    return ScimResponse(error.model_dump(), status_code=status)


def _refusal(error: DomainError) -> Response:
    """Bad input is a SCIM error (400 invalidValue); any other refusal is the hub's problem document."""
    if error.status == 422:
        return scim_error(400, f"{error.reason}: {error.detail}", "invalidValue")
    return problem(error.status, error.reason, error.detail)


class Provisioning:
    """One request's view of the caller's agency: its users as SCIM Users, its roles as SCIM Groups."""

    def __init__(self, admin: RegistryAdminService, principal: Principal, base: str) -> None:
        self.admin = admin
        self.principal = principal
        self.base = base
        self.agency: Agency = admin.core.app.agency(principal.agency_id)
        admin.authorize(principal, RegistryAction.MANAGE_USERS, self.agency.id, self.agency.kind)

    def users(self) -> list[dict[str, Any]]:
        self.admin.core.wait_for_views()
        return [user_document(row) for row in self.admin.core.registry_queries.users(self.agency.id)]

    def own_user(self, user_id: str) -> dict[str, Any]:
        try:
            user = self.admin.user_by_id(UUID(user_id))
        except ValueError:
            raise NotFound("unknown_user", "no such user", "id") from None
        if user.agency_id != self.agency.id:
            raise NotFound("unknown_user", "no such user in the caller's agency", "id")
        return self.admin.user_summary(user.username)

    def user_resource(self, document: dict[str, Any]) -> ScimUser:
        return ScimUser(
            id=document["id"],
            user_name=document["username"],
            display_name=document["display_name"],
            active=document["status"] == "active",
            groups=[{"value": role, "display": role} for role in document["roles"]],
            meta=Meta(resource_type="User", location=f"{self.base}/Users/{document['id']}"),
        )

    def roles(self) -> list[Role]:
        return sorted(ROLES_OF_KIND[self.agency.kind], key=list(Role).index)

    def group_resource(self, role: Role) -> Group:
        members = [
            GroupMember(value=user["id"], display=user["username"])
            for user in self.users()
            if role.value in user["roles"] and user["status"] != "removed"
        ]
        return Group(
            id=role.value,
            display_name=role.value,
            members=members,
            meta=Meta(resource_type="Group", location=f"{self.base}/Groups/{role.value}"),
        )

    def role(self, group_id: str) -> Role:
        allowed = {role.value: role for role in self.roles()}
        if group_id not in allowed:
            raise NotFound("unknown_group", "no such group", "id")
        return allowed[group_id]

    def apply(self, document: dict[str, Any], resource: ScimUser) -> dict[str, Any]:
        """What a replaced or patched User changes: `displayName` renames, `active` suspends or reinstates."""
        if resource.display_name and resource.display_name != document["display_name"]:
            try:
                draft = UserRenameDraft(display_name=resource.display_name)
            except ValidationError:
                raise InvalidInput(
                    "invalid_display_name", "displayName is 1 to 100 characters", "displayName"
                ) from None
            document = self.admin.rename_user(self.principal, document["username"], draft)
        if resource.active is not None:
            document = self.set_active(document, resource.active)
        return document

    def set_active(self, document: dict[str, Any], active: bool) -> dict[str, Any]:
        username = document["username"]
        if active and document["status"] == "suspended":
            return self.admin.reinstate(self.principal, username)
        if not active and document["status"] == "active":
            return self.admin.suspend(self.principal, username, ReasonDraft(reason=DEPROVISIONED))
        return document


def _provisioning(hub: Any, principal: Principal, request: Request) -> Provisioning:
    return Provisioning(hub.registry_admin, principal, str(request.base_url).rstrip("/") + PREFIX)


def _dump(resource: Any, context: Context = Context.RESOURCE_QUERY_RESPONSE) -> dict[str, Any]:
    dumped: dict[str, Any] = resource.model_dump(scim_ctx=context)
    return dumped


@router.get(
    "/ServiceProviderConfig", response_class=ScimResponse, responses=_body(ServiceProviderConfig.model_json_schema())
)
def service_provider_config(hub: HubDep, principal: PrincipalDep, request: Request) -> Response:
    """What this SCIM service supports: PATCH and filtering by userName; no bulk, sorting, ETags or passwords."""
    _provisioning(hub, principal, request)
    config = ServiceProviderConfig(
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=1000),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="Bearer token",
                description="A token of the agency's provisioning client (hub agencies provisioning-client)",
            )
        ],
    )
    return ScimResponse(_dump(config))


@router.get("/ResourceTypes", response_class=ScimResponse, responses=LIST_BODY)
def resource_types(hub: HubDep, principal: PrincipalDep, request: Request) -> Response:
    _provisioning(hub, principal, request)
    types = [ResourceType.from_resource(User), ResourceType.from_resource(Group)]
    listing = ListResponse[ResourceType](
        total_results=len(types), start_index=1, items_per_page=len(types), resources=types
    )
    return ScimResponse(_dump(listing, Context.SEARCH_RESPONSE))


@router.get("/Schemas", response_class=ScimResponse, responses=LIST_BODY)
def schemas(hub: HubDep, principal: PrincipalDep, request: Request) -> Response:
    _provisioning(hub, principal, request)
    found = [User.to_schema(), Group.to_schema()]
    listing = ListResponse[Any](total_results=len(found), start_index=1, items_per_page=len(found), resources=found)
    return ScimResponse(_dump(listing, Context.SEARCH_RESPONSE))


@router.get("/Users", response_class=ScimResponse, responses=LIST_BODY)
def list_users(
    hub: HubDep,
    principal: PrincipalDep,
    request: Request,
    filter: Annotated[str | None, Query(max_length=200)] = None,
    start_index: Annotated[int, Query(alias="startIndex", ge=1)] = 1,
    count: Annotated[int, Query(ge=0, le=1000)] = 100,
) -> Response:
    """The agency's users, optionally `filter=userName eq "..."` (the only filter supported)."""
    scope = _provisioning(hub, principal, request)
    users = scope.users()
    if filter is not None:
        match = FILTER.match(filter)
        if match is None:
            return scim_error(400, 'only the filter userName eq "..." is supported', "invalidFilter")
        users = [user for user in users if user["username"] == match.group(1).lower()]
    page = users[start_index - 1 : start_index - 1 + count]
    listing = ListResponse[ScimUser](
        total_results=len(users),
        start_index=start_index,
        items_per_page=len(page),
        resources=[scope.user_resource(user) for user in page],
    )
    return ScimResponse(_dump(listing, Context.SEARCH_RESPONSE))


@router.post("/Users", response_class=ScimResponse, status_code=201, responses=_body(ScimUser.model_json_schema(), 201))
async def create_user(hub: HubDep, principal: PrincipalDep, request: Request) -> Response:
    """Register a user in the caller's agency; roles come by adding the user to Groups."""
    try:
        resource: ScimUser = ScimUser.model_validate(await request.json(), scim_ctx=Context.RESOURCE_CREATION_REQUEST)
    except (ValidationError, ValueError):
        return scim_error(400, "the body is not a SCIM User", "invalidSyntax")
    return await _run(lambda: _create(hub, principal, request, resource), 201)


def _create(hub: Any, principal: Principal, request: Request, resource: ScimUser) -> dict[str, Any]:
    scope = _provisioning(hub, principal, request)
    name = resource.display_name or (resource.name.formatted if resource.name else None) or resource.user_name
    try:
        draft = UserDraft(
            username=resource.user_name or "", display_name=name or "", agency=scope.agency.code, roles=frozenset()
        )
    except ValidationError:
        raise InvalidInput(
            "invalid_username", "userName is small letters, digits, dots, hyphens (2 to 64)", "userName"
        ) from None
    document = scope.admin.add_user(principal, draft, allow_no_roles=True)
    if resource.active is False:
        document = scope.set_active(document, False)
    return _dump(scope.user_resource(document))


async def _run(work: Any, status: int = 200) -> Response:
    """Run a SCIM operation off the event loop; a refusal is a SCIM error (the policy's refusals are recorded)."""
    try:
        body = await run_in_threadpool(work)
    except DomainError as error:
        return _refusal(error)
    if body is None:
        return Response(status_code=204)
    return ScimResponse(body, status_code=status)


@router.get("/Users/{user_id}", response_class=ScimResponse, responses=USER_BODY)
async def get_user(hub: HubDep, principal: PrincipalDep, request: Request, user_id: str) -> Response:
    def work() -> dict[str, Any]:
        scope = _provisioning(hub, principal, request)
        return _dump(scope.user_resource(scope.own_user(user_id)))

    return await _run(work)


@router.put("/Users/{user_id}", response_class=ScimResponse, responses=USER_BODY)
async def replace_user(hub: HubDep, principal: PrincipalDep, request: Request, user_id: str) -> Response:
    """Replace a user: `displayName` renames, `active` suspends or reinstates (the username stays as registered)."""
    try:
        resource: ScimUser = ScimUser.model_validate(
            await request.json(), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST
        )
    except (ValidationError, ValueError):
        return scim_error(400, "the body is not a SCIM User", "invalidSyntax")

    def work() -> dict[str, Any]:
        scope = _provisioning(hub, principal, request)
        document = scope.apply(scope.own_user(user_id), resource)
        return _dump(scope.user_resource(document))

    return await _run(work)


@router.patch("/Users/{user_id}", response_class=ScimResponse, responses=USER_BODY)
async def patch_user(hub: HubDep, principal: PrincipalDep, request: Request, user_id: str) -> Response:
    """PATCH a user; what changes is `displayName` and `active` (false: suspended at once; true: reinstated)."""
    try:
        patch = PatchOp[ScimUser].model_validate(await request.json(), scim_ctx=Context.RESOURCE_PATCH_REQUEST)
    except (ValidationError, ValueError):
        return scim_error(400, "the body is not a SCIM PatchOp", "invalidSyntax")

    def work() -> dict[str, Any]:
        scope = _provisioning(hub, principal, request)
        document = scope.own_user(user_id)
        resource = scope.user_resource(document)
        patch.patch(resource)
        return _dump(scope.user_resource(scope.apply(document, resource)))

    return await _run(work)


@router.delete("/Users/{user_id}", status_code=204, response_class=Response, responses={400: _body({})[400]})
async def delete_user(hub: HubDep, principal: PrincipalDep, request: Request, user_id: str) -> Response:
    """Remove a user for good (deprovisioning): their tokens are refused at once."""

    def work() -> None:
        scope = _provisioning(hub, principal, request)
        document = scope.own_user(user_id)
        scope.admin.remove(principal, document["username"], ReasonDraft(reason=DEPROVISIONED))

    return await _run(work)


@router.get("/Groups", response_class=ScimResponse, responses=LIST_BODY)
async def list_groups(hub: HubDep, principal: PrincipalDep, request: Request) -> Response:
    """The roles the agency's kind gives, each with the agency's users holding it."""

    def work() -> dict[str, Any]:
        scope = _provisioning(hub, principal, request)
        groups = [scope.group_resource(role) for role in scope.roles()]
        listing = ListResponse[Group](
            total_results=len(groups), start_index=1, items_per_page=len(groups), resources=groups
        )
        return _dump(listing, Context.SEARCH_RESPONSE)

    return await _run(work)


@router.get("/Groups/{group_id}", response_class=ScimResponse, responses=GROUP_BODY)
async def get_group(hub: HubDep, principal: PrincipalDep, request: Request, group_id: str) -> Response:
    def work() -> dict[str, Any]:
        scope = _provisioning(hub, principal, request)
        return _dump(scope.group_resource(scope.role(group_id)))

    return await _run(work)


def _member_ids(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [str(item["value"]) for item in items if isinstance(item, dict) and "value" in item]


@router.patch("/Groups/{group_id}", response_class=ScimResponse, responses=GROUP_BODY)
async def patch_group(hub: HubDep, principal: PrincipalDep, request: Request, group_id: str) -> Response:
    """Add users to a group (they get the role) or remove them (they lose it); `replace` sets the members."""
    try:
        patch = PatchOp[Group].model_validate(await request.json(), scim_ctx=Context.RESOURCE_PATCH_REQUEST)
    except (ValidationError, ValueError):
        return scim_error(400, "the body is not a SCIM PatchOp", "invalidSyntax")

    def work() -> dict[str, Any]:
        scope = _provisioning(hub, principal, request)
        role = scope.role(group_id)
        members = {user["id"] for user in scope.users() if role.value in user["roles"] and user["status"] != "removed"}
        for operation in patch.operations or []:
            path = operation.path or ""
            single = MEMBER_PATH.match(path)
            if operation.op.value == "remove" and single:
                members.discard(single.group(1))
            elif path == "members" and operation.op.value == "remove":
                members -= set(_member_ids(operation.value)) if operation.value else set(members)
            elif path == "members" and operation.op.value == "add":
                members |= set(_member_ids(operation.value))
            elif path == "members" and operation.op.value == "replace":
                members = set(_member_ids(operation.value))
            else:
                raise InvalidInput("unsupported_patch", "only the group's members can be changed", "Operations")
        _apply_members(scope, role, members)
        return _dump(scope.group_resource(role))

    return await _run(work)


def _apply_members(scope: Provisioning, role: Role, members: set[str]) -> None:
    """Give the role to the members and take it from the agency's other users."""
    for member in members:
        scope.own_user(member)
    for user in scope.users():
        if user["status"] == "removed":
            continue
        held = frozenset(Role(value) for value in user["roles"])
        wanted = held | {role} if user["id"] in members else held - {role}
        if wanted != held:
            scope.admin.change_roles(scope.principal, user["username"], RolesDraft(roles=wanted), allow_no_roles=True)
