"""The consent aggregate: granted, withdrawn or expired; what the policy engine needs of it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import singledispatch
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from events.base import Actor, DomainEvent
from events.consent import ConsentExpired, ConsentGranted, ConsentGrantor, ConsentStatus, ConsentWithdrawn
from events.ids import new_stream_id
from events.values import AgencyKind, DataCategory, Purpose, Relationship
from hub.kernel.drafts import DraftModel, Name
from hub.kernel.errors import Conflict
from hub.kernel.personal_code import PersonalCodeText
from policies.engine import ConsentFacts

Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=500)]
AgencyCode = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=40)]


class GrantorDraft(DraftModel):
    name: Name
    relationship: Relationship | None = None


class ConsentDraft(DraftModel):
    """A consent as recorded by an agency: whose (by subject id or by any personal code they have had), who gave
    it, for which recipients, purposes, data and period."""

    subject_id: UUID | None = None
    personal_code: PersonalCodeText | None = None
    granted_by: GrantorDraft
    recipient_agencies: Annotated[list[AgencyCode], Field(max_length=20, default_factory=list)]
    recipient_kinds: Annotated[list[AgencyKind], Field(max_length=len(AgencyKind), default_factory=list)]
    purposes: Annotated[list[Purpose], Field(min_length=1, max_length=len(Purpose))]
    categories: Annotated[list[DataCategory], Field(min_length=1, max_length=len(DataCategory))]
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    evidence: Text

    @model_validator(mode="after")
    def _coherent(self) -> ConsentDraft:
        if self.subject_id is None and self.personal_code is None:
            raise ValueError("name the person by subject_id or personal_code")
        if not self.recipient_agencies and not self.recipient_kinds:
            raise ValueError("name at least one recipient agency or agency kind")
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        return self


class WithdrawalDraft(DraftModel):
    reason: Text


@dataclass(frozen=True)
class Consent:
    id: UUID
    version: int
    subject_id: UUID
    grantor: ConsentGrantor
    recorded_by_agency: UUID | None
    recipient_agencies: tuple[UUID, ...]
    recipient_kinds: tuple[AgencyKind, ...]
    purposes: tuple[Purpose, ...]
    categories: tuple[DataCategory, ...]
    valid_from: datetime
    valid_until: datetime | None
    evidence: str
    status: ConsentStatus = ConsentStatus.ACTIVE

    def status_at(self, now: datetime) -> ConsentStatus:
        if self.status is ConsentStatus.ACTIVE and self.valid_until is not None and now >= self.valid_until:
            return ConsentStatus.EXPIRED
        return self.status

    def facts(self) -> ConsentFacts:
        return ConsentFacts(
            id=self.id,
            version=self.version,
            subject_id=self.subject_id,
            purposes=frozenset(self.purposes),
            recipient_agencies=frozenset(self.recipient_agencies),
            recipient_kinds=frozenset(self.recipient_kinds),
            categories=frozenset(self.categories),
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            withdrawn=self.status is ConsentStatus.WITHDRAWN,
        )


def grant_consent(
    draft: ConsentDraft, subject_id: UUID, actor: Actor, recipient_agencies: tuple[UUID, ...], now: datetime
) -> ConsentGranted:
    """`subject_id`: the person the draft names, resolved to the hub's record of them."""
    return ConsentGranted(
        originator_id=new_stream_id(),
        originator_version=1,
        actor=actor,
        subject_id=subject_id,
        grantor=ConsentGrantor(name=draft.granted_by.name, relationship=draft.granted_by.relationship),
        recipient_agencies=recipient_agencies,
        recipient_kinds=tuple(dict.fromkeys(draft.recipient_kinds)),
        purposes=tuple(dict.fromkeys(draft.purposes)),
        categories=tuple(dict.fromkeys(draft.categories)),
        valid_from=draft.valid_from or now,
        valid_until=draft.valid_until,
        evidence=draft.evidence,
    )


def withdraw_consent(consent: Consent, actor: Actor, reason: str, now: datetime) -> ConsentWithdrawn:
    if consent.status_at(now) is not ConsentStatus.ACTIVE:
        raise Conflict("consent_not_active", f"the consent is already {consent.status_at(now)}", "consent_id")
    return ConsentWithdrawn(
        originator_id=consent.id,
        originator_version=consent.version + 1,
        actor=actor,
        reason=reason,
        about=consent.subject_id,
    )


def expire_consent(consent: Consent, now: datetime) -> ConsentExpired | None:
    """The expiry event for a consent whose period has ended and which is not yet marked so."""
    if consent.status is not ConsentStatus.ACTIVE or consent.status_at(now) is not ConsentStatus.EXPIRED:
        return None
    return ConsentExpired(originator_id=consent.id, originator_version=consent.version + 1)


@singledispatch
def mutate_consent(event: DomainEvent, consent: Consent | None) -> Consent | None:
    raise TypeError(f"not a consent event: {type(event).__name__}")


@mutate_consent.register
def _(event: ConsentGranted, _: Consent | None) -> Consent:
    return Consent(
        id=event.originator_id,
        version=event.originator_version,
        subject_id=event.subject_id,
        grantor=event.grantor,
        recorded_by_agency=event.actor.agency_id,
        recipient_agencies=event.recipient_agencies,
        recipient_kinds=event.recipient_kinds,
        purposes=event.purposes,
        categories=event.categories,
        valid_from=event.valid_from,
        valid_until=event.valid_until,
        evidence=event.evidence,
    )


@mutate_consent.register
def _(event: ConsentWithdrawn, consent: Consent | None) -> Consent:
    assert consent is not None
    return replace(consent, version=event.originator_version, status=ConsentStatus.WITHDRAWN)


@mutate_consent.register
def _(event: ConsentExpired, consent: Consent | None) -> Consent:
    assert consent is not None
    return replace(consent, version=event.originator_version, status=ConsentStatus.EXPIRED)


def project_consent(consent: Consent | None, events: Iterable[DomainEvent]) -> Consent | None:
    for event in events:
        consent = mutate_consent(event, consent)
    return consent
