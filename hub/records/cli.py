"""`hub records ...` and `hub handover ...`: the clocks of record requests and handovers from the command line."""

from __future__ import annotations

import json
from datetime import datetime
from inspect import Parameter
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console

import hub.cli_support as cli
from hub.cli_support import UserOption
from hub.cli_transitions import add_transition_commands
from hub.records.handover_transitions import TRANSITIONS

records_app = typer.Typer(help="Prior-residence record requests.", no_args_is_help=True)
handover_app = typer.Typer(help="Case handovers after a change of residence (pēctecība).", no_args_is_help=True)
console = Console()
HandoverOption = Annotated[UUID, typer.Option("--id", help="Handover id")]


@records_app.command("tick")
def records_tick(
    at: Annotated[
        datetime | None, typer.Option(help="Evaluate the clocks at this time (default: now; UTC if naive)")
    ] = None,
) -> None:
    """Append the reminders, overdue and escalation events due now (idempotent)."""
    with cli.open_hub() as hub:
        appended = hub.records.tick(at.astimezone() if at else None)
    console.print(f"{appended} clock events appended.")


@records_app.command("list")
def records_list(
    user: UserOption,
    box: Annotated[str, typer.Option(help="incoming | outgoing | escalated")] = "incoming",
    limit: Annotated[int, typer.Option(min=1, max=200)] = 50,
) -> None:
    """The user's agency's record requests (envelopes, no personal data)."""
    if box not in ("incoming", "outgoing", "escalated"):
        raise typer.BadParameter("use incoming, outgoing or escalated", param_hint="--box")
    with cli.open_hub() as hub:
        rows = hub.records.listing(hub.principal_for(user), box, limit)
    console.print_json(json.dumps(rows, default=str))


@handover_app.command("list")
def handover_list(
    user: UserOption,
    box: Annotated[str, typer.Option(help="incoming | outgoing")] = "incoming",
    limit: Annotated[int, typer.Option(min=1, max=200)] = 50,
) -> None:
    """Handovers offered to (or by) the user's agency."""
    if box not in ("incoming", "outgoing"):
        raise typer.BadParameter("use incoming or outgoing", param_hint="--box")
    with cli.open_hub() as hub:
        rows = hub.handovers.listing(hub.principal_for(user), box, limit)
    console.print_json(json.dumps(rows, default=str))


def _show(document: object) -> None:
    console.print_json(json.dumps(document, default=str))


add_transition_commands(
    handover_app,
    TRANSITIONS.values(),
    Parameter("handover_id", Parameter.KEYWORD_ONLY, annotation=HandoverOption),
    lambda hub, principal, handover_id, action, draft: hub.handovers.act(principal, handover_id, action, draft),
    _show,
)
