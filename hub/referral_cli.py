"""`hub referrals|clocks|supervision ...`: the referral lifecycle from the command line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from inspect import Parameter, Signature
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin
from uuid import UUID

import typer
from pydantic import TypeAdapter
from pydantic.fields import FieldInfo
from rich.console import Console

import hub.cli_support as cli
from hub.referral_transitions import TRANSITIONS, Transition

referrals_app = typer.Typer(help="Referrals: inbox, timeline and every transition, acting as a user.")
clocks_app = typer.Typer(help="Response clocks.", no_args_is_help=True)
supervision_app = typer.Typer(help="Supervision figures (ministry supervisors).", no_args_is_help=True)
console = Console()
UserOption = Annotated[str, typer.Option("--user", help="Act as this user (recorded as the actor)")]
Referral = Annotated[UUID, typer.Argument(help="Referral id")]
# Help for the options the transitions' bodies give, by field name (a field's own description otherwise).
OPTION_HELP = {
    "worker": "Username",
    "municipality": "Municipality code, e.g. daugavpils",
    "reason": "Why (kept with the referral)",
    "monitoring_days": "Days a new referral about the child links here (0: none; default HUB_MONITORING_DAYS)",
}
JSON: TypeAdapter[Any] = TypeAdapter(Any)


def show(document: object) -> None:
    console.print_json(JSON.dump_json(document).decode())


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
        show(hub.timeline.read(hub.principal_for(user), referral, "referral-handling (cli)"))


def _option_type(info: FieldInfo) -> object:
    """The plain type of a draft's field for the command line (an enum keeps its choices; optional stays optional)."""
    annotation: Any = info.annotation
    members = [member for member in get_args(annotation) if member is not type(None)]
    plain: Any = members[0] if get_origin(annotation) in (Union, UnionType) else annotation
    plain = get_args(plain)[0] if get_origin(plain) is Annotated else plain
    return plain if info.is_required() else plain | None


def _transition_command(transition: Transition) -> Callable[..., None]:
    """One `hub referrals <action>` command: the referral, the acting user, and an option per field of the body."""
    fields = transition.draft.model_fields if transition.draft else {}

    def command(referral: UUID, user: str, **values: Any) -> None:
        with cli.open_hub() as hub:
            draft = transition.draft(**values) if transition.draft else None
            show(hub.workflow.act(hub.principal_for(user), referral, transition.action, draft))

    options = [
        Parameter(
            name,
            Parameter.KEYWORD_ONLY,
            annotation=Annotated[_option_type(info), typer.Option(help=OPTION_HELP.get(name, info.description))],
            default=Parameter.empty if info.is_required() else None,
        )
        for name, info in fields.items()
    ]
    parameters = [
        Parameter("referral", Parameter.POSITIONAL_OR_KEYWORD, annotation=Referral),
        Parameter("user", Parameter.POSITIONAL_OR_KEYWORD, annotation=UserOption),
        *options,
    ]
    command.__signature__ = Signature(parameters, return_annotation=None)  # type: ignore[attr-defined]
    command.__doc__ = transition.description
    return command


for row in TRANSITIONS.values():
    referrals_app.command(row.segment)(_transition_command(row))


@clocks_app.command("tick")
def tick(
    now: Annotated[
        datetime | None, typer.Option(help="Check as of this time (ISO 8601 with offset; default now)")
    ] = None,
) -> None:
    """Raise an overdue event (escalated to the heads of service) for every clock that ran out."""
    with cli.open_hub() as hub:
        raised = hub.workflow.tick(now)
    for event in raised:
        console.print(f"overdue: referral {event.originator_id} clock {event.clock} (due {event.due_at.isoformat()})")
    console.print(f"{len(raised)} overdue event(s) raised.")


@supervision_app.command("referrals")
def supervision(
    user: UserOption, municipality: Annotated[str | None, typer.Option(help="One municipality code")] = None
) -> None:
    """Timeliness figures per municipality (the read is recorded)."""
    with cli.open_hub() as hub:
        show(hub.supervision.referrals(hub.principal_for(user), municipality, "supervision (cli)"))
