"""The citizens capability: a person's own sign-in, access report and data export, and their written requests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.capability import Capability
from hub.citizens.requests_service import WrittenRequestService
from hub.citizens.service import CitizenService
from projections.written_requests import WrittenRequestView

if TYPE_CHECKING:
    from hub.service import Hub


def install(hub: Hub) -> None:
    hub.citizens = CitizenService(hub, hub.identity, hub.subjects, hub.referrals, hub.access_reports)
    hub.written_requests = WrittenRequestService(hub, hub.relationships, hub.subjects)


def due_work(hub: Hub) -> None:
    hub.written_requests.tick()


CITIZENS = Capability(
    "citizens",
    after=("audit", "identity", "people", "referrals"),
    views=lambda: (WrittenRequestView(),),
    install=install,
    due_work=due_work,
    api=("hub.citizens.api:router", "hub.citizens.api_requests:router"),
    web=("hub.citizens.web:router", "hub.citizens.web_requests:router"),
    commands=(("requests", "hub.citizens.cli:requests_app"),),
)
