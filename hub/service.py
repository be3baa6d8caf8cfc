"""The hub as the API, CLI and adapters see it: the shared core plus one service per area."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from hub import capabilities
from hub.kernel.blind_index import BlindIndex
from hub.kernel.config import Settings
from hub.kernel.core import Core
from policies.engine import default_engine
from projections.referrals import ReferralView

if TYPE_CHECKING:
    from hub.audit.access_report_service import AccessReportService
    from hub.audit.service import AuditService
    from hub.citizens.requests_service import WrittenRequestService
    from hub.citizens.service import CitizenService
    from hub.consent.disclosure_service import DisclosureService
    from hub.consent.review_service import ReviewService
    from hub.consent.service import ConsentService
    from hub.identity.client_credentials import ClientCredentials
    from hub.identity.service import IdentityService
    from hub.notifications.service import NotificationService
    from hub.people.case_service import CaseService
    from hub.people.erasure_service import ErasureService
    from hub.people.relationship_service import RelationshipService
    from hub.people.service import SubjectService
    from hub.records.handover_service import HandoverService
    from hub.records.service import RecordsService
    from hub.referrals.service import ReferralService
    from hub.referrals.timeline import ReferralTimeline
    from hub.referrals.workflow import ReferralWorkflow
    from hub.registry.admin_service import RegistryAdminService
    from hub.registry.service import RegistryService
    from hub.supervision.service import SupervisionService
    from hub.team.service import TeamService

Service = TypeVar("Service")


class Hub(Core):
    """Everything callers use; nothing else appends to the log. Its services are the capabilities' (each
    capability's manifest installs its own, `hub/capabilities.py` finds them): the attributes below, and for the
    capabilities that came after them, `service(Type)`."""

    registry: RegistryService
    identity: IdentityService
    client_credentials: ClientCredentials
    registry_admin: RegistryAdminService
    relationships: RelationshipService
    subjects: SubjectService
    erasure: ErasureService
    cases: CaseService
    referrals: ReferralService
    referral_workflow: ReferralWorkflow
    referral_timeline: ReferralTimeline
    supervision: SupervisionService
    consents: ConsentService
    disclosures: DisclosureService
    reviews: ReviewService
    records: RecordsService
    handovers: HandoverService
    team: TeamService
    audit: AuditService
    access_reports: AccessReportService
    citizens: CitizenService
    written_requests: WrittenRequestService
    notifications: NotificationService

    def __init__(self, settings: Settings) -> None:
        views = [view for capability in capabilities.CAPABILITIES for view in capability.views()]
        self.referral_view = next(view for view in views if isinstance(view, ReferralView))
        super().__init__(settings, views=views)
        person_actions = tuple(
            action for capability in capabilities.CAPABILITIES for action in capability.person_actions
        )
        if person_actions:
            self.policy_engine = default_engine(person_actions)
        self.index = BlindIndex.load(settings.key_dir)
        self._services: dict[type, object] = {}
        for capability in capabilities.CAPABILITIES:
            capability.install(self)

    def provide(self, service: object) -> None:
        """Makes `service` reachable as `hub.service(type(service))` (a capability's install calls it)."""
        self._services[type(service)] = service

    def service(self, kind: type[Service]) -> Service:
        """The installed service of this type; a `LookupError` if no capability provided one."""
        found = self._services.get(kind)
        if not isinstance(found, kind):
            raise LookupError(f"no capability provides {kind.__name__}")
        return found

    def run_due_work(self) -> None:
        """What time alone sets off: overdue response clocks (referrals, record requests) and expired consents."""
        for capability in capabilities.CAPABILITIES:
            capability.due_work(self)


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
