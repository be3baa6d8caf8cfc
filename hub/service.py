"""The hub as the API, CLI and adapters see it: the shared core plus one service per area."""

from __future__ import annotations

from hub.access_report_service import AccessReportService
from hub.audit_service import AuditService
from hub.config import Settings
from hub.consent_service import ConsentService
from hub.core import Core
from hub.disclosure_service import DisclosureService
from hub.referral_service import ReferralService
from hub.registry_service import RegistryService
from hub.review_service import ReviewService
from projections.consents import ConsentView
from projections.referrals import ReferralView
from projections.reviews import ReviewView


class Hub(Core):
    """Everything callers use; nothing else appends to the log."""

    def __init__(self, settings: Settings) -> None:
        self.referral_view = ReferralView()
        super().__init__(settings, views=[self.referral_view, ConsentView(), ReviewView()])
        self.admin = RegistryService(self)
        self.referrals = ReferralService(self)
        self.consents = ConsentService(self)
        self.disclosures = DisclosureService(self, self.consents)
        self.reviews = ReviewService(self)
        self.audit = AuditService(self)
        self.access_reports = AccessReportService(self)

    def close(self) -> None:
        self.audit.close()
        super().close()
