"""The records capability: prior-residence record requests, case handovers and released documents."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.capability import Capability
from hub.records.handover_service import HandoverService
from hub.records.service import RecordsService
from projections.handovers import HandoverView
from projections.record_requests import RecordRequestView

if TYPE_CHECKING:
    from hub.service import Hub


def install(hub: Hub) -> None:
    hub.records = RecordsService(hub, hub.disclosures, hub.subjects, hub.relationships)
    hub.handovers = HandoverService(hub, hub.subjects, hub.relationships)


def due_work(hub: Hub) -> None:
    hub.records.tick()


RECORDS = Capability(
    "records",
    after=("consent", "people"),
    views=lambda: (RecordRequestView(), HandoverView()),
    install=install,
    due_work=due_work,
    api=("hub.records.api:router", "hub.records.api_handovers:router"),
    web=("hub.records.web:router", "hub.records.web_handovers:router"),
    commands=(("records", "hub.records.cli:records_app"), ("handover", "hub.records.cli:handover_app")),
)
