"""Personal details of the people a referral or request is about (data subjects)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from events.base import Immutable
from events.values import Relationship


class PersonDetails(Immutable):
    """A data subject as named in one event; `subject_id` links it to the single subject record."""

    subject_id: UUID
    given_name: str
    family_name: str
    birth_date: date | None = None
    personal_code: str | None = None
    relationship: Relationship | None = None
