"""The supervision capability: the ministry's aggregate figures (no personal data)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.capability import Capability
from hub.supervision.service import SupervisionService

if TYPE_CHECKING:
    from hub.service import Hub


def install(hub: Hub) -> None:
    hub.supervision = SupervisionService(hub, hub.index)


SUPERVISION = Capability(
    "supervision",
    install=install,
    api=("hub.supervision.api:router",),
    web=("hub.supervision.web:router",),
    commands=(("supervision", "hub.supervision.cli:supervision_app"),),
)
