"""`hub notifications ...`: a user's items, what an agency requires of its users' e-mail, and one round of the
notification worker from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

import hub.cli_support as cli
from events.notifications import DeliveryMode
from hub.cli_support import UserOption, show
from hub.notifications.domain import RequirementDraft

IMMEDIATE, OFF = DeliveryMode.IMMEDIATE, DeliveryMode.OFF
notifications_app = typer.Typer(help="Notifications of what needs people.", no_args_is_help=True)


@notifications_app.command("list")
def list_items(user: UserOption) -> None:
    """The user's items with read/unread, and their counters."""
    with cli.open_hub() as hub:
        principal = hub.principal_for(user)
        items = hub.notifications.items(principal)
        show({"counters": hub.notifications.counters(principal), "items": items})


@notifications_app.command("round")
def work_round() -> None:
    """Raise items for new events and send the e-mail now due, once (the worker does this repeatedly)."""
    with cli.open_hub() as hub:
        show(hub.notifications.work_round())


@notifications_app.command("require")
def require(
    user: UserOption,
    urgent: Annotated[DeliveryMode, typer.Option("--urgent", help="The least for urgent items")] = IMMEDIATE,
    others: Annotated[DeliveryMode, typer.Option("--others", help="The least for the other items")] = OFF,
) -> None:
    """Set what the user's agency requires of its users' e-mail (an administrator of it only)."""
    with cli.open_hub() as hub:
        draft = RequirementDraft(urgent_at_least=urgent, others_at_least=others)
        show(hub.notifications.set_requirement(hub.principal_for(user), draft))
