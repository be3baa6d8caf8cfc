"""What every row of an aggregate's transition table has: the action, the body it takes and its description; the
API, the command line and the web pages build their routes, commands and forms from these rows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hub.kernel.drafts import DraftModel


@dataclass(frozen=True)
class TransitionRow:
    action: StrEnum
    draft: type[DraftModel] | None
    description: str

    @property
    def segment(self) -> str:
        """The path segment and command-line name: `request-information`."""
        return self.action.value.replace("_", "-")

    @property
    def name(self) -> str:
        """The route's name (its OpenAPI summary and operation id): `request_information`."""
        return self.action.name.lower()

    def takes(self, draft: object) -> bool:
        """Whether `draft` is this action's body (None for an action without one)."""
        return draft is None if self.draft is None else isinstance(draft, self.draft)

    def check(self, draft: object) -> None:
        """Raise TypeError when a caller passes another body than the row's (a programming error, not bad input)."""
        if not self.takes(draft):
            raise TypeError(f"{self.action.value} does not take {type(draft).__name__}")
