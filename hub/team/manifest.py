"""The team capability: the family's inter-agency team, agreed tasks, coordinated home visits, case-file review."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.capability import Capability
from hub.team.service import TeamService
from projections.team import TeamView

if TYPE_CHECKING:
    from hub.service import Hub


def install(hub: Hub) -> None:
    hub.team = TeamService(hub, hub.relationships)


def due_work(hub: Hub) -> None:
    hub.team.tick()


TEAM = Capability(
    "team",
    after=("people",),
    views=lambda: (TeamView(),),
    install=install,
    due_work=due_work,
    api=("hub.team.api:router", "hub.team.api:tasks_router", "hub.team.api:reviews_router"),
    web=("hub.team.web:router",),
    commands=(("team", "hub.team.cli:team_app"),),
)
