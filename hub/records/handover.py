"""The handover aggregate (pēctecība): residence change recorded, offered, then accepted or declined.

Ownership stays with the old social service until the new one accepts (transfer semantics); acceptance brings
a pre-filled checklist of prior-residence requests to make.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import singledispatch
from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints, field_validator

from events.base import Actor, DomainEvent
from events.handover import (
    ChecklistItem,
    HandoverAccepted,
    HandoverDeclined,
    HandoverOffered,
    HandoverStatus,
    ResidenceChangeRecorded,
)
from events.ids import new_stream_id
from events.people import PersonDetails
from events.values import MUNICIPALITIES, AgencyKind
from hub.kernel.drafts import DraftModel
from hub.kernel.errors import Conflict, InvalidInput
from hub.people.drafts import SubjectDraft
from hub.records.domain import DEFAULT_CATEGORIES


class ResidenceChangeDraft(DraftModel):
    """The family moved: who, to which municipality, since when."""

    subjects: Annotated[list[SubjectDraft], Field(min_length=1, max_length=20)]
    to_municipality: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=40)]
    moved_on: date
    note: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, max_length=2000)] = ""

    @field_validator("to_municipality")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in MUNICIPALITIES:
            raise ValueError("unknown municipality code")
        return value


@dataclass(frozen=True)
class Handover:
    id: UUID
    version: int
    from_agency_id: UUID
    from_municipality: str
    to_municipality: str
    moved_on: date
    subjects: tuple[PersonDetails, ...]
    recorded_at: datetime
    to_agency_id: UUID | None = None
    status: HandoverStatus = HandoverStatus.OFFERED
    checklist: tuple[ChecklistItem, ...] = ()
    decided_at: datetime | None = None
    decline_reason: str | None = None

    @property
    def owner_agency_id(self) -> UUID:
        """Who is responsible for the case now: the old service until the new one accepts."""
        if self.status is HandoverStatus.ACCEPTED and self.to_agency_id is not None:
            return self.to_agency_id
        return self.from_agency_id

    @property
    def subject_ids(self) -> tuple[UUID, ...]:
        return tuple(subject.subject_id for subject in self.subjects)


def record_residence_change(
    draft: ResidenceChangeDraft,
    actor: Actor,
    from_municipality: str,
    to_agency_id: UUID,
    people: tuple[PersonDetails, ...],
    now: datetime,
) -> tuple[ResidenceChangeRecorded, HandoverOffered]:
    """`people` are the draft's subjects as resolved to the hub's records of them."""
    assert actor.agency_id is not None
    if draft.to_municipality == from_municipality:
        raise InvalidInput("same_municipality", "the family moved within the same municipality", "to_municipality")
    handover_id = new_stream_id()
    recorded = ResidenceChangeRecorded(
        originator_id=handover_id,
        originator_version=1,
        timestamp=now,
        actor=actor,
        from_agency_id=actor.agency_id,
        from_municipality=from_municipality,
        to_municipality=draft.to_municipality,
        moved_on=draft.moved_on,
        subjects=people,
        note=draft.note,
    )
    offered = HandoverOffered(
        originator_id=handover_id, originator_version=2, timestamp=now, actor=actor, to_agency_id=to_agency_id
    )
    return recorded, offered


def missing_information_checklist(previous_agencies: Iterable[tuple[UUID, AgencyKind]]) -> tuple[ChecklistItem, ...]:
    """One request to make per agency of the previous residence, with the categories it usually holds."""
    return tuple(
        ChecklistItem(responder_agency_id=agency_id, categories=DEFAULT_CATEGORIES[kind])
        for agency_id, kind in previous_agencies
        if kind in DEFAULT_CATEGORIES
    )


def _require_offered(handover: Handover, action: str) -> None:
    if handover.status is not HandoverStatus.OFFERED:
        raise Conflict("illegal_transition", f"a handover that is {handover.status} cannot be {action}")


def accept_handover(
    handover: Handover, actor: Actor, checklist: tuple[ChecklistItem, ...], now: datetime
) -> HandoverAccepted:
    _require_offered(handover, "accepted")
    return HandoverAccepted(
        originator_id=handover.id,
        originator_version=handover.version + 1,
        timestamp=now,
        actor=actor,
        checklist=checklist,
    )


def decline_handover(handover: Handover, actor: Actor, reason: str, now: datetime) -> HandoverDeclined:
    _require_offered(handover, "declined")
    return HandoverDeclined(
        originator_id=handover.id,
        originator_version=handover.version + 1,
        timestamp=now,
        actor=actor,
        reason=reason,
        subjects=handover.subject_ids,
    )


@singledispatch
def mutate_handover(event: DomainEvent, handover: Handover | None) -> Handover | None:
    raise TypeError(f"not a handover event: {type(event).__name__}")


@mutate_handover.register
def _(event: ResidenceChangeRecorded, _: Handover | None) -> Handover:
    return Handover(
        id=event.originator_id,
        version=event.originator_version,
        from_agency_id=event.from_agency_id,
        from_municipality=event.from_municipality,
        to_municipality=event.to_municipality,
        moved_on=event.moved_on,
        subjects=event.subjects,
        recorded_at=event.timestamp,
    )


@mutate_handover.register
def _(event: HandoverOffered, handover: Handover | None) -> Handover:
    assert handover is not None
    return replace(handover, version=event.originator_version, to_agency_id=event.to_agency_id)


@mutate_handover.register
def _(event: HandoverAccepted, handover: Handover | None) -> Handover:
    assert handover is not None
    return replace(
        handover,
        version=event.originator_version,
        status=HandoverStatus.ACCEPTED,
        checklist=event.checklist,
        decided_at=event.timestamp,
    )


@mutate_handover.register
def _(event: HandoverDeclined, handover: Handover | None) -> Handover:
    assert handover is not None
    return replace(
        handover,
        version=event.originator_version,
        status=HandoverStatus.DECLINED,
        decline_reason=event.reason,
        decided_at=event.timestamp,
    )


def project_handover(handover: Handover | None, events: Iterable[DomainEvent]) -> Handover | None:
    for event in events:
        handover = mutate_handover(event, handover)
    return handover
