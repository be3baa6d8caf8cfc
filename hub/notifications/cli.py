"""`hub notifications ...`: a user's items and one round of the notification worker from the command line."""

from __future__ import annotations

import typer

import hub.cli_support as cli
from hub.cli_support import UserOption, show

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
