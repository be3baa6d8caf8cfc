"""The body of an emergency (break-glass) read: the written justification, which the head of service reviews."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from hub.kernel.drafts import DraftModel

MAX_JUSTIFICATION = 2000


class EmergencyReadDraft(DraftModel):
    """Why a referral must be read now; whether it suffices (length, role) is the policy's decision, recorded."""

    justification: Annotated[
        str,
        StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=MAX_JUSTIFICATION),
        Field(description="Plain-language reason, in any language (the policy asks for at least 20 characters)"),
    ]
