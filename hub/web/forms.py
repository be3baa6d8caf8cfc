"""Reading submitted forms: text fields, and validation into the same drafts the API takes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from hub.kernel.errors import InvalidInput
from hub.web.form_errors import FormInvalid
from hub.web.rendering import RIGA

Draft = TypeVar("Draft", bound=BaseModel)
Location = tuple[int | str, ...]


def text(form: FormData, name: str) -> str:
    """A text field of a form ('' when absent; an uploaded file is not text)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def dotted(location: Location) -> str:
    """A draft's field path as the form names it: `child.given_name`; a list's items are the list (`concerns`)."""
    parts = list(location)
    if len(parts) >= 2 and isinstance(parts[-1], int):
        parts = parts[:-1]
    return ".".join(str(part) for part in parts)


def problems_of(error: ValidationError, field_of: Callable[[Location], str] = dotted) -> list[tuple[str, str]]:
    """(form field, reason) for each of pydantic's errors; a personal code that fails its check says so."""
    found: list[tuple[str, str]] = []
    for item in error.errors(include_url=False):
        location = tuple(item["loc"])
        reason = str(item["type"])
        if location and str(location[-1]) == "personal_code" and reason == "value_error":
            reason = "invalid_personal_code"
        found.append((field_of(location), reason))
    return found


def validated(model: type[Draft], body: dict[str, Any], field_of: Callable[[Location], str] = dotted) -> Draft:
    """The draft, or `FormInvalid` naming the form's fields at fault (the form is shown again with them);
    `field_of` turns a path in the draft into the name of the form field it came from."""
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise FormInvalid(problems_of(error, field_of)) from None


def local_day(value: str, field: str, until: bool) -> datetime | None:
    """A date from a form as the start (or, `until`, the end) of that day in Riga; '' is no date."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("invalid_date", "give a date as YYYY-MM-DD", field) from None
    return datetime.combine(day, time.max if until else time.min, RIGA)


Day = Annotated[str, Query(max_length=10)]


@dataclass(frozen=True)
class ChosenPeriod:
    values: dict[str, str]
    since: datetime | None
    until: datetime | None

    def days(self) -> tuple[date | None, date | None]:
        """The first and last day (Riga) of the period."""
        return (self.since.date() if self.since else None, self.until.date() if self.until else None)


def chosen_period(since: Day = "", until: Day = "") -> ChosenPeriod:
    """The period a filter form names, as whole days in Riga (either end may be left open)."""
    return ChosenPeriod(
        {"since": since, "until": until}, local_day(since, "since", until=False), local_day(until, "until", until=True)
    )


Period = Annotated[ChosenPeriod, Depends(chosen_period)]
