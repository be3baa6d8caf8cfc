"""Consent stream: granted, withdrawn, expired; each grant maps one-to-one onto a FHIR Consent provision."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar
from uuid import UUID

from events.base import AboutSubject, DomainEvent, Immutable
from events.personal import PERSONAL
from events.values import AgencyKind, DataCategory, Purpose, Relationship

FHIR_CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
HUB_CODES = "https://hub.example/codes"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"


class ConsentStatus(StrEnum):
    """Where a consent stands: active until withdrawn or past its end."""

    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class ConsentGrantor(Immutable):
    """Who gave the consent: the person themself (`relationship` None) or a parent, representative or guardian."""

    name: Annotated[str, PERSONAL]
    relationship: Relationship | None = None


class ConsentGranted(DomainEvent):
    """Provision: `recipient_*` = actor, `action` = disclose, `purposes` = purpose, `categories` = class, period."""

    subject_id: UUID
    grantor: ConsentGrantor
    recipient_agencies: tuple[UUID, ...]
    recipient_kinds: tuple[AgencyKind, ...]
    action: str = "disclose"
    purposes: tuple[Purpose, ...]
    categories: tuple[DataCategory, ...]
    valid_from: datetime
    valid_until: datetime | None
    evidence: Annotated[str, PERSONAL]


class ConsentWithdrawn(AboutSubject):
    """`about` is the consent's subject, whose key seals the reason (older events lack it: reason in the clear)."""

    clear_in_older_events: ClassVar[frozenset[str]] = frozenset({"reason"})

    reason: Annotated[str, PERSONAL]


class ConsentExpired(DomainEvent):
    """The consent's period ended; appended by the expiry sweep (decisions check the period themselves)."""


def fhir_provision(granted: ConsentGranted) -> dict[str, Any]:
    """The grant as a FHIR R4 Consent.provision of type permit (a rule nested in the Consent's root rule)."""
    recipient = {"coding": [{"system": PARTICIPATION_TYPE, "code": "IRCP"}]}
    actors = [
        {"role": recipient, "reference": {"reference": f"Organization/{agency_id}"}}
        for agency_id in granted.recipient_agencies
    ] + [{"role": recipient, "reference": {"display": f"agency-kind:{kind.value}"}} for kind in granted.recipient_kinds]
    period: dict[str, str] = {"start": granted.valid_from.isoformat()}
    if granted.valid_until is not None:
        period["end"] = granted.valid_until.isoformat()
    return {
        "type": "permit",
        "period": period,
        "actor": actors,
        "action": [{"coding": [{"system": HUB_CODES, "code": granted.action}]}],
        "purpose": [{"system": HUB_CODES, "code": purpose.value} for purpose in granted.purposes],
        "class": [{"system": HUB_CODES, "code": category.value} for category in granted.categories],
    }
