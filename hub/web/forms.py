"""Reading submitted forms: text fields, and validation into the same drafts the API takes."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from hub.kernel.errors import InvalidInput
from hub.web.rendering import RIGA

Draft = TypeVar("Draft", bound=BaseModel)


def text(form: FormData, name: str) -> str:
    """A text field of a form ('' when absent; an uploaded file is not text)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def validated(model: type[Draft], body: dict[str, Any]) -> Draft:
    """The draft, or the same validation error a bad API body gets (rendered as a page naming the fields)."""
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise RequestValidationError(
            [{**item, "loc": ("body", *item["loc"])} for item in error.errors(include_url=False)]
        ) from None


def local_day(value: str, field: str, until: bool) -> datetime | None:
    """A date from a form as the start (or, `until`, the end) of that day in Riga; '' is no date."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("invalid_date", "give a date as YYYY-MM-DD", field) from None
    return datetime.combine(day, time.max if until else time.min, RIGA)
