"""`hub requests ...`: a person's written requests about their data and their clocks (acting as a user)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console

import hub.cli_support as cli
from events.written_requests import RequestedRight
from hub.citizens.domain import ExtensionDraft, WrittenRequestDraft
from hub.cli_support import UserOption, show

requests_app = typer.Typer(help="A person's written requests about their data (GDPR Art. 12(3)).", no_args_is_help=True)
console = Console()
RequestOption = Annotated[UUID, typer.Option("--request", help="The written request's id")]


@requests_app.command("record")
def record(
    user: UserOption,
    subject: Annotated[UUID, typer.Option("--subject", help="The person's subject id")],
    right: Annotated[RequestedRight, typer.Option(help="What the person asked for")],
    received: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="The day the letter arrived (Riga)")],
) -> None:
    """Record that the person asked in writing (the answer is due a calendar month later)."""
    with cli.open_hub() as hub:
        draft = WrittenRequestDraft(subject_id=subject, right=right, received_on=received.date())
        show(hub.written_requests.record(hub.principal_for(user), draft))


@requests_app.command("list")
def listing(user: UserOption) -> None:
    """The requests your social service answers (the data protection officer: every agency's)."""
    with cli.open_hub() as hub:
        show(hub.written_requests.listing(hub.principal_for(user)))


@requests_app.command("extend")
def extend(user: UserOption, request: RequestOption, reason: Annotated[str, typer.Option()]) -> None:
    """Extend the clock by two further months, once, with the reason the person is told."""
    with cli.open_hub() as hub:
        show(hub.written_requests.extend(hub.principal_for(user), request, ExtensionDraft(reason=reason)))


@requests_app.command("answer")
def answer(user: UserOption, request: RequestOption) -> None:
    """Mark the request answered."""
    with cli.open_hub() as hub:
        show(hub.written_requests.answer(hub.principal_for(user), request))


@requests_app.command("tick")
def tick(
    at: Annotated[datetime | None, typer.Option(help="Evaluate the clocks at this time (default: now)")] = None,
) -> None:
    """Mark open requests past due as overdue (idempotent)."""
    with cli.open_hub() as hub:
        appended = hub.written_requests.tick(at.astimezone() if at else None)
    console.print(f"{appended} clock events appended.")
