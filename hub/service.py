"""The hub as the API, CLI and adapters see it: the shared core plus one service per area."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from hub.access_report_service import AccessReportService
from hub.audit_service import AuditService
from hub.blind_index import BlindIndex
from hub.config import Settings
from hub.consent_service import ConsentService
from hub.core import Core
from hub.disclosure_service import DisclosureService
from hub.erasure_service import ErasureService
from hub.handover_service import HandoverService
from hub.records_service import RecordsService
from hub.referral_service import ReferralService
from hub.referral_timeline import ReferralTimeline
from hub.referral_workflow import ReferralWorkflow
from hub.registry_service import RegistryService
from hub.relationship_service import RelationshipService
from hub.review_service import ReviewService
from hub.subject_service import SubjectService
from hub.supervision_service import SupervisionService
from projections.consents import ConsentView
from projections.handovers import HandoverView
from projections.record_requests import RecordRequestView
from projections.referrals import ReferralView
from projections.relationships import RelationshipView
from projections.reviews import ReviewView
from projections.subjects import SubjectView


class Hub(Core):
    """Everything callers use; nothing else appends to the log."""

    def __init__(self, settings: Settings) -> None:
        self.referral_view = ReferralView()
        super().__init__(
            settings,
            views=[
                self.referral_view,
                SubjectView(),
                ConsentView(),
                ReviewView(),
                RecordRequestView(),
                HandoverView(),
                RelationshipView(),
            ],
        )
        index = BlindIndex.load(settings.key_dir)
        self.admin = RegistryService(self)
        self.relationships = RelationshipService(self)
        self.subjects = SubjectService(self, index, self.relationships)
        self.referrals = ReferralService(self, self.subjects)
        self.workflow = ReferralWorkflow(self, self.referrals)
        self.timeline = ReferralTimeline(self, self.referrals)
        self.supervision = SupervisionService(self, index)
        self.erasure = ErasureService(self, self.subjects, self.relationships)
        self.consents = ConsentService(self, self.subjects, self.relationships)
        self.disclosures = DisclosureService(self, self.consents, self.subjects, self.relationships)
        self.reviews = ReviewService(self)
        self.records = RecordsService(self, self.disclosures, self.subjects, self.relationships)
        self.handovers = HandoverService(self, self.subjects, self.relationships)
        self.audit = AuditService(self)
        self.access_reports = AccessReportService(self, self.relationships)

    def run_due_work(self) -> None:
        """What time alone sets off: overdue response clocks (referrals, record requests) and expired consents."""
        self.workflow.tick()
        self.records.tick()
        self.consents.expire_due()

    def close(self) -> None:
        self.audit.close()
        super().close()


@contextmanager
def startup_objects_frozen() -> Iterator[None]:
    """For a process built around one hub (the server, a CLI command), from before the hub is built: everything
    the process has loaded by then lives as long as it does, so the cycle collector stops walking it. Otherwise
    each full pass walks the ~150k objects of the libraries and policies (about 70 ms), and work that keeps many
    objects alive for a while (a batch of decoded events) sets off such a pass every few batches.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
