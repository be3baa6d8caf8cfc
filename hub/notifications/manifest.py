"""The notifications capability: what needs whom, in the pages (items, counters) and by e-mail (worker)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.capability import Capability
from hub.notifications.service import NotificationService
from projections.notifications import NotificationView

if TYPE_CHECKING:
    from hub.service import Hub


def install(hub: Hub) -> None:
    hub.notifications = NotificationService(hub)


NOTIFICATIONS = Capability(
    "notifications",
    views=lambda: (NotificationView(),),
    install=install,
    api=("hub.notifications.api:router",),
    web=("hub.notifications.web:router",),
    commands=(("notifications", "hub.notifications.cli:notifications_app"),),
)
