"""Written-request stream: a person asked in writing about their data (GDPR Art. 12(3)); staff record it, may extend
its one-month clock once by two months with a reason, and mark it answered. One stream per request.

The reason for an extension is free text that may name people: sealed under the person's key.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from events.base import AboutSubject
from events.personal import PERSONAL


class RequestedRight(StrEnum):
    """What the person asked for (GDPR Articles 15 to 21)."""

    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    PORTABILITY = "portability"
    OBJECTION = "objection"


class WrittenRequestStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


class WrittenRequestRecorded(AboutSubject):
    agency_id: UUID  # the agency that recorded it and answers it
    right: RequestedRight
    received_at: datetime  # the start of the Riga day the letter arrived
    due_at: datetime
    clocks_version: str


class WrittenRequestExtended(AboutSubject):
    reason: Annotated[str, PERSONAL]
    due_at: datetime


class WrittenRequestAnswered(AboutSubject):
    pass


class WrittenRequestOverdue(AboutSubject):
    agency_id: UUID  # the agency whose answer is overdue (its head of service is notified)
    due_at: datetime


WRITTEN_REQUEST_EVENTS = (WrittenRequestRecorded, WrittenRequestExtended, WrittenRequestAnswered, WrittenRequestOverdue)
