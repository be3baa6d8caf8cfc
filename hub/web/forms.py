"""Reading submitted forms: text fields, and validation into the same drafts the API takes."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

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
