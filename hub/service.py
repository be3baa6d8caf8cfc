"""The hub as the API, CLI and adapters see it: the shared core plus one service per area."""

from __future__ import annotations

from hub.config import Settings
from hub.core import Core
from hub.referral_service import ReferralService
from hub.registry_service import RegistryService
from projections.referrals import ReferralView


class Hub(Core):
    """Everything callers use; nothing else appends to the log."""

    def __init__(self, settings: Settings) -> None:
        self.referral_view = ReferralView()
        super().__init__(settings, views=[self.referral_view])
        self.admin = RegistryService(self)
        self.referrals = ReferralService(self)
