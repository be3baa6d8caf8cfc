"""The citizens capability: a person's own sign-in, access report and data export."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.capability import Capability
from hub.citizens.service import CitizenService

if TYPE_CHECKING:
    from hub.service import Hub


def install(hub: Hub) -> None:
    hub.citizens = CitizenService(hub, hub.identity, hub.subjects, hub.referrals, hub.access_reports)


CITIZENS = Capability("citizens", install=install, api=("hub.citizens.api:router",), web=("hub.citizens.web:router",))
