"""How other capabilities name a person to the people capability: names, birth date, personal code, relationship,
and the subject id when they know it."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from events.values import Relationship
from hub.kernel.drafts import DraftModel, Name
from hub.kernel.personal_code import PersonalCodeText


class SubjectDraft(DraftModel):
    """A person a referral or request names; `subject_id` links to a subject the hub already knows."""

    subject_id: UUID | None = None
    given_name: Name
    family_name: Name
    birth_date: date | None = None
    personal_code: PersonalCodeText | None = None
    relationship: Relationship | None = None
