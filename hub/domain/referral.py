"""The referral aggregate and the validated draft every channel (API, Kafka, CSV, FHIR) submits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import singledispatch
from typing import Annotated
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from events.base import Actor, DomainEvent
from events.people import PersonDetails
from events.referrals import ReferralSubmitted
from events.values import MUNICIPALITIES, Concern, Relationship, Urgency
from hub.domain.personal_code import InvalidPersonalCode, parse_personal_code

MAX_SUMMARY_CHARS = 4000
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, strict=True)]


class DraftModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _checked_code(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return parse_personal_code(value).value
    except InvalidPersonalCode as error:
        raise ValueError(f"invalid personal code: {error}") from error


class ChildDraft(DraftModel):
    given_name: Name
    family_name: Name
    birth_date: date
    personal_code: Annotated[str, StringConstraints(strict=True, max_length=20)] | None = None
    municipality: Annotated[str, StringConstraints(strict=True, max_length=40)]

    _code = field_validator("personal_code")(_checked_code)

    @field_validator("birth_date")
    @classmethod
    def _not_in_future(cls, value: date) -> date:
        if value > date.today():
            raise ValueError("birth date is in the future")
        return value

    @field_validator("municipality")
    @classmethod
    def _known_municipality(cls, value: str) -> str:
        if value not in MUNICIPALITIES:
            raise ValueError("unknown municipality code")
        return value


class FamilyMemberDraft(DraftModel):
    given_name: Name
    family_name: Name
    relationship: Relationship
    personal_code: Annotated[str, StringConstraints(strict=True, max_length=20)] | None = None

    _code = field_validator("personal_code")(_checked_code)


class ReferralDraft(DraftModel):
    """What a referrer submits; validation here serves every inbound channel."""

    child: ChildDraft
    family: Annotated[list[FamilyMemberDraft], Field(max_length=20)] = []
    concerns: Annotated[list[Concern], Field(min_length=1, max_length=len(Concern))]
    urgency: Urgency
    summary: Annotated[
        str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=MAX_SUMMARY_CHARS)
    ]

    @field_validator("concerns")
    @classmethod
    def _no_duplicate_concerns(cls, value: list[Concern]) -> list[Concern]:
        if len(set(value)) != len(value):
            raise ValueError("a concern is listed twice")
        return value


@dataclass(frozen=True)
class Referral:
    id: UUID
    version: int
    referrer_agency_id: UUID
    child: PersonDetails
    family: tuple[PersonDetails, ...]
    concerns: tuple[Concern, ...]
    urgency: Urgency
    summary: str
    recipients: tuple[UUID, ...]
    submitted_at: datetime
    status: str

    @property
    def subject_ids(self) -> tuple[UUID, ...]:
        return (self.child.subject_id, *(member.subject_id for member in self.family))


def submit_referral(
    draft: ReferralDraft, actor: Actor, recipients: tuple[UUID, ...], routing_version: str
) -> ReferralSubmitted:
    """Decide the event that records a new referral."""
    child = PersonDetails(
        subject_id=uuid4(),
        given_name=draft.child.given_name,
        family_name=draft.child.family_name,
        birth_date=draft.child.birth_date,
        personal_code=draft.child.personal_code,
    )
    family = tuple(
        PersonDetails(
            subject_id=uuid4(),
            given_name=member.given_name,
            family_name=member.family_name,
            personal_code=member.personal_code,
            relationship=member.relationship,
        )
        for member in draft.family
    )
    assert actor.agency_id is not None
    return ReferralSubmitted(
        originator_id=uuid4(),
        originator_version=1,
        actor=actor,
        referrer_agency_id=actor.agency_id,
        child=child,
        family=family,
        municipality=draft.child.municipality,
        concerns=tuple(draft.concerns),
        urgency=draft.urgency,
        summary=draft.summary,
        recipients=recipients,
        routing_version=routing_version,
    )


@singledispatch
def mutate_referral(event: DomainEvent, referral: Referral | None) -> Referral | None:
    raise TypeError(f"not a referral event: {type(event).__name__}")


@mutate_referral.register
def _(event: ReferralSubmitted, _: Referral | None) -> Referral:
    return Referral(
        id=event.originator_id,
        version=event.originator_version,
        referrer_agency_id=event.referrer_agency_id,
        child=event.child,
        family=event.family,
        concerns=event.concerns,
        urgency=event.urgency,
        summary=event.summary,
        recipients=event.recipients,
        submitted_at=event.timestamp,
        status="submitted",
    )


def project_referral(referral: Referral | None, events: Iterable[DomainEvent]) -> Referral | None:
    for event in events:
        referral = mutate_referral(event, referral)
    return referral
