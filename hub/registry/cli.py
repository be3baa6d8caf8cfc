"""`hub agencies ...`, `hub users ...` and `hub admin bootstrap`: the registry's administration at the console.

`--as USER` acts as that administrator (decided by policy and recorded as them); without it the change is made
by the console operator on the hub's own machine (recorded as `console`).
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from events.values import AgencyKind, Role
from hub.cli_support import errors, open_hub, output
from hub.registry.bulk_import import RegistryImport, read_csv
from hub.registry.domain import (
    AgencyDraft,
    BootstrapDraft,
    IdentityProviderDraft,
    MoveDraft,
    ReasonDraft,
    RenameDraft,
    RolesDraft,
    UserDraft,
    UserRenameDraft,
)
from hub.service import Hub
from policies.decision import Principal

agencies_app = typer.Typer(
    help="Agencies of the registry (and their systems' keys and webhooks).", no_args_is_help=True
)
users_app = typer.Typer(help="Users of the registry.", no_args_is_help=True)
admin_app = typer.Typer(help="Setting the hub up.", no_args_is_help=True)

ActingAs = Annotated[str | None, typer.Option("--as", help="Act as this administrator (default: the console operator)")]
Code = Annotated[str, typer.Option("--code", "--agency", help="Agency code")]
Username = Annotated[str, typer.Option("--user", help="Username")]
RoleList = Annotated[list[Role], typer.Option("--role", help="A role (repeat for several)")]
Reason = Annotated[str, typer.Option(help="Why (recorded)")]


def _acting(hub: Hub, username: str | None) -> Principal | None:
    return hub.principal_for(username) if username else None


def _print_user(user: dict[str, object]) -> None:
    roles = user["roles"]
    assert isinstance(roles, list)
    output.print(f"{user['username']} ({user['agency']}): {', '.join(roles)}; {user['status']}")


@agencies_app.command("add")
def agencies_add(
    code: Code,
    name: Annotated[str, typer.Option(help="Name, as people know it")],
    kind: Annotated[AgencyKind, typer.Option(help="Kind of agency")],
    municipality: Annotated[str | None, typer.Option(help="Municipality code (none for national bodies)")] = None,
    acting_as: ActingAs = None,
) -> None:
    """Register an agency."""
    with open_hub() as hub:
        draft = AgencyDraft(code=code, name=name, kind=kind, municipality=municipality)
        agency = hub.registry_admin.add_agency(_acting(hub, acting_as), draft)
    output.print(f"{agency['code']} registered: {agency['name']}")


@agencies_app.command("list")
def agencies_list(
    closed: Annotated[bool, typer.Option("--closed", help="Closed agencies too")] = False,
) -> None:
    """List the agencies with their kind and municipality."""
    with open_hub() as hub:
        hub.wait_for_views()
        rows = hub.registry_queries.agencies(include_closed=closed)
    table = Table()
    for column in ("code", "name", "kind", "municipality", "status"):
        table.add_column(column)
    for row in rows:
        status = "closed" if row["closed"] else "open"
        table.add_row(row["code"], row["name"], row["kind"], row["municipality"] or "", status)
    output.print(table)


@agencies_app.command("provisioning-client")
def agencies_provisioning_client(
    code: Code,
    days: Annotated[int, typer.Option(min=1, max=365, help="How long the token lives")] = 90,
) -> None:
    """Register the agency's SCIM provisioning client (its agency administrator) and print a bearer token for it.

    Give the token to the organisation's identity provider; suspend or remove the client's user to revoke it.
    """
    with open_hub() as hub:
        username = hub.registry.provisioning_client(code)
        token = hub.issue_token(username, timedelta(days=days))
    sys.stdout.write(token + "\n")


@agencies_app.command("rename")
def agencies_rename(
    code: Code, name: Annotated[str, typer.Option(help="The new name")], acting_as: ActingAs = None
) -> None:
    """Rename an agency (its code stays)."""
    with open_hub() as hub:
        agency = hub.registry_admin.rename_agency(_acting(hub, acting_as), code, RenameDraft(name=name))
    output.print(f"{agency['code']} is now {agency['name']}")


@agencies_app.command("close")
def agencies_close(code: Code, reason: Reason, acting_as: ActingAs = None) -> None:
    """Close an agency: refused while it has open work or active users."""
    with open_hub() as hub:
        hub.registry_admin.close_agency(_acting(hub, acting_as), code, ReasonDraft(reason=reason))
    output.print(f"{code} closed.")


@users_app.command("add")
def users_add(
    user: Username,
    name: Annotated[str, typer.Option(help="The user's name")],
    agency: Annotated[str, typer.Option(help="Agency code")],
    role: RoleList,
    idp_issuer: Annotated[
        str | None, typer.Option(help="Issuer URL of the identity provider they sign in with")
    ] = None,
    acting_as: ActingAs = None,
) -> None:
    """Register a user in an agency."""
    with open_hub() as hub:
        draft = UserDraft(username=user, display_name=name, agency=agency, roles=frozenset(role), idp_issuer=idp_issuer)
        _print_user(hub.registry_admin.add_user(_acting(hub, acting_as), draft))


@users_app.command("rename")
def users_rename(
    user: Username, name: Annotated[str, typer.Option(help="The user's name")], acting_as: ActingAs = None
) -> None:
    """Change the name shown for a user (the username stays)."""
    with open_hub() as hub:
        renamed = hub.registry_admin.rename_user(_acting(hub, acting_as), user, UserRenameDraft(display_name=name))
        output.print(f"{renamed['username']}: {renamed['display_name']}")


@users_app.command("roles")
def users_roles(user: Username, role: RoleList, acting_as: ActingAs = None) -> None:
    """Set a user's roles (the ones given replace the ones held)."""
    with open_hub() as hub:
        _print_user(hub.registry_admin.change_roles(_acting(hub, acting_as), user, RolesDraft(roles=frozenset(role))))


@users_app.command("move")
def users_move(
    user: Username,
    agency: Annotated[str, typer.Option(help="Code of the agency they move to")],
    role: Annotated[list[Role] | None, typer.Option("--role", help="Roles there (default: the ones held)")] = None,
    acting_as: ActingAs = None,
) -> None:
    """Move a user to another agency; their history stays with them."""
    with open_hub() as hub:
        draft = MoveDraft(agency=agency, roles=frozenset(role) if role else None)
        _print_user(hub.registry_admin.move_user(_acting(hub, acting_as), user, draft))


@users_app.command("identity-provider")
def users_identity_provider(
    user: Username,
    idp_issuer: Annotated[str | None, typer.Option(help="Issuer URL (leave out: hub tokens only)")] = None,
    acting_as: ActingAs = None,
) -> None:
    """Set the identity provider a user signs in through."""
    with open_hub() as hub:
        draft = IdentityProviderDraft(idp_issuer=idp_issuer)
        _print_user(hub.registry_admin.set_identity_provider(_acting(hub, acting_as), user, draft))


@users_app.command("list")
def users_list(
    agency: Annotated[str | None, typer.Option(help="Only this agency's users")] = None,
) -> None:
    """List users with their agency, roles and status."""
    with open_hub() as hub:
        hub.wait_for_views()
        agency_id = hub.registry_admin.agency(agency).id if agency else None
        rows = hub.registry_queries.users(agency_id)
    table = Table()
    for column in ("user", "name", "agency", "roles", "status"):
        table.add_column(column)
    for user in rows:
        status = "removed" if user["removed"] else "suspended" if user["suspended"] else "active"
        table.add_row(user["username"], user["display_name"], user["agency_code"], ", ".join(user["roles"]), status)
    output.print(table)


@users_app.command("suspend")
def users_suspend(user: Username, reason: Reason, acting_as: ActingAs = None) -> None:
    """Suspend a user: their tokens stop working at once."""
    with open_hub() as hub:
        hub.registry_admin.suspend(_acting(hub, acting_as), user, ReasonDraft(reason=reason))
    output.print(f"{user} suspended.")


@users_app.command("reinstate")
def users_reinstate(user: Username, acting_as: ActingAs = None) -> None:
    """Lift a user's suspension."""
    with open_hub() as hub:
        hub.registry_admin.reinstate(_acting(hub, acting_as), user)
    output.print(f"{user} reinstated.")


@users_app.command("remove")
def users_remove(user: Username, reason: Reason, acting_as: ActingAs = None) -> None:
    """Remove a user for good: their tokens stop working at once and the username is not reused."""
    with open_hub() as hub:
        hub.registry_admin.remove(_acting(hub, acting_as), user, ReasonDraft(reason=reason))
    output.print(f"{user} removed.")


@admin_app.command("bootstrap")
def admin_bootstrap(
    agency: Annotated[str, typer.Option(help="Code of the administrator's agency (registered if new)")],
    agency_name: Annotated[str, typer.Option(help="Its name, if it is new")],
    user: Username,
    name: Annotated[str, typer.Option(help="The administrator's name")],
    kind: Annotated[AgencyKind, typer.Option(help="Its kind (a national body)")] = AgencyKind.CHILD_PROTECTION_CENTRE,
    idp_issuer: Annotated[str | None, typer.Option(help="Issuer URL of their identity provider")] = None,
) -> None:
    """Name the first registry administrator: until then the hub serves nobody (HUB_DEMO=false)."""
    with open_hub() as hub:
        draft = BootstrapDraft(
            agency=AgencyDraft(code=agency, name=agency_name, kind=kind),
            username=user,
            display_name=name,
            idp_issuer=idp_issuer,
        )
        _print_user(hub.registry_admin.bootstrap(draft))
    output.print("The hub is set up: the registry administrator can now register agencies and users.")


@admin_app.command("import")
def admin_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Registry CSV (UTF-8, header row)")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only; register nothing")] = False,
    acting_as: ActingAs = None,
) -> None:
    """Register agencies and users from CSV: every row is checked first; any problem, and nothing is registered."""
    rows, problems = read_csv(file.read_text(encoding="utf-8"))
    with open_hub() as hub:
        result = RegistryImport(hub.registry_admin).run(_acting(hub, acting_as), rows, dry_run) if rows else None
    found = problems if result is None else result.problems
    for item in found:
        errors.print(f"row {item.row}, {item.field}: {item.message} ({item.reason})")
    if found:
        errors.print(f"[red]{len(found)} problems: nothing was registered.[/red]")
        raise typer.Exit(1)
    assert result is not None
    verb = "would be" if dry_run else "were"
    output.print(
        f"{result.agencies_added} agencies and {result.users_added} users {verb} registered; "
        f"{result.unchanged} rows were already there."
    )
