"""`hub referrals|clocks|supervision ...`: the referral lifecycle from the command line."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console

import hub.cli_support as cli
from events.referrals import Outcome
from hub.cli_support import UserOption, show
from hub.referrals.drafts import (
    AnswerDraft,
    AssignDraft,
    CloseDraft,
    QuestionDraft,
    ReasonDraft,
    RedirectDraft,
)

referrals_app = typer.Typer(help="Referrals: inbox, timeline and every transition, acting as a user.")
clocks_app = typer.Typer(help="Response clocks.", no_args_is_help=True)
supervision_app = typer.Typer(help="Supervision figures (ministry supervisors).", no_args_is_help=True)
console = Console()
Referral = Annotated[UUID, typer.Argument(help="Referral id")]
Reason = Annotated[str, typer.Option(help="Why (kept with the referral)")]


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


@referrals_app.command("acknowledge")
def acknowledge(referral: Referral, user: UserOption) -> None:
    """Confirm receipt (stops the acknowledgement clock)."""
    with cli.open_hub() as hub:
        show(hub.workflow.acknowledge(hub.principal_for(user), referral))


@referrals_app.command("assign")
def assign(referral: Referral, user: UserOption, worker: Annotated[str, typer.Option(help="Username")]) -> None:
    """Name the responsible case manager."""
    with cli.open_hub() as hub:
        show(hub.workflow.assign(hub.principal_for(user), referral, AssignDraft(worker=worker)))


@referrals_app.command("request-information")
def request_information(referral: Referral, user: UserOption, question: Annotated[str, typer.Option()]) -> None:
    """Ask the referrer a question."""
    with cli.open_hub() as hub:
        show(hub.workflow.request_information(hub.principal_for(user), referral, QuestionDraft(question=question)))


@referrals_app.command("provide-information")
def provide_information(referral: Referral, user: UserOption, answer: Annotated[str, typer.Option()]) -> None:
    """Answer the question put to the referrer."""
    with cli.open_hub() as hub:
        show(hub.workflow.provide_information(hub.principal_for(user), referral, AnswerDraft(answer=answer)))


@referrals_app.command("accept")
def accept(referral: Referral, user: UserOption) -> None:
    """Open a case, or join the family's open case."""
    with cli.open_hub() as hub:
        show(hub.workflow.accept(hub.principal_for(user), referral))


@referrals_app.command("redirect")
def redirect(
    referral: Referral,
    user: UserOption,
    municipality: Annotated[str, typer.Option(help="Municipality code, e.g. daugavpils")],
    reason: Reason,
) -> None:
    """Send on to another municipality's social service."""
    with cli.open_hub() as hub:
        draft = RedirectDraft(municipality=municipality, reason=reason)
        show(hub.workflow.redirect(hub.principal_for(user), referral, draft))


@referrals_app.command("decline")
def decline(referral: Referral, user: UserOption, reason: Reason) -> None:
    """Decide not to act."""
    with cli.open_hub() as hub:
        show(hub.workflow.decline(hub.principal_for(user), referral, ReasonDraft(reason=reason)))


@referrals_app.command("close")
def close(
    referral: Referral,
    user: UserOption,
    outcome: Annotated[Outcome, typer.Option()],
    monitoring_days: Annotated[
        int | None,
        typer.Option(help="Days a new referral about the child links here (0: none; default HUB_MONITORING_DAYS)"),
    ] = None,
) -> None:
    """Close with an outcome class and a monitoring period."""
    with cli.open_hub() as hub:
        draft = CloseDraft(outcome=outcome, monitoring_days=monitoring_days)
        show(hub.workflow.close(hub.principal_for(user), referral, draft))


@referrals_app.command("withdraw")
def withdraw(referral: Referral, user: UserOption, reason: Reason) -> None:
    """The referrer withdraws before acceptance."""
    with cli.open_hub() as hub:
        show(hub.workflow.withdraw(hub.principal_for(user), referral, ReasonDraft(reason=reason)))


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
