"""The audit capability: the tamper-evident log (checkpoints, proofs, verify), replay and a person's access report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.audit.access_report_service import AccessReportService
from hub.audit.service import AuditService
from hub.capability import Capability

if TYPE_CHECKING:
    from hub.service import Hub


def install(hub: Hub) -> None:
    hub.audit = AuditService(hub)
    hub.access_reports = AccessReportService(hub, hub.relationships, hub.team, hub.audit)


AUDIT = Capability(
    "audit",
    after=("people", "team"),
    install=install,
    api=("hub.audit.api:router", "hub.audit.api_access_reports:router"),
    web=("hub.audit.web:router",),
    commands=(("audit", "hub.audit.cli:audit_app"),),
)
