"""Personal details of the people a referral or request is about (data subjects)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from events.base import Immutable
from events.personal import PERSONAL, PERSONAL_OPTIONAL
from events.values import Relationship


class PersonDetails(Immutable):
    """A data subject as named in one event; `subject_id` links it to the single subject record."""

    subject_id: UUID
    given_name: Annotated[str, PERSONAL]
    family_name: Annotated[str, PERSONAL]
    birth_date: Annotated[date | None, PERSONAL_OPTIONAL] = None
    personal_code: Annotated[str | None, PERSONAL_OPTIONAL] = None
    relationship: Relationship | None = None
