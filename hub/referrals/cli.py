"""`hub referrals|clocks ...`: the referral lifecycle from the command line."""

from __future__ import annotations

from datetime import datetime
from inspect import Parameter
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console

import hub.cli_support as cli
from hub.cli_support import UserOption, show
from hub.cli_transitions import add_transition_commands
from hub.referrals.transitions import TRANSITIONS

referrals_app = typer.Typer(help="Referrals: inbox, timeline and every transition, acting as a user.")
clocks_app = typer.Typer(help="Response clocks.", no_args_is_help=True)
console = Console()
Referral = Annotated[UUID, typer.Argument(help="Referral id")]
Reason = Annotated[str, typer.Option(help="Why (kept with the referral)")]
# Help for the options the transitions' bodies give, by field name (a field's own description otherwise).
OPTION_HELP = {
    "worker": "Username",
    "municipality": "Municipality code, e.g. daugavpils",
    "reason": "Why (kept with the referral)",
    "monitoring_days": "Days a new referral about the child links here (0: none; default HUB_MONITORING_DAYS)",
}


@referrals_app.command("inbox")
def inbox(
    user: UserOption,
    outgoing: Annotated[bool, typer.Option(help="Referrals the agency sent, instead of received")] = False,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 20,
) -> None:
    """The agency's incoming referrals with clocks, or outgoing ones with milestones (the read is recorded)."""
    with cli.open_hub() as hub:
        page = hub.referrals.inbox(
            hub.principal_for(user), "outgoing" if outgoing else "incoming", limit, None, "referral-triage (cli)"
        )
    show(page.items)


@referrals_app.command("timeline")
def timeline(referral: Referral, user: UserOption) -> None:
    """Who did what and when, as far as the user may see (the read is recorded)."""
    with cli.open_hub() as hub:
        show(hub.referral_timeline.read(hub.principal_for(user), referral, "referral-handling (cli)"))


add_transition_commands(
    referrals_app,
    TRANSITIONS.values(),
    Parameter("referral", Parameter.POSITIONAL_OR_KEYWORD, annotation=Referral),
    lambda hub, principal, referral_id, action, draft: hub.referral_workflow.act(principal, referral_id, action, draft),
    show,
    OPTION_HELP,
)


@clocks_app.command("tick")
def tick(
    now: Annotated[
        datetime | None, typer.Option(help="Check as of this time (ISO 8601 with offset; default now)")
    ] = None,
) -> None:
    """Raise an overdue event (escalated to the heads of service) for every clock that ran out."""
    with cli.open_hub() as hub:
        raised = hub.referral_workflow.tick(now)
    for event in raised:
        console.print(f"overdue: referral {event.originator_id} clock {event.clock} (due {event.due_at.isoformat()})")
    console.print(f"{len(raised)} overdue event(s) raised.")
