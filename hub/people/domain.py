"""The subject aggregate: one record per person, its blind-indexed codes, and candidate matches to confirm."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import singledispatch
from uuid import UUID

from events.base import Actor, DomainEvent
from events.subjects import (
    ErasureReason,
    SubjectCandidateMatched,
    SubjectCodeAdded,
    SubjectErased,
    SubjectMatchConfirmed,
    SubjectMatchRejected,
    SubjectRegistered,
    SubjectReindexed,
)
from hub.kernel.errors import Conflict, NotFound


@dataclass(frozen=True)
class Subject:
    id: UUID
    version: int
    code_indexes: frozenset[str]
    name_index: str | None
    candidates: dict[UUID, str] = field(default_factory=dict)  # candidate id -> pending | confirmed | rejected
    erased: bool = False


def register_subject(
    subject_id: UUID, code_index: str | None, name_index: str | None, actor: Actor, at: datetime
) -> SubjectRegistered:
    return SubjectRegistered(
        originator_id=subject_id,
        originator_version=1,
        actor=actor,
        timestamp=at,
        code_indexes=(code_index,) if code_index else (),
        name_index=name_index,
    )


def _next(subject: Subject, actor: Actor, at: datetime) -> dict[str, object]:
    return {"originator_id": subject.id, "originator_version": subject.version + 1, "actor": actor, "timestamp": at}


def add_code(
    subject: Subject, code_index: str, personal_code: str, actor: Actor, at: datetime
) -> SubjectCodeAdded | None:
    """A new personal code for the person; None when the subject already has it."""
    if code_index in subject.code_indexes:
        return None
    return SubjectCodeAdded(**_next(subject, actor, at), code_index=code_index, personal_code=personal_code)


def reindex(
    subject: Subject, code_indexes: tuple[str, ...], name_index: str | None, actor: Actor, at: datetime
) -> SubjectReindexed:
    """The person's indexes under a new blind-index key."""
    return SubjectReindexed(**_next(subject, actor, at), code_indexes=code_indexes, name_index=name_index)


def match_candidate(subject: Subject, candidate_id: UUID, actor: Actor, at: datetime) -> SubjectCandidateMatched:
    return SubjectCandidateMatched(**_next(subject, actor, at), candidate_id=candidate_id)


def _pending(subject: Subject, candidate_id: UUID) -> None:
    state = subject.candidates.get(candidate_id)
    if state is None:
        raise NotFound("candidate_not_found", "this subject has no such candidate match")
    if state != "pending":
        raise Conflict("candidate_already_settled", f"the candidate match was already {state}")


def confirm_match(subject: Subject, candidate_id: UUID, actor: Actor, at: datetime) -> SubjectMatchConfirmed:
    _pending(subject, candidate_id)
    return SubjectMatchConfirmed(**_next(subject, actor, at), candidate_id=candidate_id)


def reject_match(subject: Subject, candidate_id: UUID, actor: Actor, at: datetime) -> SubjectMatchRejected:
    _pending(subject, candidate_id)
    return SubjectMatchRejected(**_next(subject, actor, at), candidate_id=candidate_id)


def erase(subject: Subject, reason: ErasureReason, basis: str, actor: Actor, at: datetime) -> SubjectErased | None:
    """None when the subject is already erased (erasing again only destroys the key again)."""
    if subject.erased:
        return None
    return SubjectErased(**_next(subject, actor, at), reason=reason, basis=basis)


@singledispatch
def mutate_subject(event: DomainEvent, subject: Subject | None) -> Subject:
    raise TypeError(f"not a subject event: {type(event).__name__}")


@mutate_subject.register
def _(event: SubjectRegistered, _: Subject | None) -> Subject:
    return Subject(
        id=event.originator_id,
        version=event.originator_version,
        code_indexes=frozenset(event.code_indexes),
        name_index=event.name_index,
    )


@mutate_subject.register
def _(event: SubjectReindexed, subject: Subject | None) -> Subject:
    assert subject is not None
    return replace(
        subject,
        version=event.originator_version,
        code_indexes=frozenset(event.code_indexes),
        name_index=event.name_index,
    )


@mutate_subject.register
def _(event: SubjectCodeAdded, subject: Subject | None) -> Subject:
    assert subject is not None
    return replace(subject, version=event.originator_version, code_indexes=subject.code_indexes | {event.code_index})


def _settled(subject: Subject | None, event: DomainEvent, candidate_id: UUID, state: str) -> Subject:
    assert subject is not None
    return replace(subject, version=event.originator_version, candidates={**subject.candidates, candidate_id: state})


@mutate_subject.register
def _(event: SubjectCandidateMatched, subject: Subject | None) -> Subject:
    return _settled(subject, event, event.candidate_id, "pending")


@mutate_subject.register
def _(event: SubjectMatchConfirmed, subject: Subject | None) -> Subject:
    return _settled(subject, event, event.candidate_id, "confirmed")


@mutate_subject.register
def _(event: SubjectMatchRejected, subject: Subject | None) -> Subject:
    return _settled(subject, event, event.candidate_id, "rejected")


@mutate_subject.register
def _(event: SubjectErased, subject: Subject | None) -> Subject:
    assert subject is not None
    return replace(subject, version=event.originator_version, erased=True, code_indexes=frozenset(), name_index=None)


def project_subject(subject: Subject | None, events: Iterable[DomainEvent]) -> Subject | None:
    for event in events:
        subject = mutate_subject(event, subject)
    return subject
