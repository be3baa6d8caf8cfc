"""The `hub` command line: serve, demo data and tokens (each capability adds its own command groups)."""

from __future__ import annotations

import logging
import sys
from datetime import timedelta
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from hub import capabilities
from hub.capability import load
from hub.cli_support import load_settings, open_hub, open_store
from hub.service import Hub, startup_objects_frozen

app = typer.Typer(help="Inter-agency referral hub.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
tokens_app = typer.Typer(help="Bearer tokens for the API.", no_args_is_help=True)
app.add_typer(demo_app, name="demo")
app.add_typer(tokens_app, name="tokens")


def capability_commands() -> list[tuple[str, typer.Typer]]:
    """Every capability's command groups with their names, in `hub/capabilities.py` order."""
    return [(name, load(group)) for capability in capabilities.CAPABILITIES for name, group in capability.commands]


for group_name, group in capability_commands():
    app.add_typer(group, name=group_name)
console = Console()
# Routers the composition root (`adapters.cli`) adds to the served API; hub itself knows no adapters.
API_EXTENSIONS: list[Any] = []


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default HUB_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default HUB_PORT)")] = None,
) -> None:
    """Serve the API and the web pages, following the log in the same process."""
    import uvicorn

    from hub.api.app import create_app
    from hub.registry.demo import seed_demo

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = load_settings()
    with startup_objects_frozen():
        hub = open_store(settings)
        if settings.demo:
            added = seed_demo(hub)
            if added:
                console.print(f"Seeded {added} demo agencies and users.")
            _print_demo_help(hub)
        bind_host, bind_port = host or settings.host, port or settings.port
        console.print(
            f"Web interface: http://{bind_host}:{bind_port}/  (API docs: http://{bind_host}:{bind_port}/docs)"
        )
        api = create_app(hub, extra_routers=API_EXTENSIONS)
        uvicorn.run(api, host=bind_host, port=bind_port, log_level="info")


def _print_demo_help(hub: Hub) -> None:
    table = Table(title="Demo users: get a token with `.venv/bin/hub tokens issue --user USER`")
    for column in ("user", "agency", "roles"):
        table.add_column(column)
    for user in hub.registry_queries.users():
        table.add_row(user["username"], user["agency_code"], ", ".join(user["roles"]))
    console.print(table)
    console.print(
        "Try: TOKEN=$(.venv/bin/hub tokens issue --user tukums.intake); "
        'curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/v1/inbox'
    )


@demo_app.command("seed")
def demo_seed() -> None:
    """Register the demo agencies and users (idempotent)."""
    from hub.registry.demo import seed_demo

    with open_hub() as hub:
        added = seed_demo(hub)
    console.print(f"Demo data: {added} added.")


@tokens_app.command("issue")
def tokens_issue(
    user: Annotated[str, typer.Option(help="Username")],
    minutes: Annotated[int | None, typer.Option(min=1, max=1440, help="Lifetime in minutes")] = None,
) -> None:
    """Print a bearer token for a user."""
    with open_hub() as hub:
        token = hub.issue_token(user, timedelta(minutes=minutes) if minutes else None)
    sys.stdout.write(token + "\n")


def main() -> None:
    app()
