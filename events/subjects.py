"""Subject stream: one record per person (single-record principle), matched by blind index, never plaintext.

Subject ids are random. The blind indexes are sealed under the person's own key, like their other personal data:
once the person is erased, nothing in the log can confirm a guessed code or name against them. Events written
before that stored them in the clear (`clear_in_older_events`); `hub personal-data migrate-indexes` re-indexes
everyone under a new blind-index key (`SubjectReindexed`) and destroys the old key, so those are useless.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar
from uuid import UUID

from events.base import DomainEvent
from events.personal import PERSONAL_OPTIONAL, PersonalData

SEALED_INDEX = PersonalData(erased="")
SEALED_INDEXES = PersonalData(erased=())


class SubjectEvent(DomainEvent):
    """An event of a person's own stream: its personal fields are sealed under that person's key."""

    def data_subject(self) -> UUID | None:
        return self.originator_id


class SubjectRegistered(SubjectEvent):
    clear_in_older_events: ClassVar[frozenset[str]] = frozenset({"code_indexes", "name_index"})

    code_indexes: Annotated[tuple[str, ...], SEALED_INDEXES]
    name_index: Annotated[str | None, PERSONAL_OPTIONAL]


class SubjectCodeAdded(SubjectEvent):
    """A person's personal code changed (on request or adoption); every earlier code keeps matching.

    The code itself is kept (sealed) so that a new blind-index key can index it again; older events lack it.
    """

    clear_in_older_events: ClassVar[frozenset[str]] = frozenset({"code_index"})

    code_index: Annotated[str, SEALED_INDEX]
    personal_code: Annotated[str | None, PERSONAL_OPTIONAL] = None


class SubjectReindexed(SubjectEvent):
    """The person's blind indexes under a new blind-index key; they replace every earlier index of the person."""

    code_indexes: Annotated[tuple[str, ...], SEALED_INDEXES]
    name_index: Annotated[str | None, PERSONAL_OPTIONAL]


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
