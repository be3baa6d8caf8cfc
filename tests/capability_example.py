"""A capability that lives only here and is registered through its manifest alone (tests/test_capability_manifest.py):
a view of the agencies registered, a service reading it (reached as `hub.service(AgencyCountService)`), an API
route, a page, a listing page drawn by the shared web layer, a command group and an action about a person for the
policy schema."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

import typer
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from events.registry import AgencyRegistered
from hub.capability import Capability, Listing
from hub.kernel.core import Core
from projections.follower import View
from projections.viewdb import Cursor, ViewDatabase


class AgencyCountView(View):
    name = "example_agency_count"
    schema: ClassVar[dict[str, str]] = {
        "view_example_agencies": "CREATE TABLE IF NOT EXISTS view_example_agencies (id TEXT PRIMARY KEY)"
    }
    handles = (AgencyRegistered,)

    def apply(self, cursor: Cursor, event: Any, notification_id: int) -> None:
        cursor.execute("INSERT INTO view_example_agencies (id) VALUES (?)", (str(event.originator_id),))

    def open_work(self, database: ViewDatabase, agency_id: UUID) -> int:
        """Every agency counted has one unfinished item here, so none may be closed while this capability runs."""
        return len(database.query("SELECT id FROM view_example_agencies WHERE id = ?", (str(agency_id),)))


class AgencyCountService:
    def __init__(self, core: Core) -> None:
        self.core = core

    def count(self) -> int:
        return len(self.core.views_db.query("SELECT id FROM view_example_agencies"))


class AgencyCount(BaseModel):
    agencies: int


router = APIRouter(prefix="/v1/example")
pages = APIRouter(include_in_schema=False)
commands = typer.Typer(help="The example capability.")


@router.get("/agencies", response_model=AgencyCount)
def agencies(request: Request) -> dict[str, int]:
    return {"agencies": request.app.state.hub.service(AgencyCountService).count()}


@pages.get("/example", response_class=HTMLResponse)
def page(request: Request) -> str:
    return f"<p>{request.app.state.hub.service(AgencyCountService).count()}</p>"


@commands.command("count")
def count() -> None:
    typer.echo("counted")


def counted(hub: Any, principal: Any) -> list[dict[str, str]]:
    return [{"agencies": str(hub.service(AgencyCountService).count()), "reader": principal.username}]


def install(hub: Any) -> None:
    hub.provide(AgencyCountService(hub))


EXAMPLE = Capability(
    "example",
    after=("registry",),
    views=lambda: (AgencyCountView(),),
    install=install,
    api=("tests.capability_example:router",),
    web=("tests.capability_example:pages",),
    commands=(("example", "tests.capability_example:commands"),),
    listings=(
        Listing(
            "/example/list",
            "Agencies counted",
            (("agencies", "Agencies"), ("reader", "Read by")),
            "tests.capability_example:counted",
        ),
    ),
    person_actions=("count-example",),
)
