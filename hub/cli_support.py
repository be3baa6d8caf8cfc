"""What every `hub` command group shares: reading settings, opening the hub with readable errors, acting as a user,
and printing documents."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from pydantic import TypeAdapter, ValidationError
from rich.console import Console

from hub.kernel.config import Settings
from hub.kernel.errors import DomainError
from hub.kernel.store_outage import STORE_ERRORS, why_unreachable
from hub.service import Hub, startup_objects_frozen

errors = Console(stderr=True)
output = Console()
UserOption = Annotated[str, typer.Option("--user", help="Act as this user (recorded as the actor)")]
JSON: TypeAdapter[Any] = TypeAdapter(Any)


def show(document: object) -> None:
    output.print_json(JSON.dump_json(document).decode())


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        errors.print("[red]Invalid settings:[/red]")
        for item in error.errors():
            field = ".".join(str(part) for part in item["loc"])
            errors.print(f"  HUB_{field.upper()}: {item['msg']}")
        raise typer.Exit(2) from None


def open_store(settings: Settings) -> Hub:
    """The hub, or exit 3 with why the store could not be reached (with a hint at the settings to check)."""
    try:
        return Hub(settings)
    except STORE_ERRORS:
        errors.print(f"[red]Cannot open the store:[/red] {why_unreachable(settings)}")
        errors.print("Check HUB_STORE (host, port, database, user) and HUB_STORE_PASSWORD_FILE.")
        raise typer.Exit(3) from None


@contextmanager
def open_hub() -> Iterator[Hub]:
    with startup_objects_frozen():
        hub = open_store(load_settings())
        try:
            yield hub
        except DomainError as error:
            errors.print(f"[red]{error.reason}:[/red] {error.detail}")
            raise typer.Exit(1) from None
        except ValidationError as error:
            for item in error.errors():
                errors.print(f"[red]invalid {'.'.join(str(part) for part in item['loc'])}:[/red] {item['msg']}")
            raise typer.Exit(2) from None
        finally:
            hub.close()
