"""Validated bodies of the referral transitions, shared by the API and the command line."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from events.referrals import Outcome
from hub.kernel.config import MAX_MONITORING_DAYS
from hub.kernel.drafts import DraftModel
from hub.referrals.domain import known_municipality

Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=2000)]


class AssignDraft(DraftModel):
    worker: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=100)]


class QuestionDraft(DraftModel):
    question: Text


class AnswerDraft(DraftModel):
    answer: Text


class ReasonDraft(DraftModel):
    reason: Text


class RedirectDraft(DraftModel):
    municipality: Annotated[str, StringConstraints(strict=True, max_length=40)]
    reason: Text

    _municipality = field_validator("municipality")(known_municipality)


class CloseDraft(DraftModel):
    outcome: Outcome
    monitoring_days: Annotated[int, Field(ge=0, le=MAX_MONITORING_DAYS)] | None = Field(
        default=None, description="Days of monitoring after closure (0: none); without it the hub's default applies"
    )

    @field_validator("monitoring_days", mode="before")
    @classmethod
    def _not_a_flag(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError("a number of days, not true or false")
        return value
