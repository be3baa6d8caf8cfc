"""Domain errors, each with a machine-readable reason the API turns into a problem response."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One field at fault: where (`field`), the stable `reason`, and a plain-language `message`."""

    field: str
    reason: str
    message: str


class DomainError(Exception):
    """A command was refused; `reason` is a stable code, `field` the input it concerns, if any."""

    status = 422

    def __init__(self, reason: str, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.field = field

    def field_errors(self) -> list[FieldError]:
        """Every field at fault (none when the error concerns no field)."""
        return [FieldError(self.field, self.reason, self.detail)] if self.field else []


class InvalidInput(DomainError):
    status = 422


class InvalidFields(InvalidInput):
    """Bad input with several fields at fault, every one reported (`field` is the first)."""

    def __init__(self, reason: str, detail: str, errors: Sequence[FieldError]) -> None:
        super().__init__(reason, detail, errors[0].field if errors else None)
        self.errors = tuple(errors)

    def field_errors(self) -> list[FieldError]:
        return list(self.errors)


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class Gone(DomainError):
    status = 410


class Unavailable(DomainError):
    status = 503
