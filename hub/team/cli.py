"""`hub team ...`: the family's team, agreed tasks and their clocks, from the command line (acting as a user)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console

import hub.cli_support as cli
from hub.cli_support import UserOption, show
from hub.team.domain import TaskDraft

team_app = typer.Typer(help="The family's inter-agency team, tasks and home visits.", no_args_is_help=True)
console = Console()
SubjectOption = Annotated[UUID, typer.Option("--subject", help="The person's subject id")]


@team_app.command("show")
def team_show(user: UserOption, subject: SubjectOption) -> None:
    """Who is involved with the person and the responsible worker (the read is recorded)."""
    with cli.open_hub() as hub:
        show(hub.team.team(hub.principal_for(user), subject, "coordination (cli)"))


@team_app.command("worker")
def team_worker(user: UserOption, subject: SubjectOption, worker: Annotated[str, typer.Option()]) -> None:
    """Name the family's responsible worker (a username of your agency)."""
    with cli.open_hub() as hub:
        show(hub.team.name_worker(hub.principal_for(user), subject, worker))


@team_app.command("task")
def team_task(
    user: UserOption,
    subject: SubjectOption,
    agency: Annotated[str, typer.Option(help="Code of the agency that does it")],
    title: Annotated[str, typer.Option(help="What is to be done")],
    days: Annotated[int, typer.Option(help="Working days to do it in")],
) -> None:
    """Record who does what by when."""
    with cli.open_hub() as hub:
        draft = TaskDraft(agency_code=agency, title=title, working_days=days)
        show(hub.team.agree_task(hub.principal_for(user), subject, draft))


@team_app.command("tick")
def team_tick(
    at: Annotated[datetime | None, typer.Option(help="Evaluate the clocks at this time (default: now)")] = None,
) -> None:
    """Append overdue and escalation events for agreed tasks past due (idempotent)."""
    with cli.open_hub() as hub:
        appended = hub.team.tick(at.astimezone() if at else None)
    console.print(f"{appended} clock events appended.")


@team_app.command("sample")
def team_sample(
    user: UserOption,
    size: Annotated[int, typer.Option(min=1, max=50, help="How many case files")] = 5,
    since: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="First day (Riga)")] = None,
    until: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Last day (Riga)")] = None,
) -> None:
    """Draw the case files to review: a repeatable random sample of your service's cases not yet reviewed."""
    with cli.open_hub() as hub:
        first, last = (day.date() if day else None for day in (since, until))
        show(hub.team.sample(hub.principal_for(user), size, first, last, "case review (cli)"))
