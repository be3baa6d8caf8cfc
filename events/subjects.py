"""Subject stream: one record per person (single-record principle), matched by blind index, never plaintext."""

from __future__ import annotations

from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from events.base import DomainEvent


def subject_id_for_index(code_index: str) -> UUID:
    """A person first seen with a personal code gets an id derived from that code's blind index."""
    return uuid5(NAMESPACE_URL, f"hub:subject:{code_index}")


class SubjectRegistered(DomainEvent):
    code_indexes: tuple[str, ...]
    name_index: str | None


class SubjectCodeAdded(DomainEvent):
    """A person's personal code changed (on request or adoption); every earlier code keeps matching."""

    code_index: str


class SubjectCandidateMatched(DomainEvent):
    """Same name and birth date, no code: a case manager must confirm or reject the match."""

    candidate_id: UUID


class SubjectMatchConfirmed(DomainEvent):
    candidate_id: UUID


class SubjectMatchRejected(DomainEvent):
    candidate_id: UUID


class ErasureReason(StrEnum):
    RETENTION_EXPIRED = "retention_expired"
    DATA_SUBJECT_REQUEST = "data_subject_request"
    COURT_ORDER = "court_order"
    RECORDED_IN_ERROR = "recorded_in_error"


class SubjectErased(DomainEvent):
    """The person's data key was destroyed: every personal field about them is unreadable from now on.

    Carries no personal data; `basis` names the retention rule or legal ground.
    """

    reason: ErasureReason
    basis: str
