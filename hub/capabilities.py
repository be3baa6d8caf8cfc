"""The hub's capabilities, in the order they are installed (each may use the services of those before it)."""

from __future__ import annotations

from hub.audit.manifest import AUDIT
from hub.capability import Capability
from hub.citizens.manifest import CITIZENS
from hub.consent.manifest import CONSENT
from hub.identity.manifest import IDENTITY
from hub.notifications.manifest import NOTIFICATIONS
from hub.people.manifest import PEOPLE
from hub.records.manifest import RECORDS
from hub.referrals.manifest import REFERRALS
from hub.registry.manifest import REGISTRY
from hub.supervision.manifest import SUPERVISION
from hub.team.manifest import TEAM
from hub.witness.manifest import WITNESS

CAPABILITIES: tuple[Capability, ...] = (
    REGISTRY,
    IDENTITY,
    PEOPLE,
    REFERRALS,
    SUPERVISION,
    CONSENT,
    RECORDS,
    TEAM,
    AUDIT,
    CITIZENS,
    NOTIFICATIONS,
    WITNESS,
)
