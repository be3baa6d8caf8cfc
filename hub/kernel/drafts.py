"""What every capability's input drafts share: frozen models that refuse unknown fields, and a person's name."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, strict=True)]


class DraftModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
