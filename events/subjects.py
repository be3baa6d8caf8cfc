"""Subject stream: one record per person (single-record principle), matched by blind index, never plaintext."""

from __future__ import annotations

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
