"""`hub supervision ...`: the ministry's aggregate figures from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

import hub.cli_support as cli
from hub.cli_support import UserOption, show

supervision_app = typer.Typer(help="Supervision figures (ministry supervisors).", no_args_is_help=True)


@supervision_app.command("referrals")
def supervision(
    user: UserOption, municipality: Annotated[str | None, typer.Option(help="One municipality code")] = None
) -> None:
    """Timeliness figures per municipality (the read is recorded)."""
    with cli.open_hub() as hub:
        show(hub.supervision.referrals(hub.principal_for(user), municipality, "supervision (cli)"))
